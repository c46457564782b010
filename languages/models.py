from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TranslatedNames(models.Model):
    """Names of a taxonomy record in the official languages: {"ru": {"name": "…"}, …}, loaded from
    the reference data file (countries: from CLDR) and editable in the admin. The English name
    stays in its own column, the one every import, filter and slug is made from."""

    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        help_text=_('Names in the other official languages, e.g. {"ru": {"name": "…"}}.'),
    )

    class Meta:
        abstract = True

    def translated(self, field, language=None):
        """The value of `field` in `language` (the page's language by default), else English."""
        code = (language or get_language() or "en").split("-")[0]
        names = self.translations.get(code) if isinstance(self.translations, dict) else None
        value = names.get(field) if isinstance(names, dict) else None
        return value if isinstance(value, str) and value.strip() else getattr(self, field)

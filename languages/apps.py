from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LanguagesConfig(AppConfig):
    name = "languages"
    verbose_name = _("Languages")

    def ready(self):
        from django.core.signals import setting_changed

        from . import registry, urls

        def forget_languages(setting, **kwargs):
            if setting in {"CONTENT_LANGUAGES", "ROOT_URLCONF"}:
                registry.registry.cache_clear()
                urls.forget_urlconfs()

        setting_changed.connect(forget_languages, weak=False)

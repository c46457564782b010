from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "news"
    verbose_name = _("News")

    def ready(self):
        from . import menus

        # The header menus are cached (news/menus.py); a change to what they show clears them.
        for label in (
            "countries.Country",
            "countries.Chairpersonship",
            "structures.Structure",
            "news.FieldOfWork",
        ):
            model = self.apps.get_model(label)
            post_save.connect(menus.invalidate, sender=model, dispatch_uid=f"menus-{label}-save")
            post_delete.connect(
                menus.invalidate, sender=model, dispatch_uid=f"menus-{label}-delete"
            )

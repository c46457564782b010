from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alerts"
    verbose_name = _("Email alerts")

    def ready(self):
        """A news item saved as published wakes the alert worker once the save is committed:
        at once, or at the item's time if that lies ahead. The worker would find the item on
        its next pass anyway (alerts/announcing.py looks for new public items, whichever door
        published them); this only spares the wait."""
        from news.models import NewsItem

        from . import checks, tasks  # noqa: F401 (checks: registered on import)

        post_save.connect(tasks.wake_on_publish, sender=NewsItem, dispatch_uid="alerts-wake")

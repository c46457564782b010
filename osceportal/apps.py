from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class OsceportalConfig(AppConfig):
    """The site as a whole: its views (health check, robots.txt), its commands (backup,
    restore) and the back office's template tags. Depends on the apps, never the other way."""

    name = "osceportal"
    verbose_name = _("OSCE Portal")
    default = True


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the back office's own site (osceportal/admin_site.py)."""

    default = False
    default_site = "osceportal.admin_site.PortalAdminSite"

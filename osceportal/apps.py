from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the back office's own site (osceportal/admin_site.py)."""

    default_site = "osceportal.admin_site.PortalAdminSite"

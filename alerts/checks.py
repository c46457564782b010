from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.compatibility, deploy=True)
def site_url_is_set(app_configs, **kwargs):
    """Messages are written outside any request: their links need the site's address."""
    if settings.SITE_URL.startswith(("http://", "https://")):
        return []
    return [
        Error(
            "SITE_URL is not set: the links in email alerts would lead nowhere.",
            hint="Set SITE_URL to the public address of the site, e.g. https://news.example.org.",
            id="alerts.E001",
        )
    ]

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SampleDataConfig(AppConfig):
    """The synthetic news corpus for benchmarks (`manage.py generate_news`); no models."""

    name = "sampledata"
    label = "sampledata"
    verbose_name = _("Sample data")

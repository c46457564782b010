from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from languages.models import TranslatedNames
from languages.urls import reverse_slug


class CountryQuerySet(models.QuerySet):
    def participating_states(self):
        return self.filter(status=Country.Status.PARTICIPATING_STATE)

    def asian_partners(self):
        return self.filter(status=Country.Status.ASIAN_PARTNER)

    def mediterranean_partners(self):
        return self.filter(status=Country.Status.MEDITERRANEAN_PARTNER)


class Country(TranslatedNames):
    class Status(models.TextChoices):
        PARTICIPATING_STATE = "participating_state", _("Participating State")
        ASIAN_PARTNER = "asian_partner", _("Asian Partner for Co-operation")
        MEDITERRANEAN_PARTNER = "mediterranean_partner", _("Mediterranean Partner for Co-operation")
        OTHER = "other", _("Other place")

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_('As the organisation writes it, e.g. "Türkiye", "The Netherlands".'),
    )
    sort_name = models.CharField(
        _("sort name"), max_length=100, help_text=_('Used for sorting, e.g. "Netherlands".')
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    code = models.CharField(
        _("ISO code"),
        max_length=2,
        unique=True,
        help_text=_('ISO 3166-1 alpha-2 code, e.g. "TJ" ("XK" for Kosovo).'),
    )
    status = models.CharField(_("status"), max_length=30, choices=Status.choices)
    joined_year = models.PositiveSmallIntegerField(_("year joined"), null=True, blank=True)
    joined_on = models.DateField(_("date joined"), null=True, blank=True)
    other_names = models.JSONField(
        _("other names"),
        default=list,
        blank=True,
        help_text=_('Other labels the organisation has used, e.g. "Czech Republic".'),
    )
    position = models.PositiveSmallIntegerField(
        _("menu position"), default=0, help_text=_("Order in the Countries menu.")
    )

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["position", "sort_name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        indexes = [models.Index(fields=["status", "position"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_slug("countries:detail", self.slug)

    @property
    def local_name(self):
        """The name in the page's language (CLDR's, loaded by load_reference_data)."""
        return self.translated("name")


# The groups the organisation lists places in, in its order, with their headings.
COUNTRY_GROUPS = [
    (Country.Status.PARTICIPATING_STATE, _("Participating States")),
    (Country.Status.ASIAN_PARTNER, _("Asian Partners for Co-operation")),
    (Country.Status.MEDITERRANEAN_PARTNER, _("Mediterranean Partners for Co-operation")),
    (Country.Status.OTHER, _("Other places")),
]


def group_countries(countries, statuses=None):
    """[(status, heading, [country, …]), …] in the order of COUNTRY_GROUPS, for the groups of
    `statuses` (all by default), each with the countries of `countries` in it (maybe none)."""
    members = {}
    for country in countries:
        members.setdefault(country.status, []).append(country)
    return [
        (status, heading, members.get(status, []))
        for status, heading in COUNTRY_GROUPS
        if statuses is None or status in statuses
    ]


class ChairpersonshipQuerySet(models.QuerySet):
    def current(self):
        """The Chairpersonship of the present year, or None."""
        return self.select_related("country").filter(year=timezone.localdate().year).first()


class Chairpersonship(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    country = models.ForeignKey(
        "countries.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chairpersonships",
        help_text=_("Empty for a State that no longer exists (e.g. Czechoslovakia, 1992)."),
    )
    country_name = models.CharField(
        _("country name"),
        max_length=100,
        help_text=_("The chairing State's name, kept even when it is no longer a country here."),
    )

    objects = ChairpersonshipQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("chairpersonship")
        verbose_name_plural = _("chairpersonships")

    def __str__(self):
        return str(self.label)

    @property
    def label(self):
        """As the Countries menu marks the chairing State, e.g. "Finland - OSCE
        Chairpersonship 2025" (with an en dash)."""
        return _("%(country)s – OSCE Chairpersonship %(year)s") % {
            "country": self.country.local_name if self.country else self.country_name,
            "year": self.year,
        }

"""Facet counts for the news listing: beside each option, the number of items it would give
under the *other* active filters (disjunctive counts), each facet one SQL aggregate."""

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from countries.models import Country
from structures.models import Structure

from .models import FieldOfWork, IssuingBody, NewsItem, TaggedNewsItem

TAG_OPTIONS = 15


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool

    @property
    def disabled(self):
        # An option that would give nothing stays visible, but cannot be chosen.
        return self.count == 0 and not self.selected


LONG_FACET = 12


@dataclass
class Facet:
    name: str
    legend: str
    options: list

    def __post_init__(self):
        # In a long list, what is chosen and what would give results come first; the options
        # that would give nothing stay, disabled, at the end.
        if len(self.options) > LONG_FACET:
            self.options.sort(key=lambda o: (not o.selected, o.count == 0))

    @property
    def is_long(self):
        return len(self.options) > LONG_FACET

    @property
    def selected_count(self):
        return sum(option.selected for option in self.options)


def count_by(queryset, key, item_key):
    return dict(queryset.values_list(key).annotate(n=Count(item_key)).values_list(key, "n"))


def build_facets(filterset):
    """All facets for a valid NewsFilter."""
    data = filterset.form.cleaned_data
    chosen = {
        name: {getattr(value, "slug", value) for value in data.get(name) or []}
        for name in ("field", "country", "issued_by", "type", "tag")
    }

    def others_applied(name):
        # The listing under every active filter but this facet's, as a subquery.
        return filterset.queryset_without(name).order_by().values("pk")

    def options(objects, counts, name, label=str):
        return [
            Option(obj.slug, label(obj), counts.get(obj.pk, 0), obj.slug in chosen[name])
            for obj in objects
        ]

    field_counts = count_by(
        NewsItem.fields_of_work.through.objects.filter(newsitem__in=others_applied("field")),
        "fieldofwork",
        "newsitem",
    )
    country_counts = count_by(
        NewsItem.countries.through.objects.filter(newsitem__in=others_applied("country")),
        "country",
        "newsitem",
    )
    structure_counts = count_by(
        IssuingBody.objects.filter(news_item__in=others_applied("issued_by")),
        "structure",
        "news_item",
    )
    type_counts = count_by(NewsItem.objects.filter(pk__in=others_applied("type")), "type", "pk")
    tag_rows = (
        TaggedNewsItem.objects.filter(content_object__in=others_applied("tag"))
        .values("tag")
        .annotate(n=Count("content_object"))
        .order_by("-n", "tag__name")
    )
    tag_counts = {row["tag"]: row["n"] for row in tag_rows[:TAG_OPTIONS]}
    tags = Tag.objects.filter(pk__in=tag_counts) | Tag.objects.filter(slug__in=chosen["tag"])

    return [
        Facet(
            "field", _("Field of work"), options(FieldOfWork.objects.all(), field_counts, "field")
        ),
        Facet("country", _("Country"), options(Country.objects.all(), country_counts, "country")),
        Facet(
            "issued_by",
            _("Issued by"),
            options(Structure.objects.all(), structure_counts, "issued_by"),
        ),
        Facet(
            "type",
            _("Type"),
            [
                Option(value, str(label), type_counts.get(value, 0), value in chosen["type"])
                for value, label in NewsItem.Type.choices
            ],
        ),
        Facet(
            "tag",
            _("Tag"),
            sorted(
                options(tags.distinct(), tag_counts, "tag", label=lambda t: t.name),
                key=lambda o: (-o.count, o.label.casefold()),
            ),
        ),
    ]

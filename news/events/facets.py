"""Facet counts of the meetings listing, as the news listing's (news/listing/facets.py): beside
each option, the number of events it would give under the *other* active filters (disjunctive
counts), one SQL aggregate a facet whatever the number of events. The options reuse the news
listing's `Option` and `Facet`, so that one template tag (`facet_options`,
news/templatetags/news_tags.py) shows both."""

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from countries.models import Country
from structures.models import Structure

from ..listing.facets import Facet, Option, count_by, field_counts, in_local_order
from ..listing.summary import issuer_name
from ..menus import field_tree
from ..models import Event, EventOrganiser, FieldOfWork, MeetingSeries
from .filters import FACETS


def compute_counts(filterset):
    """{facet: {option: count}}: the series, countries and fields by id, the years as numbers."""
    counts = {}
    for name in FACETS:
        listing = filterset.queryset_without(name).order_by()
        if name == "series":
            counts[name] = count_by(listing, "series", "pk")
        elif name == "country":
            counts[name] = count_by(listing, "country", "pk")
        elif name == "year":
            rows = listing.annotate(year=ExtractYear("start")).values("year")
            counts[name] = dict(rows.annotate(n=Count("pk")).values_list("year", "n"))
        elif name == "field":
            links = Event.fields_of_work.through.objects.filter(event__in=listing.values("pk"))
            counts[name] = field_counts(links, "event", "fieldofwork")
        elif name == "organised_by":
            links = EventOrganiser.objects.filter(event__in=listing.values("pk"))
            counts[name] = count_by(links, "structure", "event")
    counts.pop(None, None)
    for facet in counts.values():
        facet.pop(None, None)  # events without a series or a country
    return counts


def result_count(filterset, counts):
    """How many events the listing has: every event starts in one year, so the year facet's
    counts, taken under all the other filters, add up to it (for the chosen years, if any)."""
    chosen = filterset.form.cleaned_data.get("year") or counts["year"].keys()
    return sum(counts["year"].get(year, 0) for year in chosen)


def build_facets(filterset, counts):
    """The facets of a valid EventFilter, from `compute_counts`. Years, countries, fields and
    organisers are listed when they have events under the other filters, or are chosen: not the
    whole taxonomy, of which most would give nothing (and a long list of disabled options is a
    scrolling box with nothing to focus). The series keep the menu's order. A facet without
    options is left out."""
    data = filterset.form.cleaned_data
    chosen = {
        name: {getattr(value, "slug", value) for value in data.get(name) or []} for name in FACETS
    }

    def option(obj, name, label, **extra):
        return Option(obj.slug, label(obj), counts[name].get(obj.pk, 0), obj.slug in chosen[name],
                      **extra)  # fmt: skip

    def options(objects, name, label):
        return [option(obj, name, label) for obj in objects]

    def in_use(model, name):
        return model.objects.filter(pk__in=list(counts[name])) | model.objects.filter(
            slug__in=chosen[name]
        )

    def local_name(obj):
        return obj.local_name

    def wanted(option):
        return option.count or option.selected

    fields = []
    for field, subtopics in field_tree(FieldOfWork.objects.filter(needs_review=False)):
        subtopics = [each for each in options(subtopics, "field", local_name) if wanted(each)]
        head = option(field, "field", local_name, subtopics=subtopics)
        if wanted(head) or subtopics:
            fields.append(head)
    years = sorted(set(counts["year"]) | chosen["year"], reverse=True)
    facets = [
        Facet(
            "series",
            _("Series"),
            [
                each
                for each in options(MeetingSeries.objects.all(), "series", local_name)
                if wanted(each)
            ],
        ),
        Facet(
            "year",
            _("Year"),
            [
                Option(str(year), str(year), counts["year"].get(year, 0), year in chosen["year"])
                for year in years
            ],
        ),
        Facet(
            "country",
            _("Country"),
            options(in_local_order(in_use(Country, "country").distinct()), "country", local_name),
        ),
        Facet("field", _("Field of work"), fields),
        Facet(
            "organised_by",
            _("Organised by"),
            options(in_use(Structure, "organised_by").distinct(), "organised_by", issuer_name),
        ),
    ]
    return [facet for facet in facets if facet.options]

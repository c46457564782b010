"""Facet counts for the news listing: beside each option, the number of items it would give
under the *other* active filters (disjunctive counts), each facet one SQL aggregate."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from countries.models import Country
from structures.models import Structure

from . import pagecache
from .filters import canonical_params
from .models import FieldOfWork, IssuingBody, NewsItem, TaggedNewsItem

TAG_OPTIONS = 15
FACET_CACHE_SECONDS = 3600


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


def counts_key(filterset, generation):
    pairs = [pair for pair in canonical_params(filterset) if pair[0] != "sort"]
    digest = hashlib.sha256(urlencode(pairs).encode()).hexdigest()
    return f"facets:{generation}:{digest}"


def facet_counts(filterset):
    """{facet: {option: count}} under the other active filters: five SQL aggregates, kept in
    the shared cache per canonical filter (page and sort do not change them). The cache follows
    the page cache's generation, so any change, or a scheduled item going live, renews them."""
    shared = settings.FACET_CACHE
    if shared:
        generation, seconds_to_go_live = pagecache.generation()
        key = counts_key(filterset, generation)
        cached = cache.get(key)
        if cached is not None:
            return cached
    counts = compute_counts(filterset)
    if shared:
        timeout = FACET_CACHE_SECONDS
        if seconds_to_go_live is not None:
            timeout = min(timeout, seconds_to_go_live)
        if timeout > 0:
            cache.set(key, counts, timeout)
    return counts


def facet_panel_key(filterset):
    """The cache key of the rendered filter panel, or None when there is no shared cache. The
    panel shows the counts and the chosen values, all part of the canonical filter, and the
    sort."""
    if not settings.FACET_CACHE:
        return None
    generation, _seconds_to_go_live = pagecache.generation()
    sort = filterset.form.cleaned_data.get("sort") or ""
    return f"{counts_key(filterset, generation)}:{sort}"  # the panel also shows the sort


def compute_counts(filterset):
    def unfiltered(name):
        # True when no filter but this facet's own is active: its counts are then over every
        # public item.
        data = filterset.form.cleaned_data
        return not any(
            data.get(other) for other in filterset.filters if other not in (name, "sort")
        )

    def public_links(links, item_key, name):
        """The link rows of the items in the listing under every active filter but `name`'s.
        Unfiltered, those are all public items: nearly the whole archive, so the few rows of
        hidden items are left out instead (no join of the link table with 100,000 ids)."""
        if unfiltered(name):
            return links.exclude(**{f"{item_key}__in": NewsItem.objects.not_public().values("pk")})
        others = filterset.queryset_without(name).order_by().values("pk")
        return links.filter(**{f"{item_key}__in": others})

    tag_rows = (
        public_links(TaggedNewsItem.objects.all(), "content_object", "tag")
        .values("tag")
        .annotate(n=Count("content_object"))
        .order_by("-n", "tag__name")
    )
    types = (
        NewsItem.objects.published()
        if unfiltered("type")
        else NewsItem.objects.filter(
            pk__in=filterset.queryset_without("type").order_by().values("pk")
        )
    )
    fields = NewsItem.fields_of_work.through.objects.all()
    countries = NewsItem.countries.through.objects.all()
    return {
        "field": count_by(public_links(fields, "newsitem", "field"), "fieldofwork", "newsitem"),
        "country": count_by(public_links(countries, "newsitem", "country"), "country", "newsitem"),
        "issued_by": count_by(
            public_links(IssuingBody.objects.all(), "news_item", "issued_by"),
            "structure",
            "news_item",
        ),
        "type": count_by(types, "type", "pk"),
        "tag": {row["tag"]: row["n"] for row in tag_rows[:TAG_OPTIONS]},
    }


def result_count(filterset, counts):
    """How many items the listing has: every item has one type, so the type facet's counts,
    taken under all the other filters, add up to it (for the chosen types, if any)."""
    chosen = filterset.form.cleaned_data.get("type") or counts["type"].keys()
    return sum(counts["type"].get(value, 0) for value in chosen)


def build_facets(filterset, counts):
    """All facets for a valid NewsFilter, from `facet_counts`."""
    data = filterset.form.cleaned_data
    chosen = {
        name: {getattr(value, "slug", value) for value in data.get(name) or []}
        for name in ("field", "country", "issued_by", "type", "tag")
    }

    def options(objects, name, label=str):
        return [
            Option(obj.slug, label(obj), counts[name].get(obj.pk, 0), obj.slug in chosen[name])
            for obj in objects
        ]

    tags = Tag.objects.filter(pk__in=counts["tag"]) | Tag.objects.filter(slug__in=chosen["tag"])
    return [
        Facet("field", _("Field of work"), options(FieldOfWork.objects.all(), "field")),
        Facet("country", _("Country"), options(Country.objects.all(), "country")),
        Facet("issued_by", _("Issued by"), options(Structure.objects.all(), "issued_by")),
        Facet(
            "type",
            _("Type"),
            [
                Option(value, str(label), counts["type"].get(value, 0), value in chosen["type"])
                for value, label in NewsItem.Type.choices
            ],
        ),
        Facet(
            "tag",
            _("Tag"),
            sorted(
                options(tags.distinct(), "tag", label=lambda t: t.name),
                key=lambda o: (-o.count, o.label.casefold()),
            ),
        ),
    ]

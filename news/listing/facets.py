"""Facet counts for the news listing: beside each option, the number of items it would give
under the *other* active filters (disjunctive counts), computed in SQL (`compute_counts`) and
kept in the shared cache per canonical filter and language.

The options are named in the page's language (`local_name`, `local_label`); the language facet
names each language in itself ("Русский", "Română") and counts over the public items of every
language, where the other facets count over the listing, in its language view."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from countries.models import Country, group_countries
from languages import registry as languages
from structures.models import Structure

from .. import pagecache
from ..links import LINKS
from ..menus import by_local_name
from ..models import FieldOfWork, NewsItem
from .filters import FACETS, canonical_params
from .summary import issuer_name

# The facets that are columns of the item (the others count link rows, news/links.py).
COLUMNS = ("type", "language")

TAG_OPTIONS = 15
FACET_CACHE_SECONDS = 3600


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool
    lang: str = ""  # the language the label is written in, when not the page's

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
    """Per canonical filter, content language (whose view the counts are taken over; "*" for
    every language) and language of the site's words (the labels of the rendered panel)."""
    pairs = [pair for pair in canonical_params(filterset) if pair[0] != "sort"]
    pairs += [(":content", filterset.content_language or "*"), (":chrome", get_language() or "")]
    digest = hashlib.sha256(urlencode(pairs).encode()).hexdigest()
    return f"facets:{generation}:{digest}"


def facet_counts(filterset):
    """({facet: {option: count}}, the cache key of the rendered filter panel or None).

    The counts are kept in the shared cache per canonical filter (page and sort do not change
    them), under the page cache's generation, so that any change, or a scheduled item going
    live, renews them; the generation is read once for both keys. The panel shows the counts,
    the chosen values and the sort. Without a shared cache there is no panel key."""
    if not settings.FACET_CACHE:
        return compute_counts(filterset), None
    generation, seconds_to_go_live = pagecache.generation()
    key = counts_key(filterset, generation)
    panel_key = f"{key}:{filterset.form.cleaned_data.get('sort') or ''}"
    counts = cache.get(key)
    if counts is None:
        counts = compute_counts(filterset)
        timeout = FACET_CACHE_SECONDS
        if seconds_to_go_live is not None:
            timeout = min(timeout, seconds_to_go_live)
        if timeout > 0:
            cache.set(key, counts, timeout)
    return counts, panel_key


def compute_counts(filterset):
    """{facet: {option: count}}. The facets nobody has chosen from all count over the same set,
    the listing itself: one SQL statement matches it once and counts every such facet over it
    (with search words, matching is most of the cost). A chosen facet counts over the listing
    without its own filter (disjunctive counts): one aggregate each."""
    data = filterset.form.cleaned_data
    filtered = any(data.get(name) for name in filterset.filters if name != "sort")
    counts = {}
    if filtered:
        # In a language view, the language facet counts over more than the listing.
        unchosen = [
            name
            for name in FACETS
            if not data.get(name) and (name != "language" or not filterset.content_language)
        ]
        counts.update(counts_over(filterset.queryset_without(None), unchosen))
    for name in FACETS:
        if name not in counts:
            counts[name] = counts_of_one_facet(filterset, name)
    return counts


def counts_of_one_facet(filterset, name):
    """One facet's counts over the listing under every active filter but its own, in one
    aggregate. With no other filter active that is every public item, nearly the whole archive:
    the few link rows of hidden items (and of items outside the language view) are left out
    instead of joining 100,000 ids."""
    data = filterset.form.cleaned_data
    unfiltered = not any(
        data.get(other) for other in filterset.filters if other not in (name, "sort")
    )
    if name in COLUMNS:
        items = (
            filterset.queryset_without(name)
            if unfiltered
            else NewsItem.objects.filter(
                pk__in=filterset.queryset_without(name).order_by().values("pk")
            )
        )
        return count_by(items.order_by(), name, "pk")
    link = LINKS[name]
    model, item_field, value_field = link.model(NewsItem), link.item, link.value
    if unfiltered:
        hidden = NewsItem.objects.not_public()
        if filterset.content_language:
            hidden |= NewsItem.objects.outside_language_view(filterset.content_language)
        links = model.objects.exclude(**{f"{item_field}__in": hidden.values("pk")})
    else:
        listing = filterset.queryset_without(name).order_by().values("pk")
        links = model.objects.filter(**{f"{item_field}__in": listing})
    if name == "tag":
        rows = (
            links.values("tag")
            .annotate(n=Count(item_field))
            .order_by("-n", "tag__name")[:TAG_OPTIONS]
        )
        return {row["tag"]: row["n"] for row in rows}
    return count_by(links, value_field, item_field)


def counts_over(queryset, names):
    """The counts of the facets `names` over `queryset`, in one statement: the queryset is
    evaluated once, as a materialised common table expression, and each facet is an aggregate
    over it. Only table and column names from the models are formatted into the SQL; every value
    is a parameter of the queryset's own SQL."""
    if not names:
        return {}
    qn = connection.ops.quote_name
    columns = [column for column in COLUMNS if column == "type" or column in names]
    base_sql, params = queryset.order_by().values_list("pk", *columns).query.sql_with_params()
    parts = []
    for name in names:
        if name in COLUMNS:
            parts.append(f"SELECT '{name}', {name}, COUNT(*) FROM listing GROUP BY {name}")
            continue
        table, item, value = (qn(part) for part in LINKS[name].columns(NewsItem))
        joins, group_by = f"INNER JOIN listing ON listing.id = link.{item}", f"link.{value}"
        if name == "tag":  # the most used tags only, the same order as counts_of_one_facet's
            joins += f" INNER JOIN {qn(Tag._meta.db_table)} AS tag ON tag.id = link.{value}"
            group_by += ", tag.name"
        part = (
            f"SELECT '{name}', CAST(link.{value} AS TEXT), COUNT(*) AS n "
            f"FROM {table} AS link {joins} GROUP BY {group_by}"
        )
        if name == "tag":
            part = f"SELECT * FROM ({part} ORDER BY n DESC, tag.name LIMIT {TAG_OPTIONS}) AS tags"
        parts.append(part)
    listing = ", ".join(["id", *columns])
    sql = f"WITH listing ({listing}) AS MATERIALIZED ({base_sql}) " + " UNION ALL ".join(parts)
    counts = {name: {} for name in names}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for name, value, count in cursor.fetchall():
            counts[name][value if name in COLUMNS else int(value)] = count
    return counts


def result_count(filterset, counts):
    """How many items the listing has: every item has one type, so the type facet's counts,
    taken under all the other filters, add up to it (for the chosen types, if any)."""
    chosen = filterset.form.cleaned_data.get("type") or counts["type"].keys()
    return sum(counts["type"].get(value, 0) for value in chosen)


def in_local_order(countries):
    """Countries in the organisation's order on English pages; in another language, each group
    (participating States, then the partners…) in the alphabetical order of its names there,
    as the countries page lists them."""
    return [
        country
        for _status, _heading, members in group_countries(countries)
        for country in by_local_name(members)
    ]


def language_options(counts, chosen):
    """The languages with items under the other filters, or chosen, each named in itself, in
    the configured order: not 25 options of which most would give nothing."""
    return [
        Option(language.code, language.name, counts.get(language.code, 0),
               language.code in chosen, lang=language.code)
        for language in languages.all_languages()
        if counts.get(language.code) or language.code in chosen
    ]  # fmt: skip


def build_facets(filterset, counts):
    """All facets for a valid NewsFilter, from `facet_counts`."""
    data = filterset.form.cleaned_data
    chosen = {
        name: {getattr(value, "slug", value) for value in data.get(name) or []} for name in FACETS
    }

    def options(objects, name, label):
        return [
            Option(obj.slug, label(obj), counts[name].get(obj.pk, 0), obj.slug in chosen[name])
            for obj in objects
        ]

    countries = in_local_order(Country.objects.all())
    tags = Tag.objects.filter(pk__in=counts["tag"]) | Tag.objects.filter(slug__in=chosen["tag"])
    return [
        Facet(
            "field",
            _("Field of work"),
            options(FieldOfWork.objects.all(), "field", lambda field: field.local_name),
        ),
        Facet("country", _("Country"), options(countries, "country", lambda c: c.local_name)),
        Facet(
            "issued_by", _("Issued by"), options(Structure.objects.all(), "issued_by", issuer_name)
        ),
        Facet(
            "type",
            _("Type"),
            [
                Option(value, str(label), counts["type"].get(value, 0), value in chosen["type"])
                for value, label in NewsItem.Type.choices
            ],
        ),
        Facet("language", _("Language"), language_options(counts["language"], chosen["language"])),
        Facet(
            "tag",
            _("Tag"),
            sorted(
                options(tags.distinct(), "tag", label=lambda t: t.name),
                key=lambda o: (-o.count, o.label.casefold()),
            ),
        ),
    ]

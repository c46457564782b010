"""Facet counts for the news listing: beside each option, the number of items it would give
under the *other* active filters (disjunctive counts), computed in SQL (`compute_counts`) or from
the listing index, and kept in the shared cache per canonical filter and language.

The options are named in the page's language (`local_name`, `local_label`); the language facet
names each language in itself ("Русский", "Română") and counts over the public items of every
language, where the other facets count over the listing, in its language view."""

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from countries.models import Country, group_countries
from languages import registry as languages
from structures.models import Structure

from .. import pagecache, taxonomy_cache
from ..links import LINKS
from ..menus import by_local_name, field_tree
from ..models import FieldOfWork, NewsItem
from .filters import FACETS, canonical_params
from .summary import issuer_name

# The facets that are columns of the item (the others count link rows, news/links.py).
COLUMNS = ("type", "language")

TAG_OPTIONS = 15
FAMILIES = "field-families"  # the rows of the families' counts in counts_over's statement
FACET_CACHE_SECONDS = 3600


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool
    lang: str = ""  # the language the label is written in, when not the page's
    # The options of a field's sub-topics, listed under it (their items are counted in its).
    subtopics: list = dataclasses.field(default_factory=list)

    @property
    def disabled(self):
        # An option that would give nothing stays visible, but cannot be chosen.
        return self.count == 0 and not self.selected

    @property
    def with_subtopics(self):
        return [self, *self.subtopics]

    @property
    def chosen_here(self):
        """Whether the option or one of its sub-topics is chosen."""
        return self.selected or any(option.selected for option in self.subtopics)


LONG_FACET = 12


def long_list_order(option):
    # In a long list, what is chosen and what would give results come first; the options that
    # would give nothing stay, disabled, at the end.
    return (not option.chosen_here, option.count == 0)


@dataclass
class Facet:
    """A facet's options: `top_options` as given (a field's sub-topics under it, in its
    `subtopics`), `options` every option, each parent followed by its sub-topics."""

    name: str
    legend: str
    top_options: list

    def __post_init__(self):
        # A sub-topic stays under its parent: the groups are ordered, and each group's members.
        if len(self.flattened()) > LONG_FACET:
            for option in self.top_options:
                option.subtopics.sort(key=long_list_order)
            self.top_options.sort(key=long_list_order)
        self.options = self.flattened()

    def flattened(self):
        return [each for option in self.top_options for each in option.with_subtopics]

    @property
    def is_long(self):
        return len(self.options) > LONG_FACET

    @property
    def selected_count(self):
        return sum(option.selected for option in self.options)


def count_by(queryset, key, item_key):
    return dict(queryset.values_list(key).annotate(n=Count(item_key)).values_list(key, "n"))


def counts_key(filterset):
    """Per canonical filter, content language (whose view the counts are taken over; "*" for
    every language) and language of the site's words (the labels of the rendered panel)."""
    pairs = [pair for pair in canonical_params(filterset) if pair[0] != "sort"]
    pairs += [(":content", filterset.content_language or "*"), (":chrome", get_language() or "")]
    digest = hashlib.sha256(urlencode(pairs).encode()).hexdigest()
    return f"facets:{digest}"


def facet_counts(filterset, listing=None):
    """({facet: {option: count}}, the cache key of the rendered filter panel or None), counted
    from the listing index (`listing`, news/listing/fast.py) when there is one, else in SQL.

    The counts are kept in the shared cache per canonical filter (page and sort do not change
    them), stored with the page cache's generation and read in the same round trip as it, as
    pages are (news/pagecache.py): any change, or a scheduled item going live, renews them. The
    panel shows the counts, the chosen values and the sort; its key holds the generation.
    Without a shared cache, or while it cannot be trusted, or when this request reads a replica
    behind the generation, the counts are made afresh and nothing is kept."""

    def count():
        return listing.counts() if listing is not None else compute_counts(filterset)

    if not settings.FACET_CACHE:
        return FacetCounts(count(), None)
    key = counts_key(filterset)
    current = pagecache.read_state(key)
    if current is None:
        return FacetCounts(count(), None)
    generation, _changed_at, seconds_to_go_live, values = current
    stored = values.get(key)
    if stored is not None and stored["generation"] == generation:
        counts = stored["counts"]
    elif pagecache.behind_generation(generation, values):
        return FacetCounts(count(), None)
    else:
        counts = count()
        timeout = FACET_CACHE_SECONDS
        if seconds_to_go_live is not None:
            timeout = min(timeout, seconds_to_go_live)
        if timeout > 0:
            cache.set(key, {"generation": generation, "counts": counts}, timeout)
    sort = filterset.form.cleaned_data.get("sort") or ""
    return FacetCounts(counts, f"{key}:{generation}:{sort}")


class FacetCounts(NamedTuple):
    counts: dict
    panel_key: str | None  # where the rendered filter panel is cached, if anywhere


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
    if name == "field":
        return field_counts(links, item_field, value_field)
    return count_by(links, value_field, item_field)


def families_join(value):
    """The join that gives each link row of a field in a family (a field with sub-topics, and
    each of them) the family's head, `family.head`: a field's count covers its sub-topics' items,
    as its filter does (NewsItemQuerySet.in_field). One level, as FieldOfWork.clean keeps it.
    `value`: the column of the link rows (alias `link`) that holds the field, quoted as needed."""
    qn = connection.ops.quote_name
    table = qn(FieldOfWork._meta.db_table)
    pk, parent = qn(FieldOfWork._meta.pk.column), qn(FieldOfWork._meta.get_field("parent").column)
    families = (
        f"SELECT {pk} AS member, {parent} AS head FROM {table} WHERE {parent} IS NOT NULL "
        f"UNION SELECT {parent}, {parent} FROM {table} WHERE {parent} IS NOT NULL"
    )
    return f"INNER JOIN ({families}) AS family ON family.member = link.{value}"


def field_counts(links, item_field, value_field):
    """The field facet's counts over the link rows `links`, in one statement: each field's own
    items, then, for a field with sub-topics, the distinct items of the whole family (an item
    on a field and on its sub-topic counts once), which replace its own."""
    rows = links.order_by().values(item=F(item_field), value=F(value_field))
    sql, params = rows.query.sql_with_params()
    statement = (
        f"SELECT 0, link.value, COUNT(*) FROM ({sql}) AS link GROUP BY link.value UNION ALL "
        f"SELECT 1, family.head, COUNT(DISTINCT link.item) FROM ({sql}) AS link "
        f"{families_join('value')} GROUP BY family.head"
    )
    own, families = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(statement, (*params, *params))
        for is_family, field_id, count in cursor.fetchall():
            (families if is_family else own)[field_id] = count
    return own | families


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
        if name == "field":  # and the families' counts (field_counts)
            parts.append(
                f"SELECT '{FAMILIES}', CAST(family.head AS TEXT), COUNT(DISTINCT link.{item}) "
                f"FROM {table} AS link {joins} {families_join(value)} GROUP BY family.head"
            )
    listing = ", ".join(["id", *columns])
    sql = f"WITH listing ({listing}) AS MATERIALIZED ({base_sql}) " + " UNION ALL ".join(parts)
    counts = {name: {} for name in [*names, FAMILIES]}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for name, value, count in cursor.fetchall():
            counts[name][value if name in COLUMNS else int(value)] = count
    families = counts.pop(FAMILIES)
    if "field" in counts:
        counts["field"] |= families
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


@dataclass(frozen=True)
class Entry:
    """A taxonomy value as a facet offers it: its id (the counts' key), slug and label."""

    pk: int
    slug: str
    label: str


def entry(obj, label):
    return Entry(obj.pk, obj.slug, str(label))


def taxonomy_entries(fields, countries, structures):
    """The options of the field, country and body facets, in the page's language and order:
    {"field": [(field, [its sub-topics])], "country": [...], "issued_by": [...]}."""
    return {
        "field": [
            (entry(field, field.local_name), [entry(sub, sub.local_name) for sub in subtopics])
            for field, subtopics in field_tree(fields)
        ],
        "country": [entry(c, c.local_name) for c in in_local_order(countries)],
        "issued_by": [entry(s, issuer_name(s)) for s in structures],
    }


def entries_of(taxonomy):
    """The options made from the taxonomy the process keeps (news/taxonomy_cache.py), once per
    language of its words and of its content, kept with it: made again when it changes. Without
    it (the listing counts in SQL), read for the request."""
    if taxonomy is None:
        return taxonomy_entries(
            FieldOfWork.objects.all(), Country.objects.all(), Structure.objects.all()
        )
    key = ("facet entries", get_language(), languages.current().code)
    entries = taxonomy.derived.get(key)
    if entries is None:
        records = (taxonomy.fields.values(), taxonomy.countries.values())
        entries = taxonomy_entries(*records, taxonomy.structures.values())
        taxonomy.derived[key] = entries
    return entries


def offered_tags(counted, chosen, taxonomy=None):
    """The tags the panel offers: those counted, and those chosen (records of the filter's
    form). From the tags the process keeps with `taxonomy` when there is one."""
    if taxonomy is None:
        return list(Tag.objects.filter(pk__in=[*counted, *(tag.pk for tag in chosen)]))
    kept = taxonomy_cache.tags(NewsItem, taxonomy.version)
    tags = {pk: kept[pk] for pk in counted if pk in kept}
    tags.update((tag.pk, tag) for tag in chosen)
    return list(tags.values())


def build_facets(filterset, counts, taxonomy=None):
    """All facets for a valid NewsFilter, from `facet_counts` (and the taxonomy the process
    keeps, when the listing is answered from its index)."""
    data = filterset.form.cleaned_data
    chosen = {
        name: {getattr(value, "slug", value) for value in data.get(name) or []} for name in FACETS
    }
    entries = entries_of(taxonomy)

    def option(each, name, **extra):
        count = counts[name].get(each.pk, 0)
        return Option(each.slug, each.label, count, each.slug in chosen[name], **extra)

    def options(name):
        return [option(each, name) for each in entries[name]]

    fields = [
        option(field, "field", subtopics=[option(sub, "field") for sub in subtopics])
        for field, subtopics in entries["field"]
    ]
    tags = offered_tags(counts["tag"], data.get("tag") or [], taxonomy)
    return [
        Facet("field", _("Field of work"), fields),
        Facet("country", _("Country"), options("country")),
        Facet("issued_by", _("Issued by"), options("issued_by")),
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
                [option(entry(tag, tag.name), "tag") for tag in tags],
                key=lambda o: (-o.count, o.label.casefold()),
            ),
        ),
    ]

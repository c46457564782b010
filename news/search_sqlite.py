"""Full-text search on SQLite (the `make run` first look), over the FTS5 table of the items'
documents (news/migrations/0024_sqlite_full_text.py): the same words as PostgreSQL's document
(title, lead, the names of the item's issuing bodies, fields of work, countries and tags, the
body's text), stemmed by the Porter stemmer.

A search is read as PostgreSQL's `websearch_to_tsquery` reads it: words (all of them must be
found), "quoted phrases", `-word` or `-"phrase"` to exclude, `or` between alternatives. Each
word or phrase is handed to FTS5 as a quoted string, so that nothing a visitor types is read as
FTS5's own syntax (NEAR, `*`, `^`, column filters, parentheses): a search never fails."""

import html
import re
from dataclasses import dataclass

from django.db.models import F, FloatField, Q
from django.db.models.expressions import RawSQL

TABLE = "news_search_fts"
# A word, a quoted phrase (its closing quote may be missing, as PostgreSQL allows), each with
# an optional leading minus.
TERM = re.compile(r'(-?)(?:"([^"]*)"?|([^\s"]+))')
WORD = re.compile(r"\w+")
# Weights of the columns in the ranking (bm25), in the table's order: title, lead, names,
# body, as PostgreSQL weighs them (A, B, B, C).
WEIGHTS = (10.0, 4.0, 4.0, 1.0)
LEAD, BODY = 1, 3  # the columns snippets are cut from


@dataclass(frozen=True)
class Group:
    """Terms that must all be found (`wanted`) and none of `excluded` (FTS5 strings)."""

    wanted: tuple
    excluded: tuple


def fts_string(text):
    """`text`'s words as one FTS5 string (a phrase when there are several); None without any."""
    words = WORD.findall(text)
    if not words:
        return None
    return '"' + " ".join(words).replace('"', '""') + '"'


def parse(text):
    """The groups of a search, any of which an item may match (`a b or c`: a and b, or c)."""
    groups, wanted, excluded = [], [], []
    for match in TERM.finditer(text):
        minus, phrase, word = match.groups()
        if phrase is None and not minus and word.lower() == "or":
            if wanted or excluded:
                groups.append(Group(tuple(wanted), tuple(excluded)))
            wanted, excluded = [], []
            continue
        term = fts_string(phrase if phrase is not None else word)
        if term is not None:
            (excluded if minus else wanted).append(term)
    if wanted or excluded:
        groups.append(Group(tuple(wanted), tuple(excluded)))
    return groups


def items_matching(expression):
    return RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [expression])


def condition(groups):
    """A Q of the items matching any of `groups`; None when the search has no words."""
    found = None
    for group in groups:
        part = Q()
        if group.wanted:
            part &= Q(pk__in=items_matching(" AND ".join(group.wanted)))
        if group.excluded:
            part &= ~Q(pk__in=items_matching(" OR ".join(group.excluded)))
        found = part if found is None else found | part
    return found


def matching(queryset, text):
    """The items of `queryset` matching the search; none for a search without words, as on
    PostgreSQL (a condition rather than `none()`: the facet counts compile its SQL)."""
    found = condition(parse(text))
    if found is None:
        found = Q(pk__in=RawSQL(f"SELECT rowid FROM {TABLE} WHERE 0", []))
    return queryset.filter(found)


def wanted_terms(text):
    return [term for group in parse(text) for term in group.wanted]


def by_relevance(queryset, text):
    """The best bm25 rank first (FTS5's ranks are negative, lower is better), then newest;
    items matched by exclusions only come after."""
    terms = wanted_terms(text)
    if not terms:
        return queryset.order_by("-published_at", "-pk")
    weights = ", ".join(str(weight) for weight in WEIGHTS)
    table = queryset.model._meta.db_table
    rank = RawSQL(
        f"SELECT bm25({TABLE}, {weights}) FROM {TABLE} "
        f'WHERE {TABLE} MATCH %s AND {TABLE}.rowid = "{table}"."id"',
        [" OR ".join(terms)],
        output_field=FloatField(),
    )
    return queryset.annotate(search_rank=rank).order_by(
        F("search_rank").asc(nulls_last=True), "-published_at", "-pk"
    )


def headlines(cursor, ids, text, start, stop):
    """{item id: its snippet with the matches between `start` and `stop`} for `ids`: from the
    lead, or from the body where the lead holds none of the words."""
    terms = wanted_terms(text)
    if not terms or not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    cut = "%s, %s, ' … ', 24"
    cursor.execute(
        f"SELECT rowid, snippet({TABLE}, {LEAD}, {cut}), snippet({TABLE}, {BODY}, {cut}) "
        f"FROM {TABLE} WHERE {TABLE} MATCH %s AND rowid IN ({placeholders})",
        [start, stop, start, stop, " OR ".join(terms), *ids],
    )
    return {pk: lead if start in lead else body for pk, lead, body in cursor.fetchall()}


TAG = re.compile(r"<[^>]*>")


def html_text(body):
    """The text of sanitised HTML, as PostgreSQL's document reads it (tags as spaces)."""
    if body is None:
        return ""
    return html.unescape(TAG.sub(" ", body))


def add_functions(sender, connection, **kwargs):
    """`news_html_text` on every SQLite connection: the search table's triggers call it."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("news_html_text", 1, html_text, deterministic=True)

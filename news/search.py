"""Full-text search over news items.

On PostgreSQL, items match a `websearch_to_tsquery` query (quoted phrases, `-word`, `or`),
parsed with the text search configuration of the language being read, against their stored,
weighted search document, built in each item's own language (news/migrations/0004_search.py,
0010_search_in_each_language.py, 0013_search_names_and_document.py: the title weighs A, the
lead and the names of the item's bodies, fields and countries B, the body C). Results are ranked
by how many of the query's words the title holds, then how many the lead and names hold, then
the newest first (`rank_key`): a title match always comes above a body match, and the order can
be computed from per-word sets of items alone, which the listing index keeps
(news/listing/words.py) so that no search reads every match from the table. Highlighted
snippets come from `ts_headline`, computed for the rows of one page only.

On SQLite (the `make run` first look) the same searches are made with SQLite's own full-text
engine, FTS5, over a table of the same documents, ranked by FTS5's bm25 with the same weights
(news/search_sqlite.py, news/migrations/0024_sqlite_full_text.py)."""

import html
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import F, Func, IntegerField
from django.utils.html import escape
from django.utils.safestring import mark_safe

from languages import registry as languages

from . import search_sqlite
from .models import NewsItem

# Control characters cannot occur in stored text, so they mark the highlights unambiguously
# until the snippet has been escaped.
START, STOP = "\x02", "\x03"


def full_text():
    return connection.vendor == "postgresql"


def web_query(text):
    """The query as the language being read parses it: "Финляндия" on a Russian page is the
    stem "финлянд", which the Russian document of an item saying "Финляндии" holds."""
    return SearchQuery(text, config=languages.current().search_config, search_type="websearch")


def matching(queryset, text):
    if full_text():
        return queryset.filter(search_document=web_query(text))
    return search_sqlite.matching(queryset, text)


def by_relevance(queryset, text):
    """Newest first where nothing ranks: a search of stop words only."""
    if not full_text():
        return search_sqlite.by_relevance(queryset, text)
    words = parse(languages.current().search_config, text).ranking_words
    if not words:
        return queryset.order_by("-published_at", "-pk")
    return queryset.annotate(
        title_words=WordsHeld(TITLE, words), lead_words=WordsHeld(LEAD, words)
    ).order_by("-title_words", "-lead_words", "-published_at", "-pk")


# The weights of the search document (news/migrations/0013_search_names_and_document.py).
TITLE, LEAD = "a", "b"
# The words of a query that rank its results: the first ones, without those it excludes.
RANKING_WORDS = 8


class WordsHeld(Func):
    """How many of `words` (lexemes, at least one) the search document holds with the weight
    `weight`."""

    output_field = IntegerField()

    def __init__(self, weight, words):
        super().__init__(F("search_document"))
        self.weight, self.words = weight, words

    def as_sql(self, compiler, connection, **extra_context):
        document, params = compiler.compile(self.source_expressions[0])
        held = f'(ts_filter({document}, %s::"char"[]) @@ %s::tsquery)::int'
        sql = " + ".join([held] * len(self.words))
        weights = "{" + self.weight + "}"
        return f"({sql})", [p for word in self.words for p in (*params, weights, quoted(word))]


# -- the query as a tree ------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    lexeme: str


@dataclass(frozen=True)
class Not:
    operand: object


@dataclass(frozen=True)
class And:
    left: object
    right: object


@dataclass(frozen=True)
class Or:
    left: object
    right: object


@dataclass(frozen=True)
class Phrase:
    """Words at given distances (`<->`, `<2>`): PostgreSQL checks the positions."""

    left: object
    right: object
    distance: int


@dataclass(frozen=True)
class Query:
    """A search as PostgreSQL parsed it: `tree` (None when only stop words were given, which
    match nothing) and its text as a tsquery."""

    tree: object
    text: str

    @property
    def ranking_words(self):
        """The distinct words not excluded, in the order given, at most RANKING_WORDS."""
        found = []
        for lexeme in included_words(self.tree):
            if lexeme not in found:
                found.append(lexeme)
        return found[:RANKING_WORDS]


class Unsupported(ValueError):
    """A tsquery with what `websearch_to_tsquery` never writes (prefixes, weights)."""


def parse(config, text):
    """`text` parsed as PostgreSQL parses a search in `config` (one query, no table read)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT websearch_to_tsquery(%s::regconfig, %s)::text", [config, text])
        (tsquery,) = cursor.fetchone()
    return Query(read_tsquery(tsquery), tsquery)


TOKEN = re.compile(r"\s*(?:'((?:[^']|'')*)'(:[*A-Da-d]+)?|(<->|<\d+>)|([!&|()]))")


def tokens(tsquery):
    position = 0
    tsquery = tsquery.rstrip()
    while position < len(tsquery):
        match = TOKEN.match(tsquery, position)
        if match is None:
            raise Unsupported(f"cannot read {tsquery!r} at {position}")
        lexeme, flags, distance, operator = match.groups()
        if flags:
            raise Unsupported(f"prefix or weight in {tsquery!r}")
        if lexeme is not None:
            yield ("word", lexeme.replace("''", "'").replace("\\\\", "\\"))
        elif distance is not None:
            yield ("phrase", 1 if distance == "<->" else int(distance[1:-1]))
        else:
            yield (operator, None)
        position = match.end()


def read_tsquery(tsquery):
    """The tree of a tsquery as PostgreSQL writes it: `!` binds most tightly, then `<->`, then
    `&`, then `|`."""
    stream = list(tokens(tsquery))
    if not stream:
        return None
    position = 0

    def peek():
        return stream[position][0] if position < len(stream) else None

    def take():
        nonlocal position
        position += 1
        return stream[position - 1]

    def either():
        node = both()
        while peek() == "|":
            take()
            node = Or(node, both())
        return node

    def both():
        node = followed()
        while peek() == "&":
            take()
            node = And(node, followed())
        return node

    def followed():
        node = single()
        while peek() == "phrase":
            distance = take()[1]
            node = Phrase(node, single(), distance)
        return node

    def single():
        kind, value = take()
        if kind == "!":
            return Not(single())
        if kind == "(":
            node = either()
            if take()[0] != ")":
                raise Unsupported("unbalanced parentheses")
            return node
        if kind == "word":
            return Word(value)
        raise Unsupported(f"unexpected {kind!r}")

    try:
        tree = either()
    except IndexError as error:
        raise Unsupported(f"{tsquery!r} ends too early") from error
    if position != len(stream):
        raise Unsupported(f"{tsquery!r} has more than one expression")
    return tree


def included_words(node, excluded=False):
    """The lexemes of the tree not under a `!`, left to right."""
    if node is None:
        return
    if isinstance(node, Word):
        if not excluded:
            yield node.lexeme
    elif isinstance(node, Not):
        yield from included_words(node.operand, not excluded)
    else:
        yield from included_words(node.left, excluded)
        yield from included_words(node.right, excluded)


def write_tsquery(node):
    """The tsquery text of a subtree, as PostgreSQL reads it back."""
    if isinstance(node, Word):
        return quoted(node.lexeme)
    if isinstance(node, Not):
        return f"!( {write_tsquery(node.operand)} )"
    if isinstance(node, Phrase):
        operator = "<->" if node.distance == 1 else f"<{node.distance}>"
        return f"( {write_tsquery(node.left)} {operator} {write_tsquery(node.right)} )"
    operator = "&" if isinstance(node, And) else "|"
    return f"( {write_tsquery(node.left)} {operator} {write_tsquery(node.right)} )"


def quoted(lexeme):
    """A lexeme as a tsquery operand: quoted, its quotes and backslashes doubled."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


# Each snippet is cut and highlighted in its item's own language. Written in SQL: the ORM's
# expressions for the same statement took 3 ms a page to compile, as long as PostgreSQL takes
# to write the twenty snippets (bench/README.md, "Search words").
SNIPPETS = """
    SELECT id, ts_headline(
        search_config::regconfig,
        COALESCE(lead, '') || ' … ' || regexp_replace(COALESCE(body, ''), '<[^>]*>', ' ', 'g'),
        websearch_to_tsquery(%s::regconfig, %s),
        %s
    )
    FROM {table} WHERE id = ANY(%s)
"""
SNIPPET_OPTIONS = (
    f"StartSel={START}, StopSel={STOP}, MaxWords=40, MinWords=20, MaxFragments=2, "
    "FragmentDelimiter=' … '"
)


def add_snippets(items, text):
    """Set `item.snippet` (safe HTML with <mark> highlights) on each item of one page."""
    items = list(items)
    if not items:
        return items
    if not full_text():
        with connection.cursor() as cursor:
            ids = [item.pk for item in items]
            headlines = search_sqlite.headlines(cursor, ids, text, START, STOP)
        for item in items:
            item.snippet = highlight(headlines.get(item.pk) or "")
        return items
    table = connection.ops.quote_name(NewsItem._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            SNIPPETS.format(table=table),
            [
                languages.current().search_config,
                text,
                SNIPPET_OPTIONS,
                [item.pk for item in items],
            ],
        )
        headlines = dict(cursor.fetchall())
    for item in items:
        item.snippet = highlight(headlines.get(item.pk) or "")
    return items


def highlight(headline):
    """Escape everything the database returned, then turn the markers into <mark>."""
    if START not in headline:
        return ""
    escaped = escape(html.unescape(headline))
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))

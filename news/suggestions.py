""" "Did you mean …?": for a search that finds little, the same search with its unknown words
replaced by the closest words of the site's own vocabulary (the names of countries, fields of
work, structures with their acronyms and former names, and tags), offered when it finds more.

On PostgreSQL the closest word is the one of greatest trigram similarity (pg_trgm, news/
migrations/0023_search_tags_and_trigrams.py), on SQLite the closest by difflib's ratio; each
reads the vocabulary in one statement, and only for a search with fewer than FEW results."""

import difflib
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection
from django.http import QueryDict
from taggit.models import Tag

from countries.models import Country
from structures.models import FormerName, Structure

from .listing.filters import NewsFilter, canonical_params
from .models import FieldOfWork, NewsItem

FEW = 3  # a search with fewer results than this is offered a correction
SHORTEST = 3  # shorter words are never corrected
SIMILARITY = 0.4  # the least trigram similarity of a correction (PostgreSQL)
CUTOFF = 0.75  # the least difflib ratio of a correction (SQLite)
WORD = re.compile(r"\w+")
OPERATORS = {"or"}  # websearch's own word


@dataclass(frozen=True)
class Suggestion:
    text: str
    query: str  # the listing's canonical query string with the corrected search


def names():
    """Every name of the vocabulary, as one UNION ALL (its SQL and parameters)."""
    sources = [
        Country.objects.values_list("name"),
        FieldOfWork.objects.values_list("name"),
        Structure.objects.values_list("name"),
        Structure.objects.values_list("acronym"),
        Structure.objects.values_list("issuing_label"),
        FormerName.objects.values_list("name"),
        Tag.objects.values_list("name"),
    ]
    union = sources[0].order_by().union(*(each.order_by() for each in sources[1:]), all=True)
    return union.query.sql_with_params()


CLOSEST_SQL = """
WITH names(name) AS ({names}),
vocabulary AS (
    SELECT DISTINCT lower(word) AS word
    FROM names, regexp_split_to_table(names.name, '[^[:alnum:]]+') AS word
    WHERE length(word) >= {shortest}
)
SELECT asked, (
    SELECT word FROM vocabulary WHERE similarity(word, asked) >= %s
    ORDER BY similarity(word, asked) DESC, word LIMIT 1
)
FROM unnest(%s::text[]) AS asked
"""


def closest_words(words):
    """{word: the closest word of the vocabulary, or None}, in one statement."""
    sql, params = names()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                CLOSEST_SQL.format(names=sql, shortest=SHORTEST),
                [*params, SIMILARITY, sorted(words)],
            )
            return dict(cursor.fetchall())
        cursor.execute(sql, params)
        vocabulary = {
            word.lower()
            for (name,) in cursor.fetchall()
            for word in WORD.findall(name or "")
            if len(word) >= SHORTEST
        }
    found = {}
    for word in words:
        if word in vocabulary:
            found[word] = word
        else:
            close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=CUTOFF)
            found[word] = close[0] if close else None
    return found


def corrected(text):
    """`text` with each word that the vocabulary lacks replaced by its closest word; None when
    nothing would change."""
    words = {
        word.lower()
        for word in WORD.findall(text)
        if len(word) >= SHORTEST and not word.isdigit() and word.lower() not in OPERATORS
    }
    if not words:
        return None
    closest = closest_words(words)

    def replace(match):
        word = match.group(0)
        return closest.get(word.lower()) or word

    changed = WORD.sub(replace, text)
    return changed if changed.lower() != text.lower() else None


def suggest(filterset, count):
    """A Suggestion for the search of a valid listing `filterset` that found `count` items,
    when it found fewer than FEW and the corrected search finds more; else None."""
    text = filterset.form.cleaned_data.get("q")
    if not text or count >= FEW:
        return None
    better = corrected(text)
    if better is None:
        return None
    pairs = [(name, value) for name, value in canonical_params(filterset) if name != "q"]
    pairs = sorted([*pairs, ("q", better)], key=lambda pair: pair[0])
    query = urlencode(pairs)
    retried = NewsFilter(
        QueryDict(query),
        queryset=NewsItem.objects.published(),
        content_language=filterset.content_language,
    )
    if not retried.is_valid():
        return None
    found = retried.qs.order_by().values_list("pk", flat=True)[: count + 1]
    if len(found) <= count:
        return None
    return Suggestion(text=better, query=query)

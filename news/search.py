"""Full-text search over news items.

On PostgreSQL, items match a `websearch_to_tsquery` query (quoted phrases, `-word`, `or`),
parsed with the text search configuration of the language being read, against their stored,
weighted search document, built in each item's own language (news/migrations/0004_search.py,
0010_search_in_each_language.py); results are ranked
with `ts_rank` over the matched rows only, and highlighted snippets come from `ts_headline`,
computed for the rows of one page only.

On SQLite (the `make run` first look) every word must appear in the title, lead or body as a
plain substring: no stemming, phrases, exclusion or ranking (relevance falls back to newest
first), and no snippets."""

import html

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Func, Q, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe

from languages import registry as languages

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
    condition = Q()
    for word in text.split():
        condition &= Q(title__icontains=word) | Q(lead__icontains=word) | Q(body__icontains=word)
    return queryset.filter(condition)


def by_relevance(queryset, text):
    if not full_text():
        return queryset.order_by("-published_at", "-pk")
    return queryset.annotate(rank=SearchRank(F("search_document"), web_query(text))).order_by(
        "-rank", "-published_at", "-pk"
    )


def plain_body():
    return Func(
        F("body"),
        Value("<[^>]*>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def add_snippets(items, text):
    """Set `item.snippet` (safe HTML with <mark> highlights) on each item of one page."""
    items = list(items)
    if not items or not full_text():
        return items

    headlines = dict(
        NewsItem.objects.filter(pk__in=[item.pk for item in items])
        .annotate(
            headline=SearchHeadline(
                Concat("lead", Value(" … "), plain_body(), output_field=TextField()),
                web_query(text),
                # Each snippet is cut and highlighted in its item's own language.
                config=F("search_config"),
                start_sel=START,
                stop_sel=STOP,
                max_words=40,
                min_words=20,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        .values_list("pk", "headline")
    )
    for item in items:
        item.snippet = highlight(headlines.get(item.pk, ""))
    return items


def highlight(headline):
    """Escape everything the database returned, then turn the markers into <mark>."""
    if START not in headline:
        return ""
    escaped = escape(html.unescape(headline))
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))

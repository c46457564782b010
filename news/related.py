"""The "Read more on this topic" list: the published items that share most with a given item.

One SQL query. Every link row (field of work, country, issuing body) that another item shares
with this one adds its dimension's weight to that item's score; the best scores come first, the
newest first among equals. The item's own taxonomy ids are read from what `for_article()`
prefetched, so they cost no query.

The candidates are bounded: per shared value, only the most recently added
`CANDIDATES_PER_VALUE` items are scored (read in order from the link tables' value-then-item
indexes, migration 0007). A popular field of work is shared by tens of thousands of items, and
scoring them all made the article page grow with the archive; bounded, it reads at most a few
thousand rows whatever the archive's size (figures in bench/README.md). The best matches of a
recent item are recent items anyway; an old item's list leans to newer ones.

Why raw SQL: the scores are summed over the three link tables first and only the best-scoring
items are then looked up (PostgreSQL sorts the few score groups it needs and stops: an
"incremental sort"). Scoring every candidate item with correlated subqueries, as the ORM would
write it, reads each of the tens of thousands of items that share a popular field of work, at
several times the cost (bench/README.md).
What "published" means still comes from `NewsItem.objects.published()`, compiled into the
query.

Languages: an item's list is read in its own language, as the page it is on. Candidates are
items in that language and in English (the archive's language, which every reader of the site
is offered), never another version of the item itself; among equal scores the item's language
comes first, and of two versions of one story the one in the item's language is kept (read
from twice the rows needed, so that the list stays full however many stories are in both).
"""

import datetime

from django.db import connection
from django.utils import timezone

from languages import registry as languages
from structures.prefetch import records

from .links import LINKS
from .models import NewsItem
from .siblings import by_group, public_versions

RELATED_COUNT = 5
CANDIDATES_PER_VALUE = 300
# A shared topic says most about what an item is about, a shared country next; a shared issuing
# body least (the Secretariat issues news on every topic).
WEIGHTS = {"field": 3, "country": 2, "issued_by": 1}


def link_tables(item):
    """(table, item column, value column, the item's values, weight) for each dimension."""
    values = {
        "field": [field.pk for field in records(item, "fields_of_work")],
        "country": [country.pk for country in records(item, "countries")],
        "issued_by": [body.structure_id for body in records(item, "issuing_bodies")],
    }
    return [
        (*LINKS[facet].columns(NewsItem), values[facet], weight)
        for facet, weight in WEIGHTS.items()
    ]


# A moment that stands for "now" in the compiled condition (`published_condition`).
STAND_IN = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
_compiled = {}  # {database vendor: (SQL, parameters, the position of the moment)}


def published_condition():
    """The WHERE clause of `NewsItem.objects.published()`, as SQL and parameters. Compiled once
    a process, at a stand-in moment that each call replaces with now (compiling it was 4% of an
    article's time, by sampling)."""
    vendor = connection.vendor
    if vendor not in _compiled:
        query = NewsItem.objects.published(at=STAND_IN).query
        sql, params = query.get_compiler(connection=connection).compile(query.where)
        moment = list(params).index(connection.ops.adapt_datetimefield_value(STAND_IN))
        _compiled[vendor] = (sql, tuple(params), moment)
    sql, params, moment = _compiled[vendor]
    params = list(params)
    params[moment] = connection.ops.adapt_datetimefield_value(timezone.now())
    return sql, params


def one_version_per_story(rows, language):
    """The rows, best first, with one item per translation group: the one in `language` if it
    is among them, in the place of the group's best."""
    kept = {}  # in the order the groups first appear
    for row in rows:
        best = kept.setdefault(row.translation_key, row)
        if row.language == language and best.language != language:
            kept[row.translation_key] = row
    return list(kept.values())


def related_items(item, count=RELATED_COUNT):
    """The `count` published items most related to `item`, best first; never `item` itself nor
    one of its translations. In `item`'s language or in English, see above. Each has a `score`
    attribute."""
    return read_related(item, count, with_versions=False)[0]


def related_items_and_versions(item, count=RELATED_COUNT):
    """(`related_items(item, count)`, the public items of `item`'s translation group, its own
    included if public): what an article page shows, in one statement."""
    return read_related(item, count, with_versions=True)


def read_related(item, count, with_versions):
    """(related items, the group's public items or None): the group's items are read in the
    same statement as the related ones, when asked for."""
    qn = connection.ops.quote_name
    shared_parts, params = [], []
    for table, item_column, value_column, ids, weight in link_tables(item):
        for value in ids:
            # Each part in its own parenthesised subquery, so that its ORDER BY and LIMIT hold
            # (on SQLite as well as PostgreSQL).
            shared_parts.append(
                f"SELECT * FROM (SELECT {qn(item_column)} AS news_item_id, {int(weight)} AS weight "
                f"FROM {qn(table)} WHERE {qn(value_column)} = %s "
                f"ORDER BY {qn(item_column)} DESC LIMIT %s) AS part"
            )
            params += [value, CANDIDATES_PER_VALUE]
    if not shared_parts:
        if not with_versions:
            return [], None
        return [], public_versions([item]).get(item.translation_key, [])
    news = qn(NewsItem._meta.db_table)
    published_sql, published_params = published_condition()
    # Only table and column names taken from the models are formatted into the SQL; every value
    # is a parameter.
    key_field = NewsItem._meta.get_field("translation_key")
    own_group = key_field.get_db_prep_value(item.translation_key, connection)
    columns = ", ".join(
        f"{news}.{qn(column)}"
        for column in ("id", "title", "slug", "language", "type", "published_at", "translation_key")
    )
    # The related items are part 0; the group's versions, if asked for, part 1.
    order = "score DESC, language_rank, published_at DESC, id DESC"
    sql = f"""
        WITH shared AS ({" UNION ALL ".join(shared_parts)}),
        scores AS (
            SELECT news_item_id, SUM(weight) AS score FROM shared
            GROUP BY news_item_id ORDER BY score DESC
        ),
        best AS (
            SELECT {columns}, scores.score,
                CASE WHEN {news}.language = %s THEN 0 ELSE 1 END AS language_rank, 0 AS part
            FROM scores INNER JOIN {news} ON {news}.id = scores.news_item_id
            WHERE {news}.translation_key <> %s AND {news}.language IN (%s, %s)
                AND {published_sql}
            ORDER BY {order}
            LIMIT %s
        )
        SELECT * FROM best
    """
    language = item.language
    # In English alone no row is left out below: a group has one item in each language.
    limit = count if language == languages.DEFAULT else 2 * count
    params += [language, own_group, language, languages.DEFAULT, *published_params, limit]
    if with_versions:
        sql += f"""
            UNION ALL SELECT {columns}, NULL, NULL, 1 FROM {news}
            WHERE {news}.translation_key = %s AND {published_sql}
        """
        params += [own_group, *published_params]
    rows = list(NewsItem.objects.raw(f"{sql} ORDER BY part, {order}", params))
    related = one_version_per_story([row for row in rows if row.part == 0], language)[:count]
    if not with_versions:
        return related, None
    versions = by_group(row for row in rows if row.part == 1)
    return related, versions.get(item.translation_key, [])

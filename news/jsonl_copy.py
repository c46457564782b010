"""New items stored with PostgreSQL's COPY: the fast path of `create_all` (news/jsonl_store.py)
for an import or a generated corpus, where Django's bulk INSERT spends more time building its
statement than the database spends storing it.

The items take ids drawn from their sequence beforehand, so that their links can go in by COPY
too. The items go through a temporary table: from there one INSERT computes each search document
from the item's texts and the names of its issuing bodies, fields and countries, which this
module writes (`search_names`, the text of the database's `news_search_names`, migration 0013),
where looking the names up in the database, row by row, cost twice the rest of the document."""

from django.db import connection, models
from django.db.models.functions import Lower
from django.utils import timezone
from taggit.models import Tag

from .models import IssuingBody, NewsItem, TaggedNewsItem

# The items' own columns, but the search document, which their trigger computes.
ITEM_FIELDS = [field for field in NewsItem._meta.concrete_fields if field.name != "search_document"]


def quoted(name):
    return connection.ops.quote_name(name)


def copy_rows(cursor, table, columns, rows):
    """COPY `rows` (tuples of Python values, in the order of `columns`) into `table` (names as
    they go into SQL)."""
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def copy_links(cursor, model, fields, rows):
    """`copy_rows` into the link table of `model`, by its fields."""
    columns = [quoted(field.column) for field in fields]
    copy_rows(cursor, quoted(model._meta.db_table), columns, rows)


def draw_ids(cursor, model, count):
    """`count` ids from the sequence of `model`'s primary key, in one statement."""
    table, column = model._meta.db_table, model._meta.pk.column
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [table, column, count],
    )
    return [row[0] for row in cursor.fetchall()]


# The columns whose Python value is not what PostgreSQL takes (JSON, the photo's file): only
# these go through Django's conversion, which costs more than the COPY of the row itself.
CONVERTED = {
    field.attname for field in ITEM_FIELDS if isinstance(field, models.JSONField | models.FileField)
}


def item_row(item, now):
    """The item's columns as COPY takes them (what save() would have written)."""
    item.created_at = item.updated_at = now
    values = item.__dict__
    return tuple(
        field.get_db_prep_save(values[field.attname], connection)
        if field.attname in CONVERTED
        else values[field.attname]
        for field in ITEM_FIELDS
    )


def joined(*parts):
    """SQL's concat_ws(' ', …): the parts that are not NULL (empty ones too), by spaces."""
    return " ".join(part for part in parts if part is not None)


def aggregated(parts):
    """SQL's string_agg(…, ' '): NULL for no rows."""
    return " ".join(parts) if parts else None


def translated(entry, language, key):
    """`entry.translations -> language ->> key`."""
    names = entry.translations.get(language) if isinstance(entry.translations, dict) else None
    value = names.get(key) if isinstance(names, dict) else None
    return None if value is None else str(value)


def structure_names(structure, language):
    former = sorted(structure.former_names.all(), key=lambda f: f.pk)
    return joined(
        structure.issuing_label,
        structure.name,
        structure.acronym,
        translated(structure, language, "issuing_label"),
        translated(structure, language, "name"),
        aggregated([joined(f.name, translated(f, language, "name")) for f in former]),
    )


def search_names(line, cache):
    """The text of `news_search_names(item, language)` for the item of a parsed line: its issuing
    bodies in order, then its fields of work and countries by id, each with its names in the
    item's language, then its tags. `cache` keeps each entry's part per language for the run."""

    def names(kind, entry, make):
        key = (kind, entry.pk, line.language)
        if key not in cache:
            cache[key] = make(entry)
        return cache[key]

    language = line.language
    return joined(
        aggregated(
            [names("s", s, lambda e: structure_names(e, language)) for s in line.structures]
        ),
        aggregated(
            [
                names("f", f, lambda e: joined(e.name, translated(e, language, "name")))
                for f in sorted(line.fields, key=lambda f: f.pk)
            ]
        ),
        aggregated(
            [
                names("c", c, lambda e: joined(e.name, translated(e, language, "name")))
                for c in sorted(line.countries, key=lambda c: c.pk)
            ]
        ),
        aggregated(tag_names(line.tags)),
    )


def tag_names(names):
    """A line's tags as the database lists them: one per tag (names differing in case only are
    one tag), in the order of their names in lower case."""
    distinct = {}
    for name in names:
        distinct.setdefault(name.casefold(), name)
    return sorted(distinct.values(), key=lambda name: (name.lower(), name))


# Qualified, as the run's other temporary tables are (news/import_ledger.py).
STAGING = "pg_temp.news_import_staging"


def stage_and_insert(cursor, items, parsed_lines, names_cache):
    """COPY the items, with their names, into a temporary table, and INSERT them from there with
    their search documents (the trigger waits: `news.defer_search`)."""
    columns = [quoted(field.column) for field in ITEM_FIELDS]
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING} AS "
        f"SELECT {', '.join(columns)}, ''::text AS search_names "
        f"FROM {quoted(NewsItem._meta.db_table)} WITH NO DATA"
    )
    now = timezone.now()
    # Made before the COPY starts: a name not read yet (a structure's former names) is a query,
    # which the connection cannot send in the middle of a COPY.
    rows = [
        (*item_row(item, now), search_names(line, names_cache))
        for item, line in zip(items, parsed_lines, strict=True)
    ]
    copy_rows(cursor, STAGING, [*columns, "search_names"], rows)
    listed = ", ".join(columns)
    cursor.execute(
        f"INSERT INTO {quoted(NewsItem._meta.db_table)} ({listed}, search_document) "
        f"SELECT {listed}, news_search_document_of(title, lead, body, "
        f"search_config::regconfig, search_names) FROM {STAGING}"
    )
    cursor.execute(f"TRUNCATE {STAGING}")


def copy_all(items, parsed_lines, translations, tag_ids, names_cache=None):
    """Store `items` (unsaved NewsItems, each the item of its line in `parsed_lines`) and their
    links, inside the caller's transaction. `translations`: (translation, source) pairs whose
    sources are among `items` or stored; `tag_ids`: a {tag name: id} the caller keeps across
    calls (tags are few, items many), filled here with the tags it lacks."""
    # psycopg's own cursor, for COPY; its errors raised as Django's, as the ORM's are.
    with connection.cursor() as wrapper, connection.wrap_database_errors:
        cursor = wrapper.cursor
        for item, item_id in zip(items, draw_ids(cursor, NewsItem, len(items)), strict=True):
            item.pk = item_id
        for item, source in translations:
            item.translated_from_id = source.pk
        pairs = list(zip(items, parsed_lines, strict=True))
        # The search triggers wait: the links' would refresh the documents of items not there
        # yet, the items' would look their names up again.
        cursor.execute("SELECT set_config('news.defer_search', 'on', true)")
        issuing = [IssuingBody._meta.get_field(n) for n in ("news_item", "structure", "position")]
        copy_links(
            cursor,
            IssuingBody,
            issuing,
            (
                (item.pk, structure.pk, position)
                for item, line in pairs
                for position, structure in enumerate(line.structures)
            ),
        )
        for relation, values in (("fields_of_work", "fields"), ("countries", "countries")):
            through = NewsItem._meta.get_field(relation).remote_field.through
            item_column, value_column = through._meta.concrete_fields[1:3]
            copy_links(
                cursor,
                through,
                [item_column, value_column],
                ((item.pk, value.pk) for item, line in pairs for value in getattr(line, values)),
            )
        add_tags({name for line in parsed_lines for name in line.tags}, tag_ids)
        tagged = TaggedNewsItem._meta
        copy_links(
            cursor,
            TaggedNewsItem,
            [tagged.get_field("content_object"), tagged.get_field("tag")],
            (
                (item.pk, tag_id)
                for item, line in pairs
                for tag_id in {tag_ids[name.casefold()] for name in line.tags}
            ),
        )
        stage_and_insert(cursor, items, parsed_lines, {} if names_cache is None else names_cache)
        cursor.execute("SELECT set_config('news.defer_search', 'off', true)")
    return items


def add_tags(names, tag_ids):
    """Ids for tag `names` into `tag_ids` (keyed by the name in lower case: tags are compared
    without case, as `create_all` always did), creating the tags no item has had."""
    wanted = {name.casefold(): name for name in names if name.casefold() not in tag_ids}
    if not wanted:
        return
    found = Tag.objects.annotate(key=Lower("name")).filter(key__in=list(wanted)).order_by("pk")
    for key, tag_id in found.values_list("key", "pk"):
        tag_ids.setdefault(key, tag_id)
    for key, name in wanted.items():
        if key not in tag_ids:
            tag_ids[key] = Tag.objects.create(name=name).pk

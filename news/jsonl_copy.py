"""New items stored with PostgreSQL's COPY: the fast path of `create_all` (news/jsonl_store.py)
for an import or a generated corpus, where Django's bulk INSERT spends more time building its
statement than the database spends storing it.

The links go in first. Django's foreign keys on PostgreSQL are DEFERRABLE INITIALLY DEFERRED,
so rows that point to items not stored yet are checked at the end of the transaction; the items
then take ids drawn from their sequence beforehand, and their search trigger (migration 0010)
finds every issuing body, field and country already there: each document is computed once, in
the row's INSERT, where inserting and then refreshing it wrote every row twice."""

from django.db import connection, models
from django.db.models.functions import Lower
from django.utils import timezone
from taggit.models import Tag

from .models import IssuingBody, NewsItem, TaggedNewsItem

# The items' own columns, but the search document, which their trigger computes.
ITEM_FIELDS = [field for field in NewsItem._meta.concrete_fields if field.name != "search_document"]


def quoted(name):
    return connection.ops.quote_name(name)


def copy_rows(cursor, model, fields, rows):
    """COPY `rows` (tuples of Python values, in the order of `fields`) into `model`'s table."""
    columns = ", ".join(quoted(field.column) for field in fields)
    with cursor.copy(f"COPY {quoted(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


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


def copy_all(items, parsed_lines, translations, tag_ids):
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
        # The links' own triggers would refresh the documents of items not there yet.
        cursor.execute("SELECT set_config('news.defer_search', 'on', true)")
        issuing = [IssuingBody._meta.get_field(n) for n in ("news_item", "structure", "position")]
        copy_rows(
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
            copy_rows(
                cursor,
                through,
                [item_column, value_column],
                ((item.pk, value.pk) for item, line in pairs for value in getattr(line, values)),
            )
        add_tags({name for line in parsed_lines for name in line.tags}, tag_ids)
        tagged = TaggedNewsItem._meta
        copy_rows(
            cursor,
            TaggedNewsItem,
            [tagged.get_field("content_object"), tagged.get_field("tag")],
            (
                (item.pk, tag_id)
                for item, line in pairs
                for tag_id in {tag_ids[name.casefold()] for name in line.tags}
            ),
        )
        cursor.execute("SELECT set_config('news.defer_search', 'off', true)")
        now = timezone.now()
        copy_rows(cursor, NewsItem, ITEM_FIELDS, (item_row(item, now) for item in items))
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

"""Full-text search on SQLite (the `make run` first look), with SQLite's own engine, FTS5: a
table of each item's document in four columns (title, lead, the names of its issuing bodies with
their former names, fields of work, countries and tags, and the text of its body), as
PostgreSQL's search document holds them (0013, 0023), stemmed by the Porter stemmer over the
unicode61 tokenizer, accents aside. Triggers keep it current as PostgreSQL's keep its document:
an item written, a link added or removed, a name changed. `news_search_source` is the document
of each item, defined once; `news_html_text` (news/search_sqlite.py, on every SQLite connection
Django opens) is the text of the body without its tags, as PostgreSQL's `regexp_replace`.

PostgreSQL keeps its tsvector document: nothing here runs there."""

from django.db import migrations

TOKENIZER = "porter unicode61 remove_diacritics 2"


def translated(alias, key):
    return f"""coalesce(json_extract({alias}.translations, '$."' || n.language || '".{key}'), '')"""


SOURCE = f"""
CREATE VIEW news_search_source AS
SELECT n.id AS id, coalesce(n.title, '') AS title, coalesce(n.lead, '') AS lead,
    coalesce((SELECT group_concat(
                coalesce(s.issuing_label, '') || ' ' || s.name || ' ' || coalesce(s.acronym, '') || ' '
                || {translated("s", "issuing_label")} || ' ' || {translated("s", "name")} || ' '
                || coalesce((SELECT group_concat(f.name || ' ' || {translated("f", "name")}, ' ')
                             FROM structures_formername f WHERE f.structure_id = s.id), ''),
                ' ')
              FROM news_issuingbody ib JOIN structures_structure s ON s.id = ib.structure_id
              WHERE ib.news_item_id = n.id), '')
    || ' ' || coalesce((SELECT group_concat(w.name || ' ' || {translated("w", "name")}, ' ')
                        FROM news_newsitem_fields_of_work x
                        JOIN news_fieldofwork w ON w.id = x.fieldofwork_id
                        WHERE x.newsitem_id = n.id), '')
    || ' ' || coalesce((SELECT group_concat(c.name || ' ' || {translated("c", "name")}, ' ')
                        FROM news_newsitem_countries y
                        JOIN countries_country c ON c.id = y.country_id
                        WHERE y.newsitem_id = n.id), '')
    || ' ' || coalesce((SELECT group_concat(t.name, ' ')
                        FROM news_taggednewsitem z JOIN taggit_tag t ON t.id = z.tag_id
                        WHERE z.content_object_id = n.id), '') AS names,
    news_html_text(n.body) AS body
FROM news_newsitem n
"""


def refresh(items):
    """The statements that write again the documents of the items `items` (SQL) selects."""
    return f"""
    DELETE FROM news_search_fts WHERE rowid IN ({items});
    INSERT INTO news_search_fts (rowid, title, lead, names, body)
        SELECT id, title, lead, names, body FROM news_search_source WHERE id IN ({items});"""


def trigger(name, event, items):
    return f"""
CREATE TRIGGER {name} AFTER {event} FOR EACH ROW BEGIN{refresh(items)}
END"""


# (table, the column naming the news item) of each link table.
LINK_TABLES = [
    ("news_issuingbody", "news_item_id"),
    ("news_newsitem_fields_of_work", "newsitem_id"),
    ("news_newsitem_countries", "newsitem_id"),
    ("news_taggednewsitem", "content_object_id"),
]

TRIGGERS = [
    trigger("news_newsitem_fts_insert", "INSERT ON news_newsitem", "NEW.id"),
    trigger(
        "news_newsitem_fts_update",
        "UPDATE OF title, lead, body, language ON news_newsitem",
        "NEW.id, OLD.id",
    ),
    """
CREATE TRIGGER news_newsitem_fts_delete AFTER DELETE ON news_newsitem FOR EACH ROW BEGIN
    DELETE FROM news_search_fts WHERE rowid = OLD.id;
END""",
    *(
        trigger(f"{table}_fts_{event.split()[0].lower()}", f"{event} ON {table}", items)
        for table, column in LINK_TABLES
        for event, items in (
            ("INSERT", f"NEW.{column}"),
            ("UPDATE", f"NEW.{column}, OLD.{column}"),
            ("DELETE", f"OLD.{column}"),
        )
    ),
    trigger(
        "structures_structure_fts",
        "UPDATE OF name, issuing_label, acronym, translations ON structures_structure",
        "SELECT news_item_id FROM news_issuingbody WHERE structure_id = NEW.id",
    ),
    *(
        trigger(
            f"structures_formername_fts_{event.lower()}",
            f"{event} ON structures_formername",
            f"SELECT news_item_id FROM news_issuingbody WHERE structure_id IN ({structures})",
        )
        for event, structures in (
            ("INSERT", "NEW.structure_id"),
            ("UPDATE", "NEW.structure_id, OLD.structure_id"),
            ("DELETE", "OLD.structure_id"),
        )
    ),
    trigger(
        "news_fieldofwork_fts",
        "UPDATE OF name, translations ON news_fieldofwork",
        "SELECT newsitem_id FROM news_newsitem_fields_of_work WHERE fieldofwork_id = NEW.id",
    ),
    trigger(
        "countries_country_fts",
        "UPDATE OF name, translations ON countries_country",
        "SELECT newsitem_id FROM news_newsitem_countries WHERE country_id = NEW.id",
    ),
    trigger(
        "taggit_tag_fts",
        "UPDATE OF name ON taggit_tag",
        "SELECT content_object_id FROM news_taggednewsitem WHERE tag_id = NEW.id",
    ),
]

FORWARD = [
    "CREATE VIRTUAL TABLE news_search_fts USING fts5("
    f"title, lead, names, body, tokenize = '{TOKENIZER}')",
    SOURCE,
    *TRIGGERS,
    "INSERT INTO news_search_fts (rowid, title, lead, names, body) "
    "SELECT id, title, lead, names, body FROM news_search_source",
]


def trigger_names():
    return [text.split()[2] for text in TRIGGERS]


BACKWARD = [
    *(f"DROP TRIGGER {name}" for name in trigger_names()),
    "DROP VIEW news_search_source",
    "DROP TABLE news_search_fts",
]


def on_sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    # After every change of the tables its view reads: SQLite remakes a table to alter it, and a
    # view over a table being remade stops the migration (see news_search_source).
    dependencies = [
        ("news", "0023_search_tags_and_trigrams"),
        ("structures", "0005_structure_press_contact"),
    ]

    operations = [
        migrations.RunPython(on_sqlite(FORWARD), on_sqlite(BACKWARD)),
    ]

"""Bulk loads (a generated corpus, a large import) may defer the search documents: with the
transaction setting `news.defer_search` on, the triggers of 0004 leave the documents alone and
the loader computes each new item's document once, at the end (news.jsonl.create_all). Otherwise
an item's document is computed for the item and again for each of its three kinds of links."""

from django.db import migrations

LINK_TABLES = [
    ("news_issuingbody", "news_item_id"),
    ("news_newsitem_fields_of_work", "newsitem_id"),
    ("news_newsitem_countries", "newsitem_id"),
]
DEFERRED = "coalesce(current_setting('news.defer_search', true), '') = 'on'"


def functions(guard):
    # Without the guard (the reverse) the functions are written exactly as 0004 wrote them,
    # with no blank line where the guard was: migrating back gives 0004's schema
    # (tests/test_migrations.py).
    check_item = f"\n    IF {DEFERRED} THEN RETURN NEW; END IF;" if guard else ""
    check_links = f"\n    IF {DEFERRED} THEN RETURN NULL; END IF;" if guard else ""
    text = f"""
CREATE OR REPLACE FUNCTION news_newsitem_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN{check_item}
    NEW.search_document := news_search_document(NEW.id, NEW.title, NEW.lead, NEW.body);
    RETURN NEW;
END $$;
"""
    for table, column in LINK_TABLES:
        for suffix, rows in (("added", "added"), ("removed", "removed")):
            text += f"""
CREATE OR REPLACE FUNCTION {table}_search_{suffix}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{check_links}
    PERFORM news_refresh_search_documents(ARRAY(SELECT DISTINCT {column} FROM {rows}));
    RETURN NULL;
END $$;
"""
    return text


def on_postgresql(text):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(text)

    return run


class Migration(migrations.Migration):
    dependencies = [("news", "0004_search")]

    operations = [
        migrations.RunPython(on_postgresql(functions(True)), on_postgresql(functions(False))),
    ]

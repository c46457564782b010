"""The search document on PostgreSQL holds the names of the item's tags too, after its issuing
bodies, fields of work and countries (in the order of their names, case aside: the importer
writes the same text, news/jsonl_copy.py `search_names`): a search for a tag's name finds the
items the tag filter holds. Tagging, untagging and renaming a tag refresh the documents that
hold it, as the other links and names do (0004, 0005).

And the trigram extension (pg_trgm), whose `similarity` proposes a corrected search from the
site's own vocabulary when a search finds little (news/suggestions.py)."""

from importlib import import_module

from django.db import migrations

NAMES = import_module("news.migrations.0013_search_names_and_document")
DEFERRED = import_module("news.migrations.0005_deferred_search").DEFERRED


def names_function(with_tags):
    start = NAMES.FORWARD.index("CREATE FUNCTION news_search_names(")
    end = NAMES.FORWARD.index("$$;", start) + len("$$;")
    text = NAMES.FORWARD[start:end].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    if not with_tags:
        return text
    countries_end = text.rindex("WHERE y.newsitem_id = item_id)") + len(
        "WHERE y.newsitem_id = item_id)"
    )
    tags = """,
    (SELECT string_agg(t.name, ' ' ORDER BY lower(t.name) COLLATE "C", t.id)
     FROM news_taggednewsitem z
     JOIN taggit_tag t ON t.id = z.tag_id WHERE z.content_object_id = item_id)"""
    return text[:countries_end] + tags + text[countries_end:]


REFRESH_TAGGED = """
SELECT news_refresh_search_documents(ARRAY(SELECT DISTINCT content_object_id
                                           FROM news_taggednewsitem));
"""

TAG_TRIGGERS = f"""
CREATE FUNCTION news_taggednewsitem_search_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {DEFERRED} THEN RETURN NULL; END IF;
    PERFORM news_refresh_search_documents(ARRAY(SELECT DISTINCT content_object_id FROM added));
    RETURN NULL;
END $$;
CREATE FUNCTION news_taggednewsitem_search_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {DEFERRED} THEN RETURN NULL; END IF;
    PERFORM news_refresh_search_documents(ARRAY(SELECT DISTINCT content_object_id FROM removed));
    RETURN NULL;
END $$;
CREATE TRIGGER news_taggednewsitem_search_insert AFTER INSERT ON news_taggednewsitem
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION news_taggednewsitem_search_added();
CREATE TRIGGER news_taggednewsitem_search_delete AFTER DELETE ON news_taggednewsitem
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
    EXECUTE FUNCTION news_taggednewsitem_search_removed();

CREATE FUNCTION taggit_tag_search_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM news_refresh_search_documents(ARRAY(
        SELECT content_object_id FROM news_taggednewsitem WHERE tag_id = NEW.id));
    RETURN NULL;
END $$;
CREATE TRIGGER taggit_tag_search AFTER UPDATE OF name ON taggit_tag
FOR EACH ROW EXECUTE FUNCTION taggit_tag_search_renamed();
"""

FORWARD = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"
    + names_function(True)
    + TAG_TRIGGERS
    + REFRESH_TAGGED
)

BACKWARD = (
    """
DROP TRIGGER taggit_tag_search ON taggit_tag;
DROP FUNCTION taggit_tag_search_renamed();
DROP TRIGGER news_taggednewsitem_search_insert ON news_taggednewsitem;
DROP TRIGGER news_taggednewsitem_search_delete ON news_taggednewsitem;
DROP FUNCTION news_taggednewsitem_search_added();
DROP FUNCTION news_taggednewsitem_search_removed();
"""
    + names_function(False)
    + REFRESH_TAGGED
    + "DROP EXTENSION IF EXISTS pg_trgm;\n"
)


def on_postgresql(text):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(text)

    return run


class Migration(migrations.Migration):
    dependencies = [("news", "0022_submitted_and_time_zone")]

    operations = [
        migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD)),
    ]

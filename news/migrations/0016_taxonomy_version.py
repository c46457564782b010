"""A counter of changes to the taxonomy every page names (fields of work, countries, structures
and their former names), kept by PostgreSQL triggers in one row, so that a process may keep
those records and know, in the same statement that reads a page's links, whether they are still
current (news/taxonomy_cache.py). The row is updated inside the changing transaction: a reader
sees the new count exactly when it can see the change.

PostgreSQL only: on SQLite (the first look) pages prefetch their links as Django does."""

from django.db import migrations

TABLES = (
    "news_fieldofwork",
    "countries_country",
    "structures_structure",
    "structures_formername",
)

FORWARD = r"""
CREATE TABLE news_taxonomyversion (id integer PRIMARY KEY, version bigint NOT NULL);
INSERT INTO news_taxonomyversion VALUES (1, 1);

CREATE FUNCTION news_taxonomy_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE news_taxonomyversion SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;
""" + "\n".join(
    f"CREATE TRIGGER {table}_taxonomy_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION news_taxonomy_changed();"
    for table in TABLES
)

BACKWARD = "\n".join(
    f"DROP TRIGGER IF EXISTS {table}_taxonomy_version ON {table};" for table in TABLES
) + """
DROP FUNCTION IF EXISTS news_taxonomy_changed();
DROP TABLE IF EXISTS news_taxonomyversion;
"""


def on_postgresql(text):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(text)

    return run


class Migration(migrations.Migration):
    dependencies = [("news", "0015_item_change_feed")]

    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]

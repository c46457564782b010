"""The editor's desk answered from indexes at a million items (news/desk.py; bench/README.md,
"Desk at 1,000,000 items").

- A person's drafts: the drafts they created, and those they saved last, each a partial index
  of drafts only (an editor's published archive is not read to count their drafts).
- Translations whose source changed: each translation carries its source's version as it
  stands (`source_version_now`), kept by the database itself on every write path (admin,
  import, bulk updates, raw SQL), so that "the source was saved since" is a comparison within
  the row, with a partial index of the few rows where it holds. Comparing each translation with
  its source's row read every translation: 2 s for a manager's desk at a million items.
  - before a translation is written (added, its source changed, or any save that writes the
    column), the column is read afresh from the source, so a stale value a save carries is
    never kept;
  - after an item's version changes, its translations are given the new version.
  On SQLite (the `make run` first look) the same rules, as SQLite's triggers write them."""

from django.conf import settings
from django.db import migrations, models

POSTGRESQL_FORWARD = """
CREATE FUNCTION news_source_version_now() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.source_version_now := (
        SELECT version FROM news_newsitem WHERE id = NEW.translated_from_id
    );
    RETURN NEW;
END $$;
CREATE TRIGGER news_newsitem_source_version_now
BEFORE INSERT OR UPDATE OF translated_from_id, source_version_now ON news_newsitem
FOR EACH ROW EXECUTE FUNCTION news_source_version_now();

CREATE FUNCTION news_source_saved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE news_newsitem SET source_version_now = NEW.version
    WHERE translated_from_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER news_newsitem_source_saved
AFTER UPDATE OF version ON news_newsitem
FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version)
EXECUTE FUNCTION news_source_saved();
"""
POSTGRESQL_BACKWARD = """
DROP TRIGGER news_newsitem_source_saved ON news_newsitem;
DROP FUNCTION news_source_saved();
DROP TRIGGER news_newsitem_source_version_now ON news_newsitem;
DROP FUNCTION news_source_version_now();
"""
# SQLite's triggers cannot set NEW: each writes the row again (its recursive triggers are off,
# so these writes start no trigger of their own).
SQLITE_FORWARD = [
    """CREATE TRIGGER news_newsitem_source_version_added AFTER INSERT ON news_newsitem
    WHEN NEW.translated_from_id IS NOT NULL BEGIN
        UPDATE news_newsitem SET source_version_now = (
            SELECT version FROM news_newsitem WHERE id = NEW.translated_from_id
        ) WHERE id = NEW.id;
    END""",
    """CREATE TRIGGER news_newsitem_source_version_now
    AFTER UPDATE OF translated_from_id, source_version_now ON news_newsitem BEGIN
        UPDATE news_newsitem SET source_version_now = (
            SELECT version FROM news_newsitem WHERE id = NEW.translated_from_id
        ) WHERE id = NEW.id;
    END""",
    """CREATE TRIGGER news_newsitem_source_saved AFTER UPDATE OF version ON news_newsitem
    WHEN OLD.version IS NOT NEW.version BEGIN
        UPDATE news_newsitem SET source_version_now = NEW.version
        WHERE translated_from_id = NEW.id;
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER news_newsitem_source_saved",
    "DROP TRIGGER news_newsitem_source_version_now",
    "DROP TRIGGER news_newsitem_source_version_added",
]
FILL = """
UPDATE news_newsitem SET source_version_now = (
    SELECT source.version FROM news_newsitem source
    WHERE source.id = news_newsitem.translated_from_id
) WHERE translated_from_id IS NOT NULL
"""


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0020_sign_offs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="newsitem",
            name="source_version_now",
            field=models.PositiveIntegerField(
                blank=True,
                editable=False,
                help_text=(
                    "The version of the source as it stands, kept by the database itself "
                    "(news/migrations/0021_desk_indexes.py)."
                ),
                null=True,
                verbose_name="source's version now",
            ),
        ),
        migrations.RunPython(
            run({"postgresql": [FILL, POSTGRESQL_FORWARD], "sqlite": [FILL, *SQLITE_FORWARD]}),
            run({"postgresql": [POSTGRESQL_BACKWARD], "sqlite": SQLITE_BACKWARD}),
        ),
        migrations.AddIndex(
            model_name="newsitem",
            index=models.Index(
                condition=models.Q(("status", "draft")),
                fields=["created_by"],
                name="news_draft_creator_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="newsitem",
            index=models.Index(
                condition=models.Q(("status", "draft")),
                fields=["updated_by"],
                name="news_draft_saver_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="newsitem",
            index=models.Index(
                condition=models.Q(("source_version_now__gt", models.F("source_version"))),
                fields=["id"],
                name="news_source_changed_idx",
            ),
        ),
    ]

"""The taxonomy's version (0016) counts changes to what the header menus name besides the
fields, countries and structures: the Chairpersonship and the meeting series. A process keeps
its menus under that version (news/menus.py).

PostgreSQL only, as 0016."""

from django.db import migrations

TABLES = ("countries_chairpersonship", "news_meetingseries")

FORWARD = "\n".join(
    f"CREATE TRIGGER {table}_taxonomy_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION news_taxonomy_changed();"
    for table in TABLES
)

BACKWARD = "\n".join(f"DROP TRIGGER IF EXISTS {table}_taxonomy_version ON {table};" for table in TABLES)


def on_postgresql(text):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(text)

    return run


class Migration(migrations.Migration):
    dependencies = [("news", "0017_admin_list_order"), ("countries", "0001_initial")]

    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]

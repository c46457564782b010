"""The taxonomy's version (0016) counts changes to the tags as well: a process keeps every tag,
in the order PostgreSQL sorts their names, under that version (news/taxonomy_cache.py,
`tags`): the tag options a listing offers, and how it breaks the ties at their cut.

PostgreSQL only, as 0016."""

from django.db import migrations

FORWARD = (
    "CREATE TRIGGER taggit_tag_taxonomy_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    "ON taggit_tag FOR EACH STATEMENT EXECUTE FUNCTION news_taxonomy_changed();"
)

BACKWARD = "DROP TRIGGER IF EXISTS taggit_tag_taxonomy_version ON taggit_tag;"


def on_postgresql(text):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(text)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0018_menus_in_taxonomy_version"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]

"""Two changes for reading less at scale.

- The search document is kept in the row (`STORAGE MAIN`: compressed, but moved out to the TOAST
  table only as a last resort) rather than out of line. Matching a phrase and ranking read the
  document of every matching item; out of line, each read is a lookup in the TOAST table. At
  100,000 items, "human rights" (21,000 matches) took 126 ms this way and 57 ms in the row. The
  body, read for the twenty snippets of a page only, goes out of line first. PostgreSQL only;
  rows written before this migration keep their layout until rewritten (`VACUUM FULL
  news_newsitem`, README "Deploying").
- The link tables get an index by value, then item: "Read more on this topic" takes the newest
  items per shared value from it (news/related.py) instead of every item that shares a popular
  field of work."""

from django.db import migrations

# (index, table, value column, item column)
LINK_INDEXES = [
    ("news_field_item_idx", "news_newsitem_fields_of_work", "fieldofwork_id", "newsitem_id"),
    ("news_country_item_idx", "news_newsitem_countries", "country_id", "newsitem_id"),
]


def store_document_in_row(storage):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"ALTER TABLE news_newsitem ALTER COLUMN search_document SET STORAGE {storage}"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("news", "0006_public_cover_index")]

    operations = [
        migrations.RunPython(store_document_in_row("MAIN"), store_document_in_row("EXTENDED")),
        *(
            migrations.RunSQL(
                f"CREATE INDEX {name} ON {table} ({value_column}, {item_column})",
                f"DROP INDEX {name}",
            )
            for name, table, value_column, item_column in LINK_INDEXES
        ),
    ]

"""The change feed of news items (news/listing/index.py): a row for every item whose row or link
rows (fields of work, countries, issuing bodies, tags) a statement inserted, updated or
deleted, written by PostgreSQL itself, so that every way in (the admin, bulk actions, imports,
COPY, cascades, raw SQL) is seen. Each row carries the transaction that wrote it: a reader that
remembers the oldest transaction still running when it last read (`pg_snapshot_xmin`) finds
every change committed since, in whatever order the transactions committed.

A TRUNCATE (a restore, the tests' flush) writes one row for item 0: every item changed, the
index is built again.

One row per item and statement (statement-level triggers with transition tables: a bulk load
writes one INSERT … SELECT per statement, not a trigger call per row). Rows older than two days
are removed as new ones come; an index that has not read the feed for a day is rebuilt.

PostgreSQL only: on SQLite (the first look) the listing counts in SQL."""

from django.db import migrations

LINK_TABLES = {
    "news_newsitem": "id",
    "news_newsitem_fields_of_work": "newsitem_id",
    "news_newsitem_countries": "newsitem_id",
    "news_issuingbody": "news_item_id",
    "news_taggednewsitem": "content_object_id",
}

FUNCTIONS = r"""
CREATE TABLE news_itemchange (
    seq bigserial PRIMARY KEY,
    item_id bigint NOT NULL,
    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX news_itemchange_txid ON news_itemchange (txid);
CREATE INDEX news_itemchange_at ON news_itemchange (at);

CREATE FUNCTION news_itemchange_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('INSERT INTO news_itemchange (item_id) SELECT DISTINCT %I FROM new_rows',
                       TG_ARGV[0]);
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format('INSERT INTO news_itemchange (item_id) SELECT DISTINCT %I FROM old_rows',
                       TG_ARGV[0]);
    ELSE
        EXECUTE format('INSERT INTO news_itemchange (item_id) '
                       'SELECT %1$I FROM old_rows UNION SELECT %1$I FROM new_rows', TG_ARGV[0]);
    END IF;
    DELETE FROM news_itemchange WHERE at < now() - interval '2 days';
    RETURN NULL;
END
$$;

CREATE FUNCTION news_itemchange_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO news_itemchange (item_id) VALUES (0);
    RETURN NULL;
END
$$;
"""

TRIGGERS = "\n".join(
    f"""
CREATE TRIGGER {table}_change_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION news_itemchange_record('{column}');
CREATE TRIGGER {table}_change_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION news_itemchange_record('{column}');
CREATE TRIGGER {table}_change_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION news_itemchange_record('{column}');
CREATE TRIGGER {table}_change_truncate AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION news_itemchange_truncated();
"""
    for table, column in LINK_TABLES.items()
)

BACKWARD = "\n".join(
    f"DROP TRIGGER IF EXISTS {table}_change_{event} ON {table};"
    for table in LINK_TABLES
    for event in ("insert", "update", "delete", "truncate")
) + """
DROP FUNCTION IF EXISTS news_itemchange_record();
DROP FUNCTION IF EXISTS news_itemchange_truncated();
DROP TABLE IF EXISTS news_itemchange;
"""


def on_postgresql(text):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(text)

    return run


class Migration(migrations.Migration):
    dependencies = [("news", "0014_events")]

    operations = [
        migrations.RunPython(on_postgresql(FUNCTIONS + TRIGGERS), on_postgresql(BACKWARD)),
    ]

"""Full-text search on PostgreSQL: a stored, weighted search document per news item, kept up to
date by the database itself, so that no write path (admin, import, bulk creation, raw SQL) can
forget it and no query computes it.

Weights: title A, lead B, the names of its issuing bodies (with every former name and acronym),
fields of work and countries B, body C. English stemming ("borders" finds "border").

Triggers:
- before a news item's title, lead or body is written, its document is computed afresh;
- after rows are added to or removed from its issuing bodies, fields of work or countries, the
  documents of the items concerned are recomputed, once per statement (so bulk inserts of a
  corpus cost one recomputation per item, not one per row);
- after a structure, former name, field of work or country is renamed, the items that carry it
  are recomputed.

On SQLite (the `make run` first look) none of this exists: search falls back to a plain
substring match (news/search.py)."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

DOCUMENT_FUNCTION = r"""
CREATE OR REPLACE FUNCTION news_search_document(
    item_id bigint, title text, lead text, body text
) RETURNS tsvector LANGUAGE sql STABLE AS $$
SELECT
    setweight(to_tsvector('english', coalesce(title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(lead, '')), 'B')
    || setweight(to_tsvector('english', concat_ws(' ',
        (SELECT string_agg(concat_ws(' ', s.issuing_label, s.name, s.acronym,
                    (SELECT string_agg(f.name, ' ') FROM structures_formername f
                     WHERE f.structure_id = s.id)), ' ')
         FROM news_issuingbody ib JOIN structures_structure s ON s.id = ib.structure_id
         WHERE ib.news_item_id = item_id),
        (SELECT string_agg(w.name, ' ') FROM news_newsitem_fields_of_work x
         JOIN news_fieldofwork w ON w.id = x.fieldofwork_id WHERE x.newsitem_id = item_id),
        (SELECT string_agg(c.name, ' ') FROM news_newsitem_countries y
         JOIN countries_country c ON c.id = y.country_id WHERE y.newsitem_id = item_id)
    )), 'B')
    || setweight(to_tsvector('english',
        regexp_replace(coalesce(body, ''), '<[^>]*>', ' ', 'g')), 'C')
$$;

CREATE OR REPLACE FUNCTION news_refresh_search_documents(item_ids bigint[])
RETURNS void LANGUAGE sql AS $$
UPDATE news_newsitem n
SET search_document = news_search_document(n.id, n.title, n.lead, n.body)
WHERE n.id = ANY(item_ids);
$$;

CREATE OR REPLACE FUNCTION news_newsitem_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_document := news_search_document(NEW.id, NEW.title, NEW.lead, NEW.body);
    RETURN NEW;
END $$;

CREATE TRIGGER news_newsitem_search
BEFORE INSERT OR UPDATE OF title, lead, body ON news_newsitem
FOR EACH ROW EXECUTE FUNCTION news_newsitem_search_trigger();
"""

# (table, the column naming the news item) of each link table.
LINK_TABLES = [
    ("news_issuingbody", "news_item_id"),
    ("news_newsitem_fields_of_work", "newsitem_id"),
    ("news_newsitem_countries", "newsitem_id"),
]

LINK_TRIGGERS = "\n".join(
    f"""
CREATE OR REPLACE FUNCTION {table}_search_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM news_refresh_search_documents(ARRAY(SELECT DISTINCT {column} FROM added));
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION {table}_search_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM news_refresh_search_documents(ARRAY(SELECT DISTINCT {column} FROM removed));
    RETURN NULL;
END $$;
CREATE TRIGGER {table}_search_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION {table}_search_added();
CREATE TRIGGER {table}_search_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION {table}_search_removed();
"""
    for table, column in LINK_TABLES
)

RENAME_TRIGGERS = r"""
CREATE OR REPLACE FUNCTION structures_structure_search_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM news_refresh_search_documents(ARRAY(
        SELECT DISTINCT news_item_id FROM news_issuingbody WHERE structure_id = NEW.id));
    RETURN NULL;
END $$;
CREATE TRIGGER structures_structure_search
AFTER UPDATE OF name, issuing_label, acronym ON structures_structure
FOR EACH ROW EXECUTE FUNCTION structures_structure_search_renamed();

CREATE OR REPLACE FUNCTION structures_formername_search_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed_structure bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.structure_id
                                     ELSE NEW.structure_id END;
BEGIN
    PERFORM news_refresh_search_documents(ARRAY(
        SELECT DISTINCT news_item_id FROM news_issuingbody
        WHERE structure_id = changed_structure));
    RETURN NULL;
END $$;
CREATE TRIGGER structures_formername_search
AFTER INSERT OR UPDATE OR DELETE ON structures_formername
FOR EACH ROW EXECUTE FUNCTION structures_formername_search_changed();

CREATE OR REPLACE FUNCTION news_fieldofwork_search_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM news_refresh_search_documents(ARRAY(
        SELECT newsitem_id FROM news_newsitem_fields_of_work WHERE fieldofwork_id = NEW.id));
    RETURN NULL;
END $$;
CREATE TRIGGER news_fieldofwork_search AFTER UPDATE OF name ON news_fieldofwork
FOR EACH ROW EXECUTE FUNCTION news_fieldofwork_search_renamed();

CREATE OR REPLACE FUNCTION countries_country_search_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM news_refresh_search_documents(ARRAY(
        SELECT newsitem_id FROM news_newsitem_countries WHERE country_id = NEW.id));
    RETURN NULL;
END $$;
CREATE TRIGGER countries_country_search AFTER UPDATE OF name ON countries_country
FOR EACH ROW EXECUTE FUNCTION countries_country_search_renamed();
"""

BACKFILL = """
UPDATE news_newsitem SET search_document = news_search_document(id, title, lead, body);
CREATE INDEX news_search_document_idx ON news_newsitem USING gin (search_document);
"""

DROP = (
    """
DROP INDEX IF EXISTS news_search_document_idx;
DROP TRIGGER IF EXISTS countries_country_search ON countries_country;
DROP FUNCTION IF EXISTS countries_country_search_renamed();
DROP TRIGGER IF EXISTS news_fieldofwork_search ON news_fieldofwork;
DROP FUNCTION IF EXISTS news_fieldofwork_search_renamed();
DROP TRIGGER IF EXISTS structures_formername_search ON structures_formername;
DROP FUNCTION IF EXISTS structures_formername_search_changed();
DROP TRIGGER IF EXISTS structures_structure_search ON structures_structure;
DROP FUNCTION IF EXISTS structures_structure_search_renamed();
"""
    + "\n".join(
        f"""
DROP TRIGGER IF EXISTS {table}_search_insert ON {table};
DROP TRIGGER IF EXISTS {table}_search_delete ON {table};
DROP FUNCTION IF EXISTS {table}_search_added();
DROP FUNCTION IF EXISTS {table}_search_removed();
"""
        for table, _column in LINK_TABLES
    )
    + """
DROP TRIGGER IF EXISTS news_newsitem_search ON news_newsitem;
DROP FUNCTION IF EXISTS news_newsitem_search_trigger();
DROP FUNCTION IF EXISTS news_refresh_search_documents(bigint[]);
DROP FUNCTION IF EXISTS news_search_document(bigint, text, text, text);
"""
)


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # No parameters: the SQL holds several statements and literal percent signs.
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("countries", "0001_initial"),
        ("news", "0003_reserved_slugs"),
        ("structures", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="newsitem",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False,
                help_text="Kept up to date by the database itself (news/migrations/0004_search.py).",
                null=True,
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="newsitem",
                    index=django.contrib.postgres.indexes.GinIndex(
                        fields=["search_document"], name="news_search_document_idx"
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(
                    on_postgresql(DOCUMENT_FUNCTION + LINK_TRIGGERS + RENAME_TRIGGERS + BACKFILL),
                    on_postgresql(DROP),
                ),
            ],
        ),
    ]

"""Each item's search document in its own language: built with the text search configuration of
the item's language (`search_config`, set from settings.CONTENT_LANGUAGES when the item is saved:
"russian" stems "Финляндии" to the stem of "Финляндия"), and with the names of its issuing bodies,
fields of work and countries in that language besides English. A translated name changing
refreshes the documents that hold it, as a renamed one did (0004)."""

from importlib import import_module

from django.db import migrations

SEARCH = import_module("news.migrations.0004_search")
DEFERRED_SEARCH = import_module("news.migrations.0005_deferred_search")

DEFERRED = DEFERRED_SEARCH.DEFERRED

FORWARD = rf"""
DROP TRIGGER news_newsitem_search ON news_newsitem;

CREATE FUNCTION news_search_document(
    item_id bigint, title text, lead text, body text, config regconfig, language text
) RETURNS tsvector LANGUAGE sql STABLE AS $$
SELECT
    setweight(to_tsvector(config, coalesce(title, '')), 'A')
    || setweight(to_tsvector(config, coalesce(lead, '')), 'B')
    || setweight(to_tsvector(config, concat_ws(' ',
        (SELECT string_agg(concat_ws(' ', s.issuing_label, s.name, s.acronym,
                    s.translations -> language ->> 'issuing_label',
                    s.translations -> language ->> 'name',
                    (SELECT string_agg(concat_ws(' ', f.name, f.translations -> language ->> 'name'),
                                       ' ')
                     FROM structures_formername f WHERE f.structure_id = s.id)), ' ')
         FROM news_issuingbody ib JOIN structures_structure s ON s.id = ib.structure_id
         WHERE ib.news_item_id = item_id),
        (SELECT string_agg(concat_ws(' ', w.name, w.translations -> language ->> 'name'), ' ')
         FROM news_newsitem_fields_of_work x
         JOIN news_fieldofwork w ON w.id = x.fieldofwork_id WHERE x.newsitem_id = item_id),
        (SELECT string_agg(concat_ws(' ', c.name, c.translations -> language ->> 'name'), ' ')
         FROM news_newsitem_countries y
         JOIN countries_country c ON c.id = y.country_id WHERE y.newsitem_id = item_id)
    )), 'B')
    || setweight(to_tsvector(config,
        regexp_replace(coalesce(body, ''), '<[^>]*>', ' ', 'g')), 'C')
$$;

CREATE OR REPLACE FUNCTION news_refresh_search_documents(item_ids bigint[])
RETURNS void LANGUAGE sql AS $$
UPDATE news_newsitem n
SET search_document = news_search_document(
    n.id, n.title, n.lead, n.body, n.search_config::regconfig, n.language)
WHERE n.id = ANY(item_ids);
$$;

CREATE OR REPLACE FUNCTION news_newsitem_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF {DEFERRED} THEN RETURN NEW; END IF;
    NEW.search_document := news_search_document(
        NEW.id, NEW.title, NEW.lead, NEW.body, NEW.search_config::regconfig, NEW.language);
    RETURN NEW;
END $$;

CREATE TRIGGER news_newsitem_search
BEFORE INSERT OR UPDATE OF title, lead, body, language, search_config ON news_newsitem
FOR EACH ROW EXECUTE FUNCTION news_newsitem_search_trigger();

DROP FUNCTION news_search_document(bigint, text, text, text);

DROP TRIGGER structures_structure_search ON structures_structure;
CREATE TRIGGER structures_structure_search
AFTER UPDATE OF name, issuing_label, acronym, translations ON structures_structure
FOR EACH ROW EXECUTE FUNCTION structures_structure_search_renamed();
DROP TRIGGER news_fieldofwork_search ON news_fieldofwork;
CREATE TRIGGER news_fieldofwork_search AFTER UPDATE OF name, translations ON news_fieldofwork
FOR EACH ROW EXECUTE FUNCTION news_fieldofwork_search_renamed();
DROP TRIGGER countries_country_search ON countries_country;
CREATE TRIGGER countries_country_search AFTER UPDATE OF name, translations ON countries_country
FOR EACH ROW EXECUTE FUNCTION countries_country_search_renamed();
"""

BACKWARD = (
    """
DROP TRIGGER news_newsitem_search ON news_newsitem;
DROP TRIGGER structures_structure_search ON structures_structure;
CREATE TRIGGER structures_structure_search
AFTER UPDATE OF name, issuing_label, acronym ON structures_structure
FOR EACH ROW EXECUTE FUNCTION structures_structure_search_renamed();
DROP TRIGGER news_fieldofwork_search ON news_fieldofwork;
CREATE TRIGGER news_fieldofwork_search AFTER UPDATE OF name ON news_fieldofwork
FOR EACH ROW EXECUTE FUNCTION news_fieldofwork_search_renamed();
DROP TRIGGER countries_country_search ON countries_country;
CREATE TRIGGER countries_country_search AFTER UPDATE OF name ON countries_country
FOR EACH ROW EXECUTE FUNCTION countries_country_search_renamed();
"""
    + SEARCH.DOCUMENT_FUNCTION
    + DEFERRED_SEARCH.functions(True)
    + """
DROP FUNCTION news_search_document(bigint, text, text, text, regconfig, text);
"""
)


def on_postgresql(text):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(text)

    return run


class Migration(migrations.Migration):
    dependencies = [("news", "0009_languages")]

    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]

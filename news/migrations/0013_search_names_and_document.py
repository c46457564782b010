"""An item's search document in two parts that a bulk load can use apart: the names of its
issuing bodies, fields of work and countries (`news_search_names`), and the document made of its
texts and those names (`news_search_document_of`). The importer writes the names itself
(news/jsonl_copy.py: `search_names`, which must give the same text) and PostgreSQL computes each
new item's document once, in its INSERT, where looking the names up row by row cost twice the
rest of the document.

The names now come in a fixed order: the issuing bodies as listed, then the fields of work and
countries by id. Without an order, PostgreSQL joined them in whatever order it read the link
rows: the same words at other positions for the same item stored another way."""

from importlib import import_module

from django.db import migrations

PREVIOUS = import_module("news.migrations.0010_search_in_each_language").FORWARD


def previous_function():
    start = PREVIOUS.index("CREATE FUNCTION news_search_document(")
    end = PREVIOUS.index("$$;", start) + len("$$;")
    return PREVIOUS[start:end].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


FORWARD = r"""
CREATE FUNCTION news_search_names(item_id bigint, language text) RETURNS text
LANGUAGE sql STABLE AS $$
SELECT concat_ws(' ',
    (SELECT string_agg(concat_ws(' ', s.issuing_label, s.name, s.acronym,
                s.translations -> language ->> 'issuing_label',
                s.translations -> language ->> 'name',
                (SELECT string_agg(concat_ws(' ', f.name, f.translations -> language ->> 'name'),
                                   ' ' ORDER BY f.id)
                 FROM structures_formername f WHERE f.structure_id = s.id)),
                ' ' ORDER BY ib.position, ib.id)
     FROM news_issuingbody ib JOIN structures_structure s ON s.id = ib.structure_id
     WHERE ib.news_item_id = item_id),
    (SELECT string_agg(concat_ws(' ', w.name, w.translations -> language ->> 'name'), ' '
                       ORDER BY w.id)
     FROM news_newsitem_fields_of_work x
     JOIN news_fieldofwork w ON w.id = x.fieldofwork_id WHERE x.newsitem_id = item_id),
    (SELECT string_agg(concat_ws(' ', c.name, c.translations -> language ->> 'name'), ' '
                       ORDER BY c.id)
     FROM news_newsitem_countries y
     JOIN countries_country c ON c.id = y.country_id WHERE y.newsitem_id = item_id)
)
$$;

CREATE FUNCTION news_search_document_of(
    title text, lead text, body text, config regconfig, names text
) RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
SELECT
    setweight(to_tsvector(config, coalesce(title, '')), 'A')
    || setweight(to_tsvector(config, coalesce(lead, '')), 'B')
    || setweight(to_tsvector(config, coalesce(names, '')), 'B')
    || setweight(to_tsvector(config,
        regexp_replace(coalesce(body, ''), '<[^>]*>', ' ', 'g')), 'C')
$$;

CREATE OR REPLACE FUNCTION news_search_document(
    item_id bigint, title text, lead text, body text, config regconfig, language text
) RETURNS tsvector LANGUAGE sql STABLE AS $$
SELECT news_search_document_of(title, lead, body, config, news_search_names(item_id, language))
$$;
"""

BACKWARD = previous_function() + """
DROP FUNCTION news_search_document_of(text, text, text, regconfig, text);
DROP FUNCTION news_search_names(bigint, text);
"""


def on_postgresql(text):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(text)

    return run


class Migration(migrations.Migration):
    dependencies = [("news", "0012_subtopics_aliases")]

    operations = [
        migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD)),
    ]

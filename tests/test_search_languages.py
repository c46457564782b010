"""Search in each item's language: documents are built with the text search configuration of the
item's language, queries are parsed with that of the language being read, and snippets are cut
in the item's own."""

import pytest
from django.db import connection

from countries.models import Country
from languages import registry
from news import search
from news.models import NewsItem

from .factories import NewsItemFactory

pytestmark = pytest.mark.usefixtures("reference_data")

RUSSIAN_TITLE = "Таджикские таможенники изучили опыт Финляндии"
ROMANIAN_TITLE = "Vameșii au studiat gestionarea frontierelor"


def found(text, language):
    with registry.using(language):
        return sorted(
            search.matching(NewsItem.objects.published(), text).values_list("slug", flat=True)
        )


def test_each_item_is_indexed_with_its_languages_configuration():
    item = NewsItemFactory(slug="ru-item", language="ru", title=RUSSIAN_TITLE)
    assert item.search_config == "russian"
    item.refresh_from_db()
    # The Russian stemmer reduced "Финляндии" to its stem; English would have kept the word.
    assert "'финлянд':" in item.search_document
    item.language = "tg"
    item.save(update_fields=["language"])
    item.refresh_from_db()
    assert item.search_config == "simple"
    assert "'финляндии':" in item.search_document


def test_a_russian_query_finds_another_form_of_the_word_on_a_russian_page():
    NewsItemFactory(slug="ru-item", language="ru", title=RUSSIAN_TITLE)
    NewsItemFactory(slug="en-item", title="Tajik customs officers study Finland's experience")
    assert found("Финляндия", "ru") == ["ru-item"]
    assert found("таможенник", "ru") == ["ru-item"]
    # Parsed as English, the Russian word is not reduced to the stem the document holds.
    assert found("Финляндия", "en") == []
    # English words on a Russian page still find English items: Russian's configuration stems
    # Latin words as English.
    assert found("customs officer", "ru") == ["en-item"]


def test_romanian_stemming_on_a_romanian_page():
    NewsItemFactory(slug="ro-item", language="ro", title=ROMANIAN_TITLE)
    assert NewsItem.objects.get(slug="ro-item").search_config == "romanian"
    assert found("frontiera", "ro") == ["ro-item"]
    assert found("frontiera", "en") == []


def test_names_of_countries_are_searchable_in_the_items_language():
    item = NewsItemFactory(slug="ru-item", language="ru", title="Учебный визит", lead="", body="")
    item.countries.set([Country.objects.get(code="FI")])
    assert found("Финляндия", "ru") == ["ru-item"]
    # The English name is in the document too.
    assert found("Finland", "ru") == ["ru-item"]


def test_a_translated_name_changing_refreshes_the_documents_that_hold_it():
    item = NewsItemFactory(slug="ru-item", language="ru", title="Учебный визит", lead="", body="")
    finland = Country.objects.get(code="FI")
    item.countries.set([finland])
    finland.translations = {**finland.translations, "ru": {"name": "Суоми"}}
    finland.save(update_fields=["translations"])
    assert found("Суоми", "ru") == ["ru-item"]
    assert found("Финляндия", "ru") == []


def test_snippets_are_highlighted_in_the_items_language():
    NewsItemFactory(
        slug="ru-item",
        language="ru",
        title="Учебный визит",
        lead="Таможенники изучили опыт Финляндии в управлении границами.",
    )
    with registry.using("ru"):
        [item] = search.add_snippets(NewsItem.objects.filter(slug="ru-item"), "Финляндия")
    assert "<mark>Финляндии</mark>" in item.snippet


def test_every_configured_search_configuration_exists_in_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT cfgname FROM pg_ts_config")
        available = {name for (name,) in cursor.fetchall()}
    configured = {language.search_config for language in registry.all_languages()}
    assert configured <= available, configured - available

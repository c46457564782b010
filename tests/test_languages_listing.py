"""The listing in each content language: a language's items and, labelled "in English", the English
originals of groups with no public version in it; the language facet, its counts and its names;
the active-filter sentence in Russian plural forms; and a query count that does not grow with the
page or the number of languages."""

import datetime
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import pgettext

from countries.models import Country
from news.listing.facets import counts_key, in_local_order
from news.listing.filters import NewsFilter
from news.models import FieldOfWork, NewsItem

from .factories import NewsItemFactory

pytestmark = pytest.mark.usefixtures("reference_data")


def group(**versions):
    """One translation group: {language: slug or (slug, extra fields)} → {language: item}."""
    key = uuid.uuid4()
    items = {}
    for language, spec in versions.items():
        slug, extra = spec if isinstance(spec, tuple) else (spec, {})
        items[language] = NewsItemFactory(
            slug=slug, language=language, translation_key=key, **extra
        )
    return items


DRAFT = {"status": NewsItem.Status.DRAFT}
SCHEDULED = {"published_at": timezone.now() + datetime.timedelta(days=2)}


@pytest.fixture
def groups():
    """Groups of each kind the Russian listing must tell apart."""
    return {
        "both": group(en="both-en", ru="both-ru"),
        "english only": group(en="english-only"),
        "russian draft": group(en="draft-ru-en", ru=("draft-ru", DRAFT)),
        "russian scheduled": group(en="scheduled-ru-en", ru=("scheduled-ru", SCHEDULED)),
        "russian only": group(ru="russian-only"),
        "romanian": group(en="romanian-en", ro="romanian-ro"),
    }


def listed(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    assert not response.context["page_obj"].has_next()
    return {item.slug for item in response.context["news_items"]}


def public_items():
    """(slug, language, field slugs) of every public item, read without the code under test."""
    return [
        (item.slug, item.language, {field.slug for field in item.fields_of_work.all()})
        for item in NewsItem.objects.published().prefetch_related("fields_of_work")
    ]


def facet(response, name):
    return next(f for f in response.context["facets"] if f.name == name)


def counts(response, name):
    return {option.value: option.count for option in facet(response, name).options}


# --- the fallback listing ---------------------------------------------------------------------


def test_a_russian_listing_shows_russian_items_and_english_originals_without_one(client, groups):
    assert listed(client, "/ru/news/") == {
        "both-ru",
        "english-only",
        "draft-ru-en",  # a draft translation hides nothing
        "scheduled-ru-en",  # nor does one scheduled for later
        "russian-only",
        "romanian-en",
    }


def test_an_english_original_gives_way_once_its_translation_goes_public(client, groups):
    draft = groups["russian draft"]["ru"]
    draft.status = NewsItem.Status.PUBLISHED
    draft.save()
    slugs = listed(client, "/ru/news/")
    assert "draft-ru" in slugs and "draft-ru-en" not in slugs


def test_the_english_listing_shows_english_items_only(client, groups):
    assert listed(client, "/news/") == {
        "both-en",
        "english-only",
        "draft-ru-en",
        "scheduled-ru-en",
        "romanian-en",
    }


def test_the_language_view_is_one_query_of_the_news_table_that_composes(groups):
    field = FieldOfWork.objects.get(slug="border-management")
    groups["both"]["ru"].fields_of_work.set([field])
    groups["english only"]["en"].fields_of_work.set([field])
    view = NewsItem.objects.published().in_language_view("ru")
    assert "JOIN" not in str(view.query)
    assert set(view.in_field(field).values_list("slug", flat=True)) == {"both-ru", "english-only"}
    assert set(view.filter(type=NewsItem.Type.PRESS_RELEASE)) == set()


# --- the language facet -------------------------------------------------------------------------


def test_choosing_languages_shows_exactly_their_items_without_fallback(client, groups):
    english = {"both-en", "english-only", "draft-ru-en", "scheduled-ru-en", "romanian-en"}
    assert listed(client, "/ru/news/", language="en") == english
    assert listed(client, "/ru/news/", language=["ro", "ru"]) == {
        "both-ru",
        "russian-only",
        "romanian-ro",
    }
    # On an English page as well: the language chosen, not the page's.
    assert listed(client, "/news/", language="ru") == {"both-ru", "russian-only"}


@pytest.mark.parametrize(
    "params",
    [{}, {"language": ["ru"]}, {"language": ["en", "ro"]}, {"field": ["border-management"]},
     {"field": ["border-management"], "language": ["ru"]}],
)  # fmt: skip
@pytest.mark.parametrize("url", ["/news/", "/ru/news/"])
def test_language_counts_are_over_every_language_under_the_other_filters(
    client, groups, url, params
):
    border = FieldOfWork.objects.get(slug="border-management")
    for item in (groups["both"]["ru"], groups["romanian"]["ro"], groups["english only"]["en"]):
        item.fields_of_work.set([border])
    fields = set(params.get("field", []))
    expected = {}
    for _slug, language, item_fields in public_items():
        if not fields or fields & item_fields:
            expected[language] = expected.get(language, 0) + 1
    response = client.get(url, params)
    assert response.status_code == 200
    chosen = set(params.get("language", []))
    shown = {language for language in expected if expected[language]} | chosen
    assert counts(response, "language") == {code: expected.get(code, 0) for code in shown}
    for option in facet(response, "language").options:
        assert option.selected == (option.value in chosen)


def test_other_facets_count_over_the_chosen_languages_or_the_language_view(client, groups):
    border = FieldOfWork.objects.get(slug="border-management")
    for item in (groups["both"]["ru"], groups["both"]["en"], groups["romanian"]["ro"]):
        item.fields_of_work.set([border])
    # The Russian view holds both-ru (not both-en); the Romanian item is not in it.
    assert counts(client.get("/ru/news/"), "field")["border-management"] == 1
    assert counts(client.get("/ru/news/", {"language": "ro"}), "field")["border-management"] == 1
    assert (
        counts(client.get("/ru/news/", {"language": ["en", "ro", "ru"]}), "field")[
            "border-management"
        ]
        == 3
    )
    # The result count is the listing's, in its view.
    response = client.get("/ru/news/")
    assert response.context["paginator"].count == len(response.context["news_items"]) == 6


def test_languages_are_named_in_themselves_and_only_those_with_items(client, groups):
    response = client.get("/news/", {"language": "de"})  # chosen, though nothing is in German
    options = {option.value: option for option in facet(response, "language").options}
    assert set(options) == {"en", "ru", "ro", "de"}
    assert options["ru"].label == "Русский" and options["ro"].label == "Română"
    assert options["de"].label == "Deutsch" and options["de"].count == 0
    page = response.content.decode()
    assert '<span lang="ro" translate="no">Română</span>' in page
    assert '<span lang="ru" translate="no">Русский</span>' in page
    assert "Қазақ" not in page  # Kazakh: configured, but nothing is written in it


def test_an_unknown_language_is_left_out_with_a_notice(client, groups):
    response = client.get("/news/", {"language": "xx"})
    assert response.status_code == 301 and response["Location"].startswith("/news/?notice=")
    notice = "Language: “xx” is not a choice any more, so it was left out."
    assert notice in client.get(response["Location"]).content.decode()
    response = client.get("/ru/news/", {"language": ["ru", "klingon"]})
    assert response.status_code == 301
    assert response["Location"].startswith("/ru/news/?language=ru&notice=")


def test_languages_belong_to_the_canonical_address(client, groups):
    response = client.get("/ru/news/?language=ru&field=border-management&language=en")
    assert response.status_code == 301
    assert response["Location"] == "/ru/news/?field=border-management&language=en&language=ru"


def test_the_summary_names_the_chosen_languages(client, groups):
    response = client.get("/news/", {"language": ["ro", "ru"]})
    assert response.context["summary"] == "3 news items, written in Russian or Romanian"
    chips = {active.value: active.label for active in response.context["active_filters"]}
    assert chips == {"ro": "Romanian", "ru": "Russian"}


# --- the rows -----------------------------------------------------------------------------------


def row(page, slug):
    start = page.index(f"/news/{slug}/")
    return page[page.rindex("<article", 0, start) : page.index("</article>", start)]


def test_an_english_original_on_a_russian_page_is_labelled_in_english(client, groups):
    page = client.get("/ru/news/").content.decode()
    english = row(page, "english-only")
    assert 'href="/news/english-only/" lang="en" hreflang="en"' in english
    with translation.override("ru"):  # the label is in the page's words
        label = pgettext("an English item on a page in another language", "in English")
    assert f'<span class="in-language type-label">{label}</span></h3>' in english
    assert 'lang="en"' in english.split('class="lead"')[1].split(">")[0]
    russian = row(page, "russian-only")
    assert 'lang="' not in russian and "in English" not in russian


def test_english_rows_on_english_pages_carry_no_label(client, groups):
    page = client.get("/news/").content.decode()
    assert 'lang="en"' not in row(page, "english-only")
    assert "in English" not in page.split('id="result-summary"')[1]


def test_an_item_in_a_language_without_its_own_words_says_its_language(client):
    # Tajik pages show the site's words in Russian: a Tajik title is marked as Tajik.
    NewsItemFactory(slug="tajik", language="tg", title="Хабар")
    page = client.get("/tg/news/").content.decode()
    assert 'href="/tg/news/tajik/" lang="tg" hreflang="tg"' in row(page, "tajik")


def test_taxonomy_names_are_in_the_pages_language(client, groups):
    tajikistan = Country.objects.get(slug="tajikistan")
    border = FieldOfWork.objects.get(slug="border-management")
    item = groups["russian only"]["ru"]
    item.countries.set([tajikistan])
    item.fields_of_work.set([border])
    with translation.override("ru"):
        country, field = tajikistan.local_name, border.local_name
    assert country != tajikistan.name and field != border.name
    response = client.get("/ru/news/", {"country": "tajikistan", "field": border.slug})
    assert country in response.context["summary"] and field in response.context["summary"]
    labels = {option.value: option.label for option in facet(response, "country").options}
    assert labels["tajikistan"] == country
    assert f">{field}</a>" in row(response.content.decode(), "russian-only")


def test_countries_are_listed_in_the_alphabetical_order_of_the_pages_language():
    countries = Country.objects.all()
    with translation.override("ru"):
        names = [country.local_name for country in in_local_order(countries)]
        states = [c.local_name for c in Country.objects.participating_states()]
    assert names[: len(states)] == sorted(states, key=str.casefold)
    assert names[0] == "Австрия" and names[len(states) - 1] == "Эстония"
    # In English, the organisation's own order ("Belgium, Belarus" as its menu has them).
    with translation.override("en"):
        assert list(in_local_order(countries)) == list(countries)


# --- caches -------------------------------------------------------------------------------------


def test_facet_counts_are_kept_per_content_language(client, groups, settings):
    settings.FACET_CACHE = True
    english = client.get("/news/")
    russian = client.get("/ru/news/")
    assert english.context["paginator"].count == 5
    assert russian.context["paginator"].count == 6
    assert counts(russian, "type") != counts(english, "type")


def test_the_counts_key_holds_the_content_and_the_site_language():
    def key(code, chrome):
        filterset = NewsFilter(QueryDict(), queryset=NewsItem.objects.published(),
                               content_language=code)  # fmt: skip
        assert filterset.is_valid()
        with translation.override(chrome):
            return counts_key(filterset)

    assert len({key("en", "en"), key("ru", "ru"), key("tg", "ru"), key(None, "en")}) == 4


# --- the sentence in Russian --------------------------------------------------------------------


@pytest.fixture(scope="session")
def russian_catalogue(tmp_path_factory):
    """The Russian catalogue, compiled into a folder of its own for LOCALE_PATHS."""
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt is missing: install GNU gettext (make test-services does)"
    folder = tmp_path_factory.mktemp("locale") / "ru" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    source = Path(settings.BASE_DIR) / "locale/ru/LC_MESSAGES/django.po"
    subprocess.run([msgfmt, "-o", folder / "django.mo", source], check=True)
    return folder.parent.parent


@pytest.mark.parametrize(
    ("count", "words"), [(1, "1 новость"), (3, "3 новости"), (5, "5 новостей"), (21, "21 новость")]
)
def test_the_russian_sentence_takes_the_plural_form_of_its_count(
    client, settings, russian_catalogue, count, words
):
    settings.LOCALE_PATHS = [russian_catalogue]
    NewsItemFactory.create_batch(count, language="ru")
    response = client.get("/ru/news/")
    assert response.context["summary"] == words
    assert f'<p id="result-summary" class="result-summary">{words}</p>' in (
        response.content.decode()
    )


# --- query counts -------------------------------------------------------------------------------


def listing_queries(client, url):
    client.get(url)  # the menus are built once, then come from the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def add_items(per_language, languages):
    border = FieldOfWork.objects.get(slug="border-management")
    for _ in range(per_language):
        key = uuid.uuid4()
        for language in languages:
            NewsItemFactory(language=language, translation_key=key, fields_of_work=[border])


LISTINGS = [
    "/ru/news/",
    "/ru/news/?field=border-management",
    "/ru/news/?language=ru",
    "/ru/news/?language=en&q=item",
]


@pytest.mark.parametrize("url", LISTINGS)
def test_the_listing_costs_the_same_queries_whatever_the_page_size_and_languages(client, url):
    # Three of each at least: a search finding fewer also looks for a spelling to suggest
    # (news/suggestions.py), a cost of its own.
    add_items(3, ["en", "ru"])
    few = listing_queries(client, url)
    add_items(12, ["en", "ru", "ro", "de", "tg", "kk"])
    assert listing_queries(client, url) == few
    assert listing_queries(client, url.replace("/ru/", "/ro/")) == few

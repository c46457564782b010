"""Search finds what the filters find, on both databases: PostgreSQL (the suite's) and SQLite
(`make run`'s first look, FTS5). The test functions of this file run on PostgreSQL, and again,
unchanged, on SQLite in a child pytest (`test_the_same_searches_pass_on_sqlite`)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.http import QueryDict
from taggit.models import Tag

from countries.models import Country
from news.listing.filters import NewsFilter
from news.models import FieldOfWork, NewsItem
from news.suggestions import corrected
from structures.models import Structure

from .factories import NewsItemFactory

pytestmark = pytest.mark.usefixtures("reference_data")

CHILD = "SEARCH_PARITY_ON_SQLITE"


def listed(**params):
    data = QueryDict(mutable=True)
    for name, value in params.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    filterset = NewsFilter(data, queryset=NewsItem.objects.published())
    assert filterset.is_valid(), filterset.errors
    return {item.slug for item in filterset.qs}


def found(query, **params):
    return listed(q=query, **params)


def test_the_database_is_the_one_asked_for():
    expected = "sqlite" if os.environ.get(CHILD) else "postgresql"
    assert connection.vendor == expected


# -- taxonomy names: the search holds the items their filter holds -------------------------


@pytest.mark.parametrize(
    "query, filters",
    [
        ("finland", {"country": "finland"}),
        ("tajikistan", {"country": "tajikistan"}),
        ("border management", {"field": "border-management"}),
        ("customs", {"tag": "customs"}),
        ("study visit", {"tag": "study-visit"}),
    ],
)
def test_a_taxonomy_name_finds_every_item_its_filter_holds(demo_news, query, filters):
    held = listed(**filters)
    assert held, filters
    assert held <= found(query)


def test_the_name_of_an_issuing_body_finds_its_items():
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    NewsItemFactory(slug="issued", title="Seminar held", lead="", body="", issued_by=[dushanbe])
    NewsItemFactory(slug="other", title="Seminar held", lead="", body="")
    assert found("dushanbe seminar") == {"issued"}


@pytest.mark.parametrize(
    "former_name", ['"Office in Tajikistan"', "Centre in Dushanbe", '"Mission to Tajikistan"']
)
def test_every_former_name_of_a_structure_finds_its_items(former_name):
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    NewsItemFactory(slug="issued", title="Seminar held", lead="", body="", issued_by=[dushanbe])
    NewsItemFactory(slug="other", title="Seminar in Vienna", lead="", body="")
    assert found(former_name) == {"issued"}


def test_fields_countries_and_tags_are_searchable_by_their_names():
    item = NewsItemFactory(
        slug="linked",
        title="Workshop held",
        lead="",
        body="",
        fields_of_work=[FieldOfWork.objects.get(slug="media-freedom-and-development")],
        countries=[Country.objects.get(slug="mongolia")],
    )
    item.tags.add("Zoonotic diseases")
    NewsItemFactory(slug="bare", title="Workshop held", lead="", body="")
    assert found("media freedom workshop") == {"linked"}
    assert found("mongolia") == {"linked"}
    assert found("zoonotic") == {"linked"}


def test_a_renamed_tag_or_country_is_found_by_its_new_name():
    item = NewsItemFactory(slug="linked", title="Workshop", lead="", body="")
    item.countries.set([Country.objects.get(slug="mongolia")])
    item.tags.add("Ornithology")
    Tag.objects.filter(name="Ornithology").update(name="Birdwatching")
    assert found("birdwatching") == {"linked"}
    assert found("ornithology") == set()
    mongolia = Country.objects.get(slug="mongolia")
    mongolia.name = "Mongolia Renamed Xanadu"
    mongolia.save()
    assert found("xanadu") == {"linked"}


def test_an_untagged_or_unlinked_item_is_no_longer_found_by_the_name():
    item = NewsItemFactory(slug="linked", title="Workshop", lead="", body="")
    item.tags.add("Ornithology")
    item.countries.set([Country.objects.get(slug="mongolia")])
    item.tags.clear()
    item.countries.clear()
    assert found("ornithology") == set()
    assert found("mongolia") == set()


# -- the query language: phrases, exclusions, stems ---------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ('"study visit"', {"phrase"}),
        ("study visit", {"phrase", "apart"}),
        ("visit -study", {"visit-only"}),
        ('visit -"study visit"', {"apart", "visit-only"}),
        ("trained", {"training", "trains"}),
        ("trainings", {"training", "trains"}),
        ("police or customs", {"police", "customs"}),
        ("Customs", {"customs"}),
    ],
)
def test_phrases_exclusions_alternatives_and_stems(query, expected):
    NewsItemFactory(slug="phrase", title="A study visit to Vienna", lead="", body="")
    NewsItemFactory(slug="apart", title="Visit of the study group", lead="", body="")
    NewsItemFactory(slug="visit-only", title="Ministerial visit", lead="", body="")
    NewsItemFactory(slug="training", title="Training for judges", lead="", body="")
    NewsItemFactory(slug="trains", title="OSCE trains border guards", lead="", body="")
    NewsItemFactory(slug="police", title="Police reform", lead="", body="")
    NewsItemFactory(slug="customs", title="Customs officers", lead="", body="")
    assert found(query) == expected


def test_the_body_is_searched_as_text_not_markup():
    NewsItemFactory(slug="marked", title="Report", lead="", body="<p><strong>Election</strong></p>")
    assert found("election") == {"marked"}
    assert found("strong") == set()


def test_the_title_ranks_above_the_body():
    NewsItemFactory(slug="in-body", title="Annual meeting", lead="", body="<p>On elections.</p>")
    NewsItemFactory(slug="in-title", title="Elections observed", lead="", body="")
    data = QueryDict("q=elections")
    filterset = NewsFilter(data, queryset=NewsItem.objects.published())
    assert filterset.is_valid()
    assert [item.slug for item in filterset.qs] == ["in-title", "in-body"]


HOSTILE = [
    '"',
    '"unbalanced phrase',
    "()",
    "(a OR b",
    "NEAR(a b, 2)",
    "a NEAR b",
    "*",
    "custom*",
    "^title",
    "title:customs",
    "- -- ---",
    "or or",
    "AND NOT",
    "'; DROP TABLE news_newsitem; --",
    "\\",
    "a\x01b",
    "Ⅻ ﬁnland",
    "c++ & |",
    "!customs",
    "<->",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_no_search_is_a_server_error(visitor, demo_news, query):
    response = visitor.get("/news/", {"q": query}, follow=True)
    assert response.status_code in (200, 400), query


# -- "Did you mean …?" -------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, suggested",
    [
        ("tadjikistan", "tajikistan"),
        ("Finnland", "finland"),
        ("bordr management", "border management"),
        ('"tadjikistan"', '"tajikistan"'),
    ],
)
def test_a_misspelt_name_is_corrected_from_the_vocabulary(reference_data, query, suggested):
    assert corrected(query) == suggested


def test_known_words_are_not_corrected(reference_data):
    assert corrected("tajikistan border") is None


def test_the_listing_links_to_the_corrected_search_keeping_the_filters(visitor, demo_news):
    response = visitor.get("/news/?field=border-management&q=tadjikistan")
    assert response.status_code == 200
    assert "Did you mean" in response.text
    assert 'href="/news/?field=border-management&amp;q=tajikistan"' in response.text
    corrected_page = visitor.get("/news/?field=border-management&q=tajikistan")
    assert corrected_page.status_code == 200  # the canonical address: no redirect
    assert "Did you mean" not in corrected_page.text


def test_no_suggestion_when_the_search_finds_enough_or_nothing_is_close(visitor, demo_news):
    assert "Did you mean" not in visitor.get("/news/?q=customs").text
    assert "Did you mean" not in visitor.get("/news/?q=qwxzv").text


def test_the_same_searches_pass_on_sqlite(tmp_path):
    """This file's tests, run again by a child pytest on a SQLite database."""
    if os.environ.get(CHILD):
        pytest.skip("the child run itself")
    env = {
        **os.environ,
        CHILD: "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'search.sqlite3'}",
        "REDIS_URL": "",
    }
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         __file__],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout

"""Hostile query strings and paths on every public URL: a clear answer, never a 500 (issue 6).

    public listing, feeds, CSV and API with hostile query strings   1,400
    every public URL with hostile path segments and queries           500

Under each fuzz test sit plain regression tests for the inputs that once gave a 500."""

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from countries.models import Country
from news.models import Event, FieldOfWork, MeetingSeries, NewsItem
from news.sitemaps import SITEMAPS
from structures.models import Structure

from .factories import NewsItemFactory
from .fuzzing import body_of, check_answer, fuzz_settings, queries, real_values, texts, wire

pytestmark = pytest.mark.usefixtures("demo_news")


# --- 1. public URLs ---------------------------------------------------------------------------

NEWS_LISTINGS = ["/news/", "/news/rss/", "/news/atom/", "/news/export.csv", "/api/news/"]
LISTINGS = [*NEWS_LISTINGS, "/meetings/", "/meetings/calendar.ics", "/meetings/atom/"]
LISTING_EXAMPLES = 1_400


def test_listing_feeds_csv_and_api_answer_hostile_queries_without_a_500(visitor):
    real = real_values()
    sent = []

    @fuzz_settings(LISTING_EXAMPLES)
    @given(path=st.sampled_from(LISTINGS), query=queries(real))
    def fuzz(path, query):
        sent.append(query)
        check_answer(visitor, path, query)

    fuzz()
    assert len(sent) >= LISTING_EXAMPLES


PAGES = [
    "/", "/news/", "/news/rss/", "/news/atom/", "/news/export.csv", "/api/news/",
    "/fields-of-work/", "/countries/", "/structures/", "/sitemap.xml", "/robots.txt", "/healthz",
    "/meetings/", "/meetings/calendar.ics", "/meetings/atom/",
]  # fmt: skip
PAGE_EXAMPLES = 500


def slugged_pages():
    """Each address with a slug in its path, with the slugs that exist."""
    news = sorted(NewsItem.objects.values_list("slug", flat=True))
    events = sorted(Event.objects.values_list("slug", flat=True))
    return {
        "/news/{}/": news,
        "/api/news/{}/": news,
        "/fields-of-work/{}/": sorted(FieldOfWork.objects.values_list("slug", flat=True)),
        "/countries/{}/": sorted(Country.objects.values_list("slug", flat=True)),
        "/structures/{}/": sorted(Structure.objects.values_list("slug", flat=True)),
        "/sitemap-{}.xml": sorted(SITEMAPS),
        "/meetings/{}/": events,
        "/meetings/{}/calendar.ics": events,
        "/meetings/series/{}/": sorted(MeetingSeries.objects.values_list("slug", flat=True)),
    }


def test_every_public_url_answers_hostile_paths_and_queries_without_a_500(visitor):
    real, slugged = real_values(), slugged_pages()
    segments = st.one_of(
        st.sampled_from(sorted({slug for slugs in slugged.values() for slug in slugs})),
        wire(texts),
        st.from_regex(r"[-a-zA-Z0-9_]{1,60}", fullmatch=True),  # what the <slug> converter takes
    )
    paths = st.one_of(
        st.sampled_from(PAGES),
        st.sampled_from(sorted(slugged)).flatmap(
            lambda pattern: st.one_of(st.sampled_from(slugged[pattern]), segments).map(
                pattern.format
            )
        ),
    )
    sent = []

    @fuzz_settings(PAGE_EXAMPLES)
    @given(path=paths, query=st.one_of(st.just(""), queries(real)))
    def fuzz(path, query):
        sent.append(path)
        check_answer(visitor, path, query)

    fuzz()
    assert len(sent) >= PAGE_EXAMPLES


@pytest.mark.parametrize("path", NEWS_LISTINGS)
@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31", "from=1899-12-31"])
def test_a_date_outside_the_years_1900_to_2999_is_a_400(visitor, path, query):
    # Once an OverflowError (500): the day after 9999-12-31 (and, on SQLite, 0001-01-01 in UTC).
    response = check_answer(visitor, path, query)
    assert response.status_code == 400
    assert b"Choose a date between 1900 and 2999." in body_of(response)


def test_the_years_1900_and_2999_are_valid_dates(visitor):
    response = check_answer(visitor, "/api/news/", "from=1900-01-01&to=2999-12-31")
    assert response.status_code == 200
    # The API's address is English: the English items (the demo news has a Russian one too).
    assert response.json()["count"] == NewsItem.objects.published().count()


@pytest.mark.parametrize("path", ["/news/rss/", "/news/atom/"])
def test_feed_of_a_search_with_control_characters_is_valid_xml(visitor, path):
    # Once a 500: the search words go into the feed's title, and XML 1.0 cannot hold \x01.
    response = check_answer(visitor, path, "q=border%01%1b")
    assert response.status_code == 200
    assert "border" in ET.fromstring(body_of(response)).findtext(".//{*}title")


@pytest.mark.parametrize("path", ["/news/rss/", "/news/atom/"])
def test_feed_of_an_item_with_control_characters_in_its_text_is_valid_xml(visitor, path):
    # Once a 500: an imported or pasted title or lead can hold them.
    NewsItemFactory(title="Vertical\x0btab", lead="Escape \x1b[31m sequence")
    response = check_answer(visitor, path)
    assert response.status_code == 200
    assert b"Verticaltab" in body_of(response)

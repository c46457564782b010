"""The RSS and Atom feeds of the listing: exactly what the filtered listing gives, newest first,
and a 400 that names a bad filter."""

import html
import xml.etree.ElementTree as ET

import pytest

from news.models import NewsItem

from .factories import NewsItemFactory
from .outputs import (
    ATOM,
    DC_CREATOR,
    FILTERS,
    SEED_SLUG,
    SEED_URL,
    atom_entries,
    public_slugs,
    rss_items,
    slug_of,
)


def test_rss_feed_lists_the_newest_50_public_items(client, demo_news, hidden_items):
    for _ in range(10):
        NewsItemFactory()
    items = rss_items(client.get("/news/rss/"))
    expected = public_slugs()[:50]
    assert len(expected) == 50
    assert [slug_of(item.findtext("link")) for item in items] == expected


def test_rss_item_has_absolute_link_guid_date_and_the_lead(client, demo_news):
    items = rss_items(client.get("/news/rss/", {"from": "2013-05-31", "to": "2013-05-31"}))
    [seed] = items
    seed_item = NewsItem.objects.get(slug=SEED_SLUG)
    assert seed.findtext("link") == SEED_URL
    assert seed.find("guid").text == SEED_URL
    assert seed.find("guid").get("isPermaLink") == "true"
    assert seed.findtext("title") == seed_item.title
    assert html.unescape(seed.findtext("description")) == seed_item.lead
    assert seed.findtext("pubDate") == "Fri, 31 May 2013 00:00:00 +0200"


def test_rss_channel_links_to_the_listing(client, demo_news):
    channel = ET.fromstring(client.get("/news/rss/").content).find("channel")
    assert channel.findtext("title") == "OSCE Portal news"
    assert channel.findtext("link") == "http://testserver/news/"
    assert channel.findtext("description")


def test_feed_items_carry_issuing_bodies_and_fields_of_work_as_categories(client, demo_news):
    items = rss_items(client.get("/news/rss/", {"from": "2013-05-31", "to": "2013-05-31"}))
    categories = [category.text for category in items[0].findall("category")]
    assert categories == [
        "OSCE Secretariat",
        "OSCE Programme Office in Dushanbe",
        "Border management",
        "Economic activities",
    ]
    # The author is the names it was issued under, as on its page.
    assert items[0].findtext(DC_CREATOR) == "OSCE Secretariat, OSCE Office in Tajikistan"


@pytest.mark.parametrize("name", FILTERS)
def test_filtered_rss_feed_has_exactly_the_listing_items(client, demo_news, hidden_items, name):
    params, select = FILTERS[name]
    expected = public_slugs(select)
    assert expected, "the demo data should match this filter"
    items = rss_items(client.get("/news/rss/", params))
    assert [slug_of(item.findtext("link")) for item in items] == expected


@pytest.mark.parametrize("name", FILTERS)
def test_filtered_atom_feed_has_exactly_the_listing_items(client, demo_news, hidden_items, name):
    params, select = FILTERS[name]
    entries = atom_entries(client.get("/news/atom/", params))
    links = [entry.find(f"{ATOM}link").get("href") for entry in entries]
    assert [slug_of(link) for link in links] == public_slugs(select)


def test_filtered_feed_is_named_and_linked_after_its_filters(client, demo_news):
    response = client.get("/news/rss/", {"country": "tajikistan", "field": "border-management"})
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("title") == (
        "OSCE Portal news: news items about Border management in Tajikistan"
    )
    assert channel.findtext("link") == (
        "http://testserver/news/?country=tajikistan&field=border-management"
    )


def test_atom_feed_is_complete(client, demo_news):
    response = client.get("/news/atom/", {"issued_by": "programme-office-in-dushanbe"})
    feed = ET.fromstring(response.content)
    assert feed.findtext(f"{ATOM}title") == (
        "OSCE Portal news: news items, issued by the OSCE Programme Office in Dushanbe"
    )
    assert feed.findtext(f"{ATOM}id") == (
        "http://testserver/news/?issued_by=programme-office-in-dushanbe"
    )
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == (
        "http://testserver/news/atom/?issued_by=programme-office-in-dushanbe"
    )
    assert feed.findtext(f"{ATOM}updated")
    assert feed.findtext(f"{ATOM}author/{ATOM}name")
    seed = next(e for e in feed.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}id") == SEED_URL)
    assert seed.findtext(f"{ATOM}published") == "2013-05-31T00:00:00+02:00"
    assert seed.findtext(f"{ATOM}updated")
    assert seed.find(f"{ATOM}summary").get("type") == "html"
    terms = [category.get("term") for category in seed.findall(f"{ATOM}category")]
    assert "OSCE Programme Office in Dushanbe" in terms and "Border management" in terms


def test_feed_escapes_markup_in_the_lead(client, reference_data):
    NewsItemFactory(lead="Tom & Jerry <script>alert(1)</script>")
    [item] = rss_items(client.get("/news/rss/"))
    # The description is HTML: the lead's text shows as text, never as markup.
    assert item.findtext("description") == "Tom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt;"


def test_feed_ignores_the_sort_order_and_stays_newest_first(client, demo_news):
    items = rss_items(client.get("/news/rss/", {"sort": "oldest"}))
    assert [slug_of(item.findtext("link")) for item in items] == public_slugs()[:50]
    channel = ET.fromstring(client.get("/news/rss/", {"sort": "oldest"}).content).find("channel")
    assert channel.findtext("title") == "OSCE Portal news"


BAD_FILTERS = [  # malformed: an unknown value is left out instead (tests/test_dead_ends.py)
    ({"from": "2013-13-45"}, "from", "valid date"),
    ({"from": "2014-01-01", "to": "2013-01-01"}, "to", "before the start date"),
]


@pytest.mark.parametrize("url", ["/news/rss/", "/news/atom/", "/news/export.csv"])
@pytest.mark.parametrize(("params", "field", "words"), BAD_FILTERS)
def test_bad_filter_is_a_400_that_names_the_problem(
    client, reference_data, url, params, field, words
):
    response = client.get(url, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert f"{field}: " in text and words in text

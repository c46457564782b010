"""Following a topic: every listing and taxonomy page names its feeds for feed readers
(<link rel="alternate">) and shows them with email alerts in a "Follow" panel; a feed opened in a
browser is a page a person can read, while feed readers keep getting the feed."""

import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from news.models import NewsItem

from .outputs import ATOM, FILTERS, atom_entries, public_slugs, rss_items, slug_of
from .pages import between, page

ALTERNATE = re.compile(
    r'<link rel="alternate" type="application/(rss|atom)\+xml" href="([^"]+)" title="([^"]+)">'
)
ITEM_LINK = re.compile(r'href="(?:/[a-z]{2})?/news/(?!rss/|atom/)([a-z0-9-]+)/"')
# What Chromium sends when a person opens an address.
BROWSER = {
    "HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
    "image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
    "HTTP_SEC_FETCH_DEST": "document",
    "HTTP_SEC_FETCH_MODE": "navigate",
}
READER = {"HTTP_ACCEPT": "application/rss+xml, application/atom+xml;q=0.9, */*;q=0.5"}

# (page, where its news items are listed, the feed's selection written against the ORM; None
# where the page's language decides what it lists).
PAGES = {
    "home": ("/", 'id="latest-heading"', lambda qs: qs),
    "listing": ("/news/", 'id="results-heading"', lambda qs: qs),
    "filtered listing": (
        "/news/?country=tajikistan&field=border-management",
        'id="results-heading"',
        FILTERS["field and country"][1],
    ),
    "searched listing": ("/news/?q=customs", 'id="results-heading"', None),
    "listing in Russian": ("/ru/news/?country=tajikistan", 'id="results-heading"', None),
    "field": ("/fields-of-work/border-management/", 'id="latest-news"', FILTERS["field"][1]),
    "country": ("/countries/tajikistan/", 'id="latest-news"', FILTERS["country"][1]),
    "country in Russian": ("/ru/countries/tajikistan/", 'id="latest-news"', None),
    "structure": (
        "/structures/programme-office-in-dushanbe/",
        'id="latest-news"',
        FILTERS["issued_by"][1],
    ),
}


def feeds_in_head(html):
    return {kind: (unescape(href), title) for kind, href, title in ALTERNATE.findall(html)}


def listed_slugs(html, start):
    # The listing's results run to the end of the page's main part; a section ends elsewhere.
    end = "</main>" if start == 'id="results-heading"' else "</section>"
    return ITEM_LINK.findall(between(html, start, end))


@pytest.mark.parametrize("name", PAGES)
def test_each_listing_and_taxonomy_page_names_feeds_that_hold_its_news(client, demo_news, name):
    url, listed_at, select = PAGES[name]
    html = page(client, url)
    feeds = feeds_in_head(between(html, "<head>", "</head>"))
    assert set(feeds) == {"rss", "atom"}
    on_page = listed_slugs(html, listed_at)
    assert on_page
    rss = [slug_of(i.findtext("link")) for i in rss_items(client.get(feeds["rss"][0]))]
    atom = [
        slug_of(e.find(f"{ATOM}link").get("href"))
        for e in atom_entries(client.get(feeds["atom"][0]))
    ]
    assert rss == atom
    assert set(on_page) <= set(rss)
    if select is not None:
        assert rss == public_slugs(select)[:50]


@pytest.mark.parametrize("name", PAGES)
def test_each_page_shows_its_feeds_and_alerts_in_a_follow_panel(client, demo_news, name):
    url = PAGES[name][0]
    html = page(client, url)
    if name == "home":
        assert 'class="follow-panel"' not in html  # the home page names its feeds in its head
        return
    feeds = feeds_in_head(html)
    panel = between(html, 'class="follow-panel"', "</section>")
    assert f'href="{feeds["rss"][0].replace("&", "&amp;")}" type="application/rss+xml"' in panel
    assert f'href="{feeds["atom"][0].replace("&", "&amp;")}" type="application/atom+xml"' in panel
    query = feeds["rss"][0].partition("?")[2]
    alerts = re.search(r'<a class="get-alerts" href="([^"]+)"', panel)[1]
    assert unescape(alerts).endswith(f"/alerts/subscribe/{'?' if query else ''}{query}")
    # What a feed is, in one line, in the page's language.
    assert ("лент" if url.startswith("/ru/") else "feed reader") in panel


def test_the_feed_titles_say_what_each_feed_holds(client, demo_news):
    html = page(client, "/news/?country=tajikistan&field=border-management")
    assert feeds_in_head(html) == {
        "rss": (
            "/news/rss/?country=tajikistan&field=border-management",
            "OSCE Portal news: news items about Border management in Tajikistan (RSS)",
        ),
        "atom": (
            "/news/atom/?country=tajikistan&field=border-management",
            "OSCE Portal news: news items about Border management in Tajikistan (Atom)",
        ),
    }
    structure = feeds_in_head(page(client, "/structures/programme-office-in-dushanbe/"))
    assert structure["rss"] == (
        "/news/rss/?issued_by=programme-office-in-dushanbe",
        "OSCE Portal news: OSCE Programme Office in Dushanbe (RSS)",
    )
    russian = feeds_in_head(page(client, "/ru/countries/tajikistan/"))
    assert russian["atom"][0] == "/ru/news/atom/?country=tajikistan"


def test_a_listing_with_a_bad_filter_names_no_feed(client, demo_news):
    response = client.get("/news/?from=2013-02-30")
    assert response.status_code == 400
    assert not ALTERNATE.search(response.content.decode())


# --- a feed opened in a browser ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_feed_opened_in_a_browser_is_a_page_with_its_address_and_items(client, demo_news, kind):
    response = client.get(f"/news/{kind}/?field=border-management", **BROWSER)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<h1>OSCE Portal news: news items about Border management</h1>" in html
    address = f"http://testserver/news/{kind}/?field=border-management"
    assert f'id="feed-address" type="url" value="{address}" readonly' in html
    expected = public_slugs(FILTERS["field"][1])[:50]
    assert listed_slugs(html, 'id="feed-items-heading"') == expected
    assert '<meta name="robots" content="noindex">' in html
    assert not response.cookies


@pytest.mark.parametrize(
    "headers",
    [
        READER,
        {"HTTP_ACCEPT": "*/*"},
        {},
        # A reader that sends a browser's Accept header is no browser opening a page.
        {"HTTP_ACCEPT": BROWSER["HTTP_ACCEPT"]},
        {**BROWSER, "HTTP_ACCEPT": "application/rss+xml,text/html;q=0.9"},
    ],
    ids=["reader", "anything", "no Accept", "browser's Accept alone", "prefers the feed"],
)
def test_feed_readers_get_the_feed(client, demo_news, headers):
    response = client.get("/news/rss/?field=border-management", **headers)
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("title") == "OSCE Portal news: news items about Border management"
    items = channel.findall("item")
    assert [slug_of(i.findtext("link")) for i in items] == public_slugs(FILTERS["field"][1])[:50]
    for item in items:
        assert item.findtext("title") and item.findtext("pubDate") and item.findtext("guid")
    assert {"Accept", "Sec-Fetch-Dest"} <= {v.strip() for v in response["Vary"].split(",")}


def test_a_feed_page_with_a_bad_filter_says_what_is_wrong(client, demo_news):
    response = client.get("/news/rss/?from=2013-02-30", **BROWSER)
    assert response.status_code == 400
    assert b"from:" in response.content


@pytest.mark.usefixtures("page_cache_on", "nothing_owed")
@pytest.mark.parametrize("first", [BROWSER, READER], ids=["page first", "feed first"])
def test_the_page_cache_keeps_the_feed_and_its_page_apart(client, demo_news, first):
    url = "/news/rss/?country=tajikistan"
    second = READER if first is BROWSER else BROWSER
    answers = {}
    for headers in (first, second, first, second):
        response = client.get(url, **headers)
        answers.setdefault(id(headers), []).append(
            (response["Content-Type"].split(";")[0], response["X-Cache"], response.content)
        )
    for (kind, cache, content), (kind_again, cache_again, content_again) in answers.values():
        assert (cache, cache_again) == ("miss", "hit")
        assert (kind_again, content_again) == (kind, content)
    kinds = {kind for (kind, _c, _t), _again in answers.values()}
    assert kinds == {"text/html", "application/rss+xml"}


def test_feeds_date_an_item_by_its_last_change_of_content(client, demo_news):
    item = NewsItem.objects.get(slug=public_slugs(FILTERS["country"][1])[0])
    NewsItem.objects.filter(pk=item.pk).update(revised_at=item.published_at.replace(year=2030))
    entry = atom_entries(client.get("/news/atom/?country=tajikistan"))[0]
    assert entry.findtext(f"{ATOM}updated").startswith("2030-")


def test_a_feed_page_reads_the_database_no_more_than_its_feed(client, demo_news):
    url = "/news/rss/?country=tajikistan"
    counts = []
    for headers in (READER, BROWSER):
        client.get(url, **headers)  # the menus and the taxonomy read once, as on any server
        with CaptureQueriesContext(connection) as queries:
            client.get(url, **headers)
        counts.append(len(queries))
    feed, feed_page = counts
    assert feed_page <= feed

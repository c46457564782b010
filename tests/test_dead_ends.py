"""No dead ends (issue 19): a value of a filter that is no choice any more (a removed or renamed
tag, an old slug, a country written another way) is left out, or read as what it stands for,
with a notice on the listing and a 301 to the address of what is left, in the listing, its
feeds and its exports; only malformed input is a 400, which keeps the valid choices; a page past
the end is sent to the last."""

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from countries.models import Country
from news.listing import notices
from news.listing.filters import NewsFilter
from news.models import FieldOfWork, NewsItem
from structures.models import Structure

from .factories import AliasFactory, NewsItemFactory

# A value of each facet that is no choice, beside a valid choice of another filter.
UNKNOWN = [
    ("field", "no-such-field"),
    ("country", "atlantis"),
    ("issued_by", "ministry-of-magic"),
    ("type", "blog"),
    ("language", "klingon"),
    ("tag", "no-such-tag"),
    ("sort", "sideways"),  # not a facet, but a value of the listing's that an old link may hold
]
KEPT = ("from", "2000-01-01")
MACHINE_VIEWS = ["/news/rss/", "/news/atom/", "/news/export.csv", "/api/news/"]


@pytest.fixture
def items(reference_data):
    tajikistan = Country.objects.get(slug="tajikistan")
    border = FieldOfWork.objects.get(slug="border-management")
    for number in range(3):
        item = NewsItemFactory(
            title=f"Border item {number}", countries=[tajikistan], fields_of_work=[border]
        )
        item.tags.add("water-management")
    NewsItemFactory(title="Other item", type=NewsItem.Type.PRESS_RELEASE)


def target(response):
    """The path and the parameters of a redirect's target, the notice apart: (path, pairs,
    notice or None)."""
    location = urlsplit(response["Location"])
    pairs = parse_qsl(location.query)
    notice = [value for name, value in pairs if name == notices.NOTICE]
    rest = [pair for pair in pairs if pair[0] != notices.NOTICE]
    return location.path, rest, notice[0] if notice else None


def left_out(name, value):
    label = NewsFilter.base_filters[name].label
    return f"{label}: “{value}” is not a choice any more, so it was left out."


# --- the listing ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "value"), UNKNOWN)
def test_an_unknown_value_is_left_out_of_the_listing_with_a_notice(client, items, name, value):
    response = client.get("/news/", {name: value, KEPT[0]: KEPT[1]})
    assert response.status_code == 301
    path, pairs, notice = target(response)
    assert (path, pairs) == ("/news/", [KEPT])
    assert notice
    landing = client.get(response["Location"])
    assert landing.status_code == 200
    html = landing.content.decode()
    assert left_out(name, value) in html
    assert '<div class="filter-notices" role="status">' in html
    # Shown once: no link of the page carries the notice on.
    assert 'rel="canonical" href="http://testserver/news/?from=2000-01-01"' in html
    assert "notice=" not in html
    assert landing.context["paginator"].count == 4


def test_the_notice_is_not_shown_at_the_address_without_it(client, items):
    html = client.get("/news/", {"from": "2000-01-01"}).content.decode()
    assert "filter-notices" not in html


def test_a_renamed_tags_old_slug_is_left_out_and_the_others_kept(client, items):
    old_link = "/news/?country=tajikistan&tag=water-management"
    assert client.get(old_link).status_code == 200
    Tag.objects.filter(slug="water-management").update(name="water", slug="water")
    response = client.get(old_link)
    path, pairs, _notice = target(response)
    assert (response.status_code, path, pairs) == (301, "/news/", [("country", "tajikistan")])
    assert left_out("tag", "water-management") in client.get(response["Location"]).content.decode()


def test_an_aliass_slug_is_read_as_its_entry_with_a_notice(client, items):
    tajikistan = Country.objects.get(slug="tajikistan")
    AliasFactory(label="Tajik Republic (old link)", country=tajikistan)
    response = client.get("/news/", {"country": "tajik-republic-old-link"})
    path, pairs, _notice = target(response)
    assert (response.status_code, path, pairs) == (301, "/news/", [("country", "tajikistan")])
    landing = client.get(response["Location"])
    assert landing.context["paginator"].count == 3
    assert "Country: “tajik-republic-old-link” is now “Tajikistan”." in landing.content.decode()


def test_a_value_written_otherwise_is_read_as_its_choice_without_a_word(client, items):
    response = client.get(
        "/news/",
        {"country": "Tajikistan", "type": "Press-Release", "field": "Border Management",
         "sort": "Oldest"},
    )  # fmt: skip
    path, pairs, notice = target(response)
    assert (response.status_code, path, notice) == (301, "/news/", None)
    assert sorted(pairs) == [
        ("country", "tajikistan"), ("field", "border-management"), ("sort", "oldest"),
        ("type", "press_release"),
    ]  # fmt: skip


@pytest.mark.parametrize("notice", ["made-up", "W10:forged-signature", "W10"])
def test_a_notice_the_site_did_not_sign_is_dropped(client, items, notice):
    response = client.get("/news/", {"notice": notice, "country": "tajikistan"})
    assert (response.status_code, response["Location"]) == (301, "/news/?country=tajikistan")


def test_a_notice_cannot_be_made_to_say_other_words(client, items):
    signed = notices.signed([("country", "atlantis", "")])
    tampered = signed.replace(signed.split(":")[0], "W1siY291bnRyeSIsIllvdSB3b24iLCIiXV0")
    response = client.get("/news/", {"notice": tampered})
    assert (response.status_code, response["Location"]) == (301, "/news/")


def test_the_notice_page_and_the_clean_page_are_cached_apart(client, items, page_cache_on):
    location = client.get("/news/", {"country": "atlantis"})["Location"]
    first, again = client.get(location), client.get(location)
    assert (first["X-Cache"], again["X-Cache"]) == ("miss", "hit")
    assert left_out("country", "atlantis") in again.content.decode()
    clean = client.get("/news/")
    assert clean["X-Cache"] == "miss"
    assert "filter-notices" not in clean.content.decode()


def test_the_redirect_and_the_notice_page_cost_few_queries(client, items):
    client.get("/news/?tag=water-management")  # warms the menus and taxonomy caches
    with CaptureQueriesContext(connection) as redirect:
        response = client.get("/news/", {"tag": "no-such-tag"})
    assert len(redirect) <= 3  # the public tags asked for, and the request's set-up
    with CaptureQueriesContext(connection) as plain:
        client.get("/news/")
    with CaptureQueriesContext(connection) as with_notice:
        client.get(response["Location"])
    assert len(with_notice) == len(plain)


# --- feeds and exports ------------------------------------------------------------------------


@pytest.mark.parametrize("url", MACHINE_VIEWS)
@pytest.mark.parametrize(("name", "value"), UNKNOWN)
def test_feeds_and_exports_move_to_the_address_without_the_unknown_value(
    client, items, url, name, value
):
    response = client.get(url, {name: value, KEPT[0]: KEPT[1]})
    assert response.status_code == 301
    assert target(response) == (url, [KEPT], None)  # a program reads no notice
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("url", MACHINE_VIEWS)
def test_a_subscription_to_a_renamed_tag_keeps_working(client, items, url):
    Tag.objects.filter(slug="water-management").update(name="water", slug="water")
    response = client.get(url, {"tag": "water-management", "country": "tajikistan"})
    assert target(response) == (url, [("country", "tajikistan")], None)
    body = client.get(response["Location"])
    assert body.status_code == 200


def test_a_feed_given_an_alias_moves_to_the_entrys_feed(client, items):
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    AliasFactory(label="OSCE Office in Dushanbe (old feed)", structure=dushanbe)
    response = client.get("/ru/news/atom/", {"issued_by": "osce-office-in-dushanbe-old-feed"})
    assert target(response) == (
        "/ru/news/atom/", [("issued_by", "programme-office-in-dushanbe")], None,
    )  # fmt: skip


def test_an_unknown_value_beside_a_malformed_one_is_still_a_400(client, items):
    response = client.get("/news/rss/", {"country": "atlantis", "from": "2013-13-45"})
    assert response.status_code == 400
    assert "from: " in response.content.decode()


# --- malformed input: a 400 that keeps the valid choices ----------------------------------------


def test_the_400_page_keeps_the_valid_choices_and_links_to_them(client, items):
    response = client.get(
        "/news/", {"country": "tajikistan", "type": "news", "from": "2013-13-45", "page": "2"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "From: Enter a valid date." in html
    kept = html.split('<ul class="kept-choices">')[1].split("</ul>")[0]
    assert re.findall(r"<li>(.*?)</li>", kept) == ["Tajikistan", "News item"]
    assert '<a class="kept-choices-link" href="/news/?country=tajikistan&amp;type=news">' in html
    assert '<a href="/news/">Show all news</a>' in html


@pytest.mark.parametrize("page", ["abc", "0", "-3", "1.5", "9" * 5000])
def test_a_page_that_is_no_whole_number_is_a_400(client, items, page):
    response = client.get("/news/", {"page": page, "country": "tajikistan"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Page: " in html
    assert 'href="/news/?country=tajikistan"' in html


# --- a page past the end ----------------------------------------------------------------------


@pytest.fixture
def pages(items, monkeypatch):
    """Twelve pages of two items (24 items; the fixture's four among them)."""
    monkeypatch.setattr("news.views.NewsListView.paginate_by", 2)
    for _ in range(20):
        NewsItemFactory()


def test_a_page_past_the_end_is_sent_to_the_last_page(client, pages):
    response = client.get("/news/", {"page": 99, "type": "news"})
    assert response.status_code == 302  # the last page moves as news comes
    assert target(response) == ("/news/", [("type", "news"), ("page", "12")], None)
    assert client.get(response["Location"]).context["page_obj"].number == 12


def test_a_page_past_the_end_of_one_page_is_sent_to_the_listing(client, pages):
    response = client.get("/news/", {"type": "press_release", "page": 3})
    assert (response.status_code, response["Location"]) == (302, "/news/?type=press_release")


def test_a_page_past_the_end_beside_an_unknown_value_goes_to_the_last_page_at_once(client, pages):
    response = client.get("/news/", {"page": 7, "country": ["tajikistan", "atlantis"]})
    path, pairs, notice = target(response)
    assert (response.status_code, path, pairs) == (302, "/news/", [("country", "tajikistan"),
                                                                   ("page", "2")])  # fmt: skip
    assert notice and client.get(response["Location"]).status_code == 200


# --- numbered pages and titles ------------------------------------------------------------------


def nav_of(html):
    return html.split('<nav class="pagination"')[1].split("</nav>")[0]


def test_pages_are_numbered_with_first_last_and_gaps(client, pages):
    html = client.get("/news/", {"page": 6}).content.decode()
    nav = nav_of(html)
    shown = re.findall(r"<li><(?:a|span)[^>]*>(.*?)</(?:a|span)></li>", nav)
    hidden = '<span class="visually-hidden">Page </span>'
    assert [text.replace(hidden, "") for text in shown] == [
        "« First", "‹ Previous", "1", "…", "4", "5", "6", "7", "8", "…", "12", "Next ›", "Last »",
    ]  # fmt: skip
    assert '<a class="pagination-end" href="/news/">« First</a>' in nav
    assert '<a rel="prev" href="/news/?page=5">' in nav
    assert '<a rel="next" href="/news/?page=7">' in nav
    assert '<a class="pagination-end" href="/news/?page=12">Last »</a>' in nav
    assert '<span class="pagination-current" aria-current="page">' in nav


def test_page_two_says_so_in_its_title_and_heading_and_links_its_neighbours(client, pages):
    html = client.get("/news/?type=news&page=2").content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title == "23 news items – Page 2 of 12 – News – OSCE Portal"
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert heading == 'News <span class="heading-page">– Page 2 of 12</span>'
    head = html.split("</head>")[0]
    assert '<link rel="prev" href="/news/?type=news">' in head
    assert '<link rel="next" href="/news/?type=news&amp;page=3">' in head


def test_the_first_and_last_pages_link_only_the_neighbour_they_have(client, pages):
    first = client.get("/news/").content.decode()
    assert "<title>News – OSCE Portal</title>" in first
    assert 'rel="prev"' not in first and '<link rel="next" href="/news/?page=2">' in first
    last = client.get("/news/", {"page": 12}).content.decode()
    assert 'rel="next"' not in last and '<link rel="prev" href="/news/?page=11">' in last
    assert "« First" in nav_of(last) and "Last »" not in nav_of(last)


def test_capped_pages_say_more_than_and_offer_no_last(client, pages, monkeypatch):
    monkeypatch.setattr("news.listing.pagination.MAX_PAGES", 4)
    html = client.get("/news/", {"page": 2}).content.decode()
    assert "Page 2 of more than 4" in nav_of(html)
    assert "Last »" not in nav_of(html)
    response = client.get("/news/", {"page": 5})
    assert (response.status_code, response["Location"]) == (302, "/news/?page=4")


def test_the_notice_of_many_values_stays_short(client, items):
    values = [f"gone-tag-{number}-" + "x" * 80 for number in range(20)]
    response = client.get("/news/", {"tag": values})
    assert response.status_code == 301
    assert len(response["Location"]) < 1500
    html = client.get(response["Location"]).content.decode()
    assert html.count("is not a choice any more") == notices.MAX_NOTICES

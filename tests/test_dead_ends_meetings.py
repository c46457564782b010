"""No dead ends on the meetings listing (issue 19), as on the news listing
(tests/test_dead_ends.py): a series, country, field or organiser that is no choice any more is
left out with a notice and a 301 to the address of what is left, in the listing, its calendar
and its feed; a malformed value
(a year that is no year, a page that is no whole number) is a 400 that keeps the valid choices;
a page past the end is sent to the last, and pages are numbered."""

import re

import pytest

from news.events.filters import EventFilter

from .events_data import days, make_event, page_text, series
from .test_dead_ends import target

# A value of each facet that is no choice, beside a valid choice of another filter.
UNKNOWN = [
    ("series", "no-such-series"),
    ("country", "atlantis"),
    ("field", "nothing"),
    ("organised_by", "nobody"),
]
KEPT = ("year", "2026")
FEEDS = ["/meetings/calendar.ics", "/meetings/atom/"]


def left_out(name, value):
    label = EventFilter.base_filters[name].label
    return f"{label}: “{value}” is not a choice any more, so it was left out."


@pytest.mark.parametrize(("name", "value"), UNKNOWN)
def test_an_unknown_value_is_left_out_of_the_listing_with_a_notice(
    client, no_events, frozen, name, value
):
    make_event("summit", days(-3))
    response = client.get("/meetings/", {name: value, KEPT[0]: KEPT[1]})
    assert response.status_code == 301
    path, pairs, notice = target(response)
    assert (path, pairs) == ("/meetings/", [KEPT])
    landed = client.get(response["Location"])
    assert landed.status_code == 200
    assert left_out(name, value) in page_text(landed)
    # The notice is told once: the page's canonical and language links leave it out.
    assert notice not in landed.context["canonical_url"]


def test_a_series_written_otherwise_is_read_as_its_choice(client, no_events, frozen):
    ministerial = series("ministerial-council-meetings")
    make_event("council", days(-3), series=ministerial)
    response = client.get("/meetings/", {"series": "Ministerial-Council-Meetings"})
    assert response.status_code == 301
    assert target(response)[:2] == ("/meetings/", [("series", "ministerial-council-meetings")])


@pytest.mark.parametrize("url", FEEDS)
@pytest.mark.parametrize(("name", "value"), UNKNOWN)
def test_the_calendar_and_feed_move_to_the_address_without_the_unknown_value(
    client, no_events, url, name, value
):
    response = client.get(url, {name: value, KEPT[0]: KEPT[1]})
    assert response.status_code == 301
    assert target(response) == (url, [KEPT], None)
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("url", ["/meetings/", *FEEDS])
def test_an_unknown_value_beside_a_malformed_one_is_still_a_400(visitor, no_events, url):
    response = visitor.get(url, {"country": "atlantis", "year": "abc"})
    assert response.status_code == 400


@pytest.mark.parametrize("page", ["abc", "0", "-3", "1.5"])
def test_a_page_that_is_no_whole_number_is_a_400_that_keeps_the_choices(
    visitor, no_events, frozen, page
):
    make_event("summit", days(-3))
    response = visitor.get("/meetings/", {"page": page, "year": "2026"})
    assert response.status_code == 400
    text = page_text(response)
    assert "Page: " in text
    assert 'href="/meetings/?year=2026"' in text  # "Show the results of just these choices"


@pytest.fixture
def past_pages(no_events, frozen):
    """45 past events: three pages of 20."""
    for number in range(45):
        make_event(f"past-{number:02d}", days(-10 - number))


def test_a_page_past_the_end_is_sent_to_the_last_page(client, past_pages):
    response = client.get("/meetings/", {"page": 99})
    assert response.status_code == 302  # the page may exist tomorrow: not a permanent redirect
    assert response["Location"] == "/meetings/?page=3"


def test_a_page_past_the_end_beside_an_unknown_value_goes_to_the_last_page_at_once(
    client, past_pages
):
    response = client.get("/meetings/", {"page": 99, "country": "atlantis"})
    assert response.status_code == 302
    path, pairs, notice = target(response)
    assert (path, pairs) == ("/meetings/", [("page", "3")]) and notice


def test_pages_are_numbered_and_page_two_says_so(client, past_pages):
    response = client.get("/meetings/", {"page": 2})
    text = page_text(response)
    assert re.search(r"<title>Meetings and conferences – Page 2 of 3 – ", text)
    assert 'Meetings and conferences <span class="heading-page">– Page 2 of 3</span>' in text
    assert '<link rel="prev" href="/meetings/">' in text
    assert '<link rel="next" href="/meetings/?page=3">' in text
    nav = re.search(r'<nav class="pagination".*?</nav>', text, re.S).group()
    assert "« First" in nav and "Last »" in nav
    assert [int(n) for n in re.findall(r"</span>(\d+)</(?:a|span)>", nav)] == [1, 2, 3]

"""Events beyond their own pages: the upcoming events of the taxonomy pages, the "Meetings and
conferences" menu, the sitemap, and the page cache as events start, end and close their
registration."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from news.models import Event, MeetingSeries

from .events_data import (
    NOW,
    country,
    days,
    field,
    make_event,
    page_text,
    series,
    structure,
)

# --- taxonomy pages, menu, sitemap ---------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("/fields-of-work/media-freedom-and-development/", "field=media-freedom-and-development"),
        ("/countries/finland/", "country=finland"),
        ("/structures/odihr/", "organised_by=odihr"),
    ],
)
def test_taxonomy_pages_list_their_next_five_public_events(client, no_events, frozen, url, link):
    common = {
        "country": country("finland"),
        "fields": [field("safety-of-journalists")],  # a sub-topic: its field's page shows it
        "organisers": [structure("odihr")],
    }
    make_event("over", days(-3), **common)
    make_event("draft", days(1), status=Event.Status.DRAFT, **common)
    for n in range(7):
        make_event(f"soon-{n}", days(2 + n), **common)
    make_event(
        "elsewhere", days(1), country=country("austria"), organisers=[structure("secretariat")]
    )
    response = client.get(url)
    assert [e.slug for e in response.context["upcoming_events"]] == [f"soon-{n}" for n in range(5)]
    text = page_text(response)
    assert "Upcoming meetings and conferences" in text
    assert f'href="/meetings/?{link}"' in text
    assert "/meetings/over/" not in text and "/meetings/draft/" not in text


@pytest.mark.parametrize(
    "url", ["/fields-of-work/border-management/", "/countries/finland/", "/structures/odihr/"]
)
def test_taxonomy_page_query_count_does_not_grow_with_the_events(client, no_events, frozen, url):
    counts = []
    for total in (1, 9):
        Event.objects.all().delete()
        for n in range(total):
            make_event(f"e{n}", days(n + 1), country=country("finland"),
                       fields=[field("border-management")], organisers=[structure("odihr")],
                       series=series("summit-meetings"))  # fmt: skip
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_page_without_upcoming_events_has_no_such_section(client, no_events):
    assert "Upcoming meetings and conferences" not in page_text(client.get("/countries/finland/"))


def test_the_meetings_menu_lists_the_sixteen_series_in_order_then_partnerships(
    client, reference_data
):
    text = page_text(client.get("/"))
    menu = text.split("<summary")[2].split("</details>")[0]
    assert menu.startswith(">Meetings and conferences</summary>")
    names = re.findall(r'<li[^>]*><a (?:class="[^"]+" )?href="([^"]+)">([^<]+)</a></li>', menu)
    assert [name for _url, name in names] == [
        "Summit meetings",
        "Review Conferences",
        "Ministerial Council meetings",
        "Plenary meetings of the Permanent Council",
        "Plenary Meetings of the Forum for Security Co-operation",
        "Security Review Conferences",
        "Annual Implementation Assessment Meetings",
        "Economic and Environmental Forum",
        "Economic and Environmental Dimension Implementation Meetings",
        "Human rights meetings",
        "Media conferences",
        "Cyber/ICT security conferences",
        "Conference of the Alliance against Trafficking in Persons",
        "Gender equality conferences",
        "Annual OSCE Mediterranean conferences",
        "Annual OSCE Asian conferences",
        "Partnerships",
    ]
    assert names[2][0] == "/meetings/series/ministerial-council-meetings/"
    assert names[-1][0] == "/structures/#partnerships"
    assert 'href="/meetings/">All meetings and conferences</a>' in menu
    # "Fields of work" comes just before it.
    fields_menu = text.index(">Fields of work</summary>")
    assert fields_menu < text.index(">Meetings and conferences</summary>")


def test_the_sitemap_lists_public_events_and_the_series(client, ministerial):
    make_event("draft", days(3), status=Event.Status.DRAFT)
    events = page_text(client.get("/sitemap-meetings.xml"))
    assert "http://testserver/meetings/32nd-ministerial-council/" in events
    assert "/meetings/draft/" not in events
    series_map = page_text(client.get("/sitemap-meeting-series.xml"))
    assert series_map.count("<loc>") == MeetingSeries.objects.count() == 16
    assert "http://testserver/meetings/" in page_text(client.get("/sitemap-pages.xml"))


# --- the page cache ------------------------------------------------------------------------


@pytest.fixture
def cached_pages(page_cache_on, nothing_owed):
    pass


def test_a_cached_listing_is_not_served_after_an_event_ends(
    client, no_events, cached_pages, monkeypatch
):
    event = make_event("ending", NOW - datetime.timedelta(hours=2), hours=3)  # ends in an hour
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    first = client.get("/meetings/")
    assert first["X-Cache"] == "miss" and "Upcoming" in page_text(first)
    assert client.get("/meetings/")["X-Cache"] == "hit"
    monkeypatch.setattr(timezone, "now", lambda: event.end + datetime.timedelta(seconds=1))
    later = client.get("/meetings/")
    assert later["X-Cache"] == "miss"
    assert later.context["upcoming_events"] == []
    assert [e.slug for e in later.context["past_events"]] == ["ending"]


def test_a_cached_event_page_is_renewed_when_its_registration_closes(
    client, no_events, cached_pages, monkeypatch
):
    deadline = NOW + datetime.timedelta(minutes=30)
    make_event("e", days(10), registration_url="https://r.example/", registration_deadline=deadline)
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    assert client.get("/meetings/e/")["X-Cache"] == "miss"
    assert client.get("/meetings/e/")["X-Cache"] == "hit"
    monkeypatch.setattr(timezone, "now", lambda: deadline + datetime.timedelta(seconds=1))
    response = client.get("/meetings/e/")
    assert response["X-Cache"] == "miss"
    assert "Registration is closed." in page_text(response)


def test_a_cached_event_page_shows_the_livestream_once_it_starts(
    client, no_events, cached_pages, monkeypatch
):
    event = make_event(
        "e", NOW + datetime.timedelta(minutes=10), livestream_url="https://l.example/"
    )
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    assert "https://l.example/" not in page_text(client.get("/meetings/e/"))
    monkeypatch.setattr(timezone, "now", lambda: event.start + datetime.timedelta(seconds=1))
    assert "https://l.example/" in page_text(client.get("/meetings/e/"))

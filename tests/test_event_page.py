"""An event's page (when, where, who, JSON-LD, registration, livestream, drafts) and the links
between news and events (the article's "Part of", the event's news)."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from news.models import Event, EventDocument, EventOrganiser, NewsItem
from structures.models import Structure

from .events_data import (
    VIENNA,
    country,
    days,
    json_ld,
    make_event,
    page_text,
)
from .factories import NewsItemFactory

# --- the event page ------------------------------------------------------------------------


def test_event_page_shows_what_where_who_and_documents(client, ministerial, frozen):
    response = client.get("/meetings/32nd-ministerial-council/")
    assert response.status_code == 200
    text = page_text(response)
    assert '<h1 id="event-title">32nd OSCE Ministerial Council</h1>' in text
    assert "32nd edition · Ministerial Council meetings" in text
    assert 'href="/meetings/series/ministerial-council-meetings/"' in text
    assert 'Vienna, <a href="/countries/austria/">Austria</a>' in text and "Hofburg" in text
    assert 'href="/structures/secretariat/"' in text
    assert 'href="/fields-of-work/border-management/"' in text
    assert "<p>Foreign ministers meet &amp; decide.</p>" in text
    assert '<a href="https://docs.example/a">Draft agenda</a>' in text
    assert 'href="/meetings/32nd-ministerial-council/calendar.ics"' in text
    assert 'rel="alternate" type="text/calendar"' in text


def test_event_page_names_the_chairpersonship_of_its_year(client, ministerial):
    from countries.models import Chairpersonship

    chair = Chairpersonship.objects.filter(year=2026).select_related("country").first()
    response = client.get(ministerial.get_absolute_url())
    assert response.context["chairpersonship"] == chair
    if chair and chair.country:
        assert f'<a href="{chair.country.get_absolute_url()}">' in page_text(response)


@pytest.mark.parametrize(
    ("month", "offset", "abbreviation"), [(1, "+01:00", "CET"), (7, "+02:00", "CEST")]
)
def test_times_are_in_the_venues_zone_across_summer_time(
    client, no_events, month, offset, abbreviation
):
    make_event("vienna", datetime.datetime(2026, month, 15, 10, tzinfo=VIENNA), hours=7)
    text = page_text(client.get("/meetings/vienna/"))
    assert f'<time datetime="2026-{month:02d}-15T10:00:00{offset}">10:00</time>' in text
    assert f'<time datetime="2026-{month:02d}-15T17:00:00{offset}">17:00</time>' in text
    assert f'(<abbr translate="no">{abbreviation}</abbr>, UTC{offset})' in text
    data = json_ld(client.get("/meetings/vienna/"))
    assert data["startDate"] == f"2026-{month:02d}-15T10:00:00{offset}"
    assert data["endDate"] == f"2026-{month:02d}-15T17:00:00{offset}"


def test_times_are_in_the_venues_zone_not_the_sites(client, no_events):
    # 09:00 in Astana is 05:00 or 04:00 in Vienna: the page shows Astana's time.
    astana = zoneinfo.ZoneInfo("Asia/Almaty")
    start = datetime.datetime(2010, 12, 1, 9, tzinfo=astana)
    make_event("astana", start, hours=33, time_zone="Asia/Almaty", city="Astana",
               country=country("kazakhstan"))  # fmt: skip
    text = page_text(client.get("/meetings/astana/"))
    assert '<time datetime="2010-12-01T09:00:00+06:00">1 December 2010, 09:00</time>' in text
    assert '<time datetime="2010-12-02T18:00:00+06:00">2 December 2010, 18:00</time>' in text
    assert "UTC+06:00" in text
    listing = page_text(client.get("/meetings/"))
    assert '<time datetime="2010-12-01T09:00:00+06:00">1 December 2010</time>' in listing


def test_json_ld_describes_the_event(client, ministerial):
    data = json_ld(client.get(ministerial.get_absolute_url()))
    assert data["@context"] == "https://schema.org" and data["@type"] == "Event"
    assert data["name"] == "32nd OSCE Ministerial Council"
    assert data["url"] == "http://testserver/meetings/32nd-ministerial-council/"
    assert data["startDate"] == "2026-12-03T09:30:00+01:00"
    assert data["endDate"] == "2026-12-04T17:30:00+01:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"]["@type"] == "Place"
    assert data["location"]["name"] == "Hofburg"
    assert data["location"]["address"]["addressLocality"] == "Vienna"
    assert data["location"]["address"]["addressCountry"] == "AT"
    assert [o["url"] for o in data["organizer"]] == ["http://testserver/structures/secretariat/"]
    assert data["description"] == "Foreign ministers meet & decide."


@pytest.mark.parametrize(
    ("status", "attendance", "schema_status", "mode", "location"),
    [
        ("postponed", "online", "EventPostponed", "OnlineEventAttendanceMode", "VirtualLocation"),
        ("cancelled", "hybrid", "EventCancelled", "MixedEventAttendanceMode", "Place"),
    ],
)
def test_json_ld_status_and_attendance(
    client, no_events, status, attendance, schema_status, mode, location
):
    make_event(
        "e", days(3), status=status, attendance=attendance, livestream_url="https://l.example/"
    )
    data = json_ld(client.get("/meetings/e/"))
    assert data["eventStatus"] == f"https://schema.org/{schema_status}"
    assert data["eventAttendanceMode"] == f"https://schema.org/{mode}"
    first = data["location"][0] if isinstance(data["location"], list) else data["location"]
    assert first["@type"] == location
    if attendance == "hybrid":
        assert data["location"][1] == {"@type": "VirtualLocation", "url": "https://l.example/"}


def test_a_title_cannot_break_out_of_the_json_ld(client, no_events):
    title = '</script><script>alert("x")</script><!--'
    make_event("xss", days(3), title=title)
    response = client.get("/meetings/xss/")
    assert "<script>alert" not in page_text(response)
    assert json_ld(response)["name"] == title


@pytest.mark.parametrize("status", ["postponed", "cancelled"])
def test_a_postponed_or_cancelled_event_says_so_with_its_note(client, no_events, frozen, status):
    make_event("e", days(3), status=status, status_note="Moved to <b>spring</b>.",
               registration_url="https://r.example/")  # fmt: skip
    text = page_text(client.get("/meetings/e/"))
    assert f"This event has been {status}." in text
    assert "Moved to &lt;b&gt;spring&lt;/b&gt;." in text
    assert "https://r.example/" not in text


def test_registration_is_open_until_its_deadline_then_closed(client, no_events, monkeypatch):
    deadline = days(5)
    make_event("e", days(10), registration_url="https://r.example/", registration_deadline=deadline)
    monkeypatch.setattr(timezone, "now", lambda: deadline - datetime.timedelta(minutes=1))
    text = page_text(client.get("/meetings/e/"))
    assert 'href="https://r.example/"' in text and "Registration closes on" in text
    monkeypatch.setattr(timezone, "now", lambda: deadline + datetime.timedelta(minutes=1))
    text = page_text(client.get("/meetings/e/"))
    assert "https://r.example/" not in text and "Registration is closed." in text


def test_the_livestream_is_linked_only_while_the_event_is_live(client, no_events, monkeypatch):
    event = make_event("e", days(10), hours=2, livestream_url="https://live.example/")
    for moment, shown in [
        (event.start - datetime.timedelta(minutes=1), False),
        (event.start + datetime.timedelta(minutes=1), True),
        (event.end + datetime.timedelta(minutes=1), False),
    ]:
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
        assert ("https://live.example/" in page_text(client.get("/meetings/e/"))) is shown


def test_a_draft_event_is_a_404(client, no_events):
    make_event("draft", days(3), status=Event.Status.DRAFT)
    assert client.get("/meetings/draft/").status_code == 404
    assert client.get("/meetings/no-such-event/").status_code == 404


# --- news and events -----------------------------------------------------------------------


def test_an_article_says_which_event_it_is_part_of(client, ministerial):
    item = NewsItemFactory(title="Ministers agree", event=ministerial)
    text = page_text(client.get(item.get_absolute_url()))
    assert "Part of" in text
    assert '<a href="/meetings/32nd-ministerial-council/">32nd OSCE Ministerial Council</a>' in text


def test_an_article_does_not_link_a_draft_event(client, no_events):
    draft = make_event("draft", days(3), status=Event.Status.DRAFT)
    item = NewsItemFactory(event=draft)
    text = page_text(client.get(item.get_absolute_url()))
    assert "/meetings/draft/" not in text and "Part of" not in text


def test_the_article_finds_its_event_without_a_query_more(
    client, ministerial, django_assert_num_queries
):
    plain = NewsItemFactory()
    linked = NewsItemFactory(event=ministerial)
    client.get(plain.get_absolute_url())  # warms the menu cache
    with CaptureQueriesContext(connection) as without_event:
        client.get(plain.get_absolute_url())
    with CaptureQueriesContext(connection) as with_event:
        client.get(linked.get_absolute_url())
    assert len(with_event) == len(without_event)


def test_the_event_page_lists_its_public_news_newest_first(client, ministerial):
    older = NewsItemFactory(title="Ministers arrive", event=ministerial,
                            published_at=timezone.now() - datetime.timedelta(days=2))  # fmt: skip
    newer = NewsItemFactory(title="Ministers agree", event=ministerial)
    NewsItemFactory(title="Draft statement", event=ministerial, status=NewsItem.Status.DRAFT)
    NewsItemFactory(title="Scheduled statement", event=ministerial,
                    published_at=timezone.now() + datetime.timedelta(days=1))  # fmt: skip
    NewsItemFactory(title="Unrelated item")
    response = client.get(ministerial.get_absolute_url())
    assert list(response.context["related_news"]) == [newer, older]
    text = page_text(response)
    assert f'href="{newer.get_absolute_url()}"' in text
    for title in ("Draft statement", "Scheduled statement", "Unrelated item"):
        assert title not in text


def test_event_page_query_count_does_not_grow_with_its_links(client, ministerial):
    counts = []
    for total in (1, 8):
        for n in range(total):
            NewsItemFactory(event=ministerial)
            EventDocument.objects.create(
                event=ministerial, title=f"Doc {n}", url="https://d.example/"
            )
            EventOrganiser.objects.get_or_create(
                event=ministerial, structure=Structure.objects.order_by("pk")[n]
            )
        client.get(ministerial.get_absolute_url())
        with CaptureQueriesContext(connection) as queries:
            assert client.get(ministerial.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8, counts

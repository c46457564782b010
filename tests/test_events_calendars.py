"""The meetings' calendars (.ics, RFC 5545) and Atom feed (news/events/calendars.py): read back
with the icalendar library and an XML parser, as a calendar app and a feed reader would."""

import datetime
import re
import xml.etree.ElementTree as ET
import zoneinfo

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from countries.models import Country
from news.models import Event, EventOrganiser, FieldOfWork, MeetingSeries
from structures.models import Structure

pytestmark = pytest.mark.usefixtures("reference_data", "no_events")

VIENNA = zoneinfo.ZoneInfo("Europe/Vienna")
ATOM = "{http://www.w3.org/2005/Atom}"


def make_event(slug, *, series="ministerial-council-meetings", start=None, days=2, **values):
    start = start or timezone.now() + datetime.timedelta(days=30)
    event = Event.objects.create(
        slug=slug,
        title=values.pop("title", slug.replace("-", " ").capitalize()),
        series=MeetingSeries.objects.get(slug=series) if series else None,
        start=start,
        end=start + datetime.timedelta(days=days),
        status=values.pop("status", Event.Status.PUBLISHED),
        **values,
    )
    EventOrganiser.objects.create(event=event, structure=Structure.objects.get(slug="secretariat"))
    return event


@pytest.fixture
def no_events(reference_data):
    """Only the events a test makes (the reference data's editions removed for the test)."""
    Event.objects.all().delete()


def parse(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    return icalendar.Calendar.from_ical(response.content)


def events_of(cal):
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}


def edit(event, **values):
    """An editor's save: the version moves on (as the admin does), with the changes given."""
    for name, value in values.items():
        setattr(event, name, value)
    event.version += 1
    event.save()


@pytest.fixture
def council(db):
    return make_event(
        "ministerial-council-2030",
        title="Ministerial Council 2030",
        start=datetime.datetime(2030, 12, 4, 9, 30, tzinfo=VIENNA),
        time_zone="Europe/Vienna",
        city="Vienna",
        country=Country.objects.get(slug="austria"),
        venue="Hofburg",
        description="<p>The <strong>annual</strong> meeting.</p><ul><li>One</li></ul>",
    )


# --- one event ----------------------------------------------------------------------------------


def test_single_event_calendar_is_rfc5545_with_the_expected_properties(client, council):
    cal = parse(client.get(f"/meetings/{council.slug}/calendar.ics"))
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert cal["PRODID"] and cal["X-WR-CALNAME"] == "Ministerial Council 2030"
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == f"{council.uid}@osce-portal"
    assert str(event["SUMMARY"]) == "Ministerial Council 2030"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert str(event["LOCATION"]) == "Hofburg, Vienna, Austria"
    assert str(event["URL"]) == "http://testserver/meetings/ministerial-council-2030/"
    assert "The annual meeting." in str(event["DESCRIPTION"])
    assert "<" not in str(event["DESCRIPTION"])
    assert event.categories == ["Ministerial Council meetings"]
    assert event["DTSTAMP"] and event["LAST-MODIFIED"]


def test_times_carry_the_venues_zone_defined_by_a_vtimezone(client, council):
    cal = parse(client.get(f"/meetings/{council.slug}/calendar.ics"))
    (event,) = cal.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Vienna"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Vienna"]
    assert event.start == council.start and event.end == council.end


def test_the_instant_is_right_on_both_sides_of_a_dst_change(client):
    # 09:00 in Vienna is 07:00 UTC in summer (CEST) and 08:00 UTC in winter (CET).
    summer = make_event("summer", start=datetime.datetime(2031, 3, 29, 9, tzinfo=VIENNA), days=1)
    winter = make_event("winter", start=datetime.datetime(2031, 3, 30, 9, tzinfo=VIENNA), days=0)
    text = client.get("/meetings/calendar.ics?year=2031").content
    assert text.count(b"DTSTART;TZID=Europe/Vienna:") == 2
    assert b"DTSTART;TZID=Europe/Vienna:20310329T090000" in text
    assert b"DTSTART;TZID=Europe/Vienna:20310330T090000" in text
    cal = icalendar.Calendar.from_ical(text)
    starts = {str(e["UID"]): e.start.astimezone(datetime.UTC) for e in cal.walk("VEVENT")}
    assert starts[f"{summer.uid}@osce-portal"] == datetime.datetime(
        2031, 3, 29, 8, tzinfo=datetime.UTC
    )
    assert starts[f"{winter.uid}@osce-portal"] == datetime.datetime(
        2031, 3, 30, 7, tzinfo=datetime.UTC
    )


def test_an_event_in_another_zone_is_given_in_that_zone(client):
    almaty = zoneinfo.ZoneInfo("Asia/Almaty")
    event = make_event(
        "astana-summit", start=datetime.datetime(2030, 12, 1, 10, tzinfo=almaty),
        time_zone="Asia/Almaty",
    )  # fmt: skip
    cal = parse(client.get(f"/meetings/{event.slug}/calendar.ics"))
    (vevent,) = cal.walk("VEVENT")
    assert vevent["DTSTART"].params["TZID"] == "Asia/Almaty"
    assert vevent.start == event.start
    assert "Asia/Almaty" in [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")]


def test_uid_stays_and_sequence_rises_when_the_event_is_edited(client, council):
    before = parse(client.get(f"/meetings/{council.slug}/calendar.ics")).walk("VEVENT")[0]
    day = datetime.timedelta(days=1)
    edit(
        council, title="Ministerial Council 2030", start=council.start + day, end=council.end + day
    )
    after = parse(client.get(f"/meetings/{council.slug}/calendar.ics")).walk("VEVENT")[0]
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.start == before.start + datetime.timedelta(days=1)


def test_a_cancelled_event_says_so_with_its_note(client, council):
    edit(council, status=Event.Status.CANCELLED, status_note="Cancelled for lack of quorum.")
    (event,) = parse(client.get(f"/meetings/{council.slug}/calendar.ics")).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["DESCRIPTION"]).startswith("Cancelled for lack of quorum.")
    assert str(event["SUMMARY"]).startswith("Cancelled")


def test_a_postponed_event_is_tentative(client, council):
    edit(council, status=Event.Status.POSTPONED)
    (event,) = parse(client.get(f"/meetings/{council.slug}/calendar.ics")).walk("VEVENT")
    assert str(event["STATUS"]) == "TENTATIVE"


def test_a_draft_has_no_calendar(client, council):
    edit(council, status=Event.Status.DRAFT)
    assert client.get(f"/meetings/{council.slug}/calendar.ics").status_code == 404
    assert client.get("/meetings/no-such-event/calendar.ics").status_code == 404


def test_an_event_before_1970_gets_its_time_zone_too(client):
    helsinki = zoneinfo.ZoneInfo("Europe/Helsinki")
    event = make_event(
        "helsinki-1975", series="summit-meetings",
        start=datetime.datetime(1975, 7, 30, 10, tzinfo=helsinki), time_zone="Europe/Helsinki",
    )  # fmt: skip
    cal = parse(client.get(f"/meetings/{event.slug}/calendar.ics"))
    assert cal.walk("VEVENT")[0].start == event.start
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Helsinki"]


def test_an_edition_known_by_its_days_is_a_whole_day_event(client, no_events):
    # 00:00 to 23:59 in the venue's time: the days, with DTEND the day after (RFC 5545).
    malta = zoneinfo.ZoneInfo("Europe/Malta")
    event = make_event(
        "valletta", start=datetime.datetime(2024, 12, 5, tzinfo=malta),
        days=1, time_zone="Europe/Malta",
    )  # fmt: skip
    Event.objects.filter(pk=event.pk).update(
        end=datetime.datetime(2024, 12, 6, 23, 59, tzinfo=malta)
    )
    vevent = parse(client.get("/meetings/valletta/calendar.ics")).walk("VEVENT")[0]
    assert vevent["DTSTART"].dt == datetime.date(2024, 12, 5)
    assert vevent["DTEND"].dt == datetime.date(2024, 12, 7)
    assert "VALUE=DATE" in vevent.to_ical().decode().replace("\r\n ", "")
    page = client.get("/meetings/valletta/").content.decode()
    assert '<time datetime="2024-12-05T00:00:00+01:00">5 December 2024</time>' in page
    assert ">6 December 2024</time>" in page and "23:59</time>" not in page
    assert '"startDate": "2024-12-05", "endDate": "2024-12-06"' in page


def test_control_characters_an_editor_pasted_are_left_out(client, council):
    edit(council, title="Council\x1b[31m 2030\x7f", venue="Hof\rburg", status_note="A\x0cB")
    response = client.get(f"/meetings/{council.slug}/calendar.ics")
    lines = response.content.split(b"\r\n")
    assert not [line for line in lines if re.search(rb"[\x00-\x08\x0a-\x1f\x7f]", line)]
    (event,) = parse(response).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Council[31m 2030"
    assert str(event["LOCATION"]).startswith("Hofburg")
    assert str(event["DESCRIPTION"]).startswith("AB")


def test_a_calendar_under_a_language_prefix_is_the_same_event(client, council):
    english = parse(client.get(f"/meetings/{council.slug}/calendar.ics")).walk("VEVENT")[0]
    russian = parse(client.get(f"/ru/meetings/{council.slug}/calendar.ics")).walk("VEVENT")[0]
    assert russian["UID"] == english["UID"]
    assert str(russian["URL"]).startswith("http://testserver/ru/meetings/")


def test_single_event_calendar_costs_one_query(client, council):
    with CaptureQueriesContext(connection) as queries:
        parse(client.get(f"/meetings/{council.slug}/calendar.ics"))
    assert len(queries) == 1


# --- the listing's calendar ---------------------------------------------------------------------


def test_listing_calendar_holds_the_public_events_of_its_filter(client, council):
    make_event("a-summit", title="A summit", series="summit-meetings")
    make_event("a-draft", title="A draft", status=Event.Status.DRAFT)
    cancelled = make_event("a-cancelled", title="Gone", status=Event.Status.CANCELLED)
    everything = events_of(parse(client.get("/meetings/calendar.ics")))
    assert set(everything) == {"Ministerial Council 2030", "A summit", "Cancelled: Gone"}
    assert str(everything["Cancelled: Gone"]["UID"]) == f"{cancelled.uid}@osce-portal"
    council_only = parse(client.get("/meetings/calendar.ics?series=ministerial-council-meetings"))
    assert set(events_of(council_only)) == {"Ministerial Council 2030", "Cancelled: Gone"}
    assert "Ministerial Council meetings" in str(council_only["X-WR-CALNAME"])


def test_listing_calendar_filters_by_year_country_field_and_organiser(client, council):
    other = make_event(
        "elsewhere", title="Elsewhere", start=datetime.datetime(2032, 5, 1, tzinfo=VIENNA)
    )
    field = FieldOfWork.objects.get(slug="border-management")
    council.fields_of_work.add(field)
    odihr = Structure.objects.get(slug="odihr")
    EventOrganiser.objects.create(event=other, structure=odihr, position=1)
    for query, expected in (
        ("year=2030", {"Ministerial Council 2030"}),
        ("year=2032", {"Elsewhere"}),
        ("country=austria", {"Ministerial Council 2030"}),
        ("field=border-management", {"Ministerial Council 2030"}),
        ("organised_by=odihr", {"Elsewhere"}),
        ("organised_by=odihr&year=2030", set()),
    ):
        assert set(events_of(parse(client.get(f"/meetings/calendar.ics?{query}")))) == expected, (
            query
        )


@pytest.mark.parametrize(
    "query",
    ["year=abc", "year=99999", "field=%00",
     "year=" + "&year=".join(str(y) for y in range(2000, 2100))],
)  # fmt: skip
def test_a_bad_filter_is_a_plain_400(visitor, query):
    for path in ("/meetings/calendar.ics", "/meetings/atom/"):
        response = visitor.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert response["Content-Type"].startswith("text/plain")
        assert response.content.startswith(b"Invalid filter.")


def test_listing_calendar_is_capped_at_the_latest_events(client, settings, monkeypatch):
    from news.events import calendars

    monkeypatch.setattr(calendars, "CALENDAR_LENGTH", 3)
    base = datetime.datetime(2030, 1, 1, tzinfo=VIENNA)
    for n in range(5):
        make_event(f"event-{n}", title=f"Event {n}", start=base + datetime.timedelta(days=10 * n))
    cal = parse(client.get("/meetings/calendar.ics"))
    assert set(events_of(cal)) == {"Event 2", "Event 3", "Event 4"}


def test_listing_calendar_queries_do_not_grow_with_the_events(client):
    def queries_for(count):
        for n in range(count):
            event = make_event(f"q{count}-{n}", series="summit-meetings" if n % 2 else None,
                               country=Country.objects.get(slug="austria"))  # fmt: skip
            event.fields_of_work.add(FieldOfWork.objects.get(slug="border-management"))
        with CaptureQueriesContext(connection) as queries:
            parse(client.get("/meetings/calendar.ics?country=austria"))
        return len(queries)

    few, many = queries_for(2), queries_for(20)
    assert few == many <= 2


# --- the Atom feed ------------------------------------------------------------------------------


def test_atom_feed_lists_the_public_events_of_its_filter(client, council):
    make_event("a-summit", title="A summit", series="summit-meetings")
    make_event("a-draft", title="A draft", status=Event.Status.DRAFT)
    response = client.get("/meetings/atom/?series=ministerial-council-meetings")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert "Ministerial Council meetings" in feed.find(f"{ATOM}title").text
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Ministerial Council 2030"]
    (entry,) = entries
    assert entry.find(f"{ATOM}id").text == f"urn:uuid:{council.uid}"
    assert (
        entry.find(f"{ATOM}link").get("href")
        == "http://testserver/meetings/ministerial-council-2030/"
    )
    assert "Hofburg, Vienna, Austria" in entry.find(f"{ATOM}summary").text
    assert {c.get("term") for c in entry.findall(f"{ATOM}category")} == {
        "Ministerial Council meetings"
    }
    self_link = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link[0].get("href").endswith("/meetings/atom/?series=ministerial-council-meetings")


def test_atom_entry_of_a_cancelled_event_says_so(client, council):
    edit(council, status=Event.Status.CANCELLED, status_note="No quorum.")
    feed = ET.fromstring(client.get("/meetings/atom/").content)
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text.startswith("Cancelled")
    assert "No quorum." in entry.find(f"{ATOM}summary").text


def test_atom_feed_queries_do_not_grow_with_the_events(client):
    def queries_for(count):
        for n in range(count):
            event = make_event(f"a{count}-{n}", series="summit-meetings")
            event.fields_of_work.add(FieldOfWork.objects.get(slug="border-management"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/meetings/atom/?series=summit-meetings").status_code == 200
        return len(queries)

    few, many = queries_for(2), queries_for(20)
    assert few == many <= 5  # the series, the events, organisers and their structures, fields


# --- the page cache's key (news/page_keys.py) ---------------------------------------------------


@pytest.mark.parametrize("path", ["/meetings/calendar.ics", "/meetings/atom/"])
@pytest.mark.parametrize(
    ("param", "values"),
    [
        ("series", ("summit-meetings", "ministerial-council-meetings")),
        ("year", ("2031", "2030")),
        ("country", ("tajikistan", "austria")),
        ("field", ("elections", "border-management")),
        ("organised_by", ("secretariat", "odihr")),
    ],
)
def test_the_order_of_a_filters_values_is_nothing_to_the_answer(client, path, param, values):
    # The page key sorts the values of each parameter (EVENT_LISTING_READS): both orders must
    # be one page, bytes included.
    austria = Country.objects.get(slug="austria")
    make_event("one", start=datetime.datetime(2030, 6, 1, tzinfo=VIENNA), country=austria)
    forward = client.get(f"{path}?{param}={values[0]}&{param}={values[1]}")
    backward = client.get(f"{path}?{param}={values[1]}&{param}={values[0]}")
    assert forward.status_code == 200
    assert forward.content == backward.content


@pytest.mark.parametrize("path", ["/meetings/calendar.ics", "/meetings/atom/"])
def test_an_empty_answer_is_the_same_bytes_each_time(client, path):
    first = client.get(f"{path}?year=1900").content
    assert client.get(f"{path}?year=1900").content == first

"""The meetings listing (`/meetings/`: upcoming then past events, facets, the active-filter
sentence, bad input) and the series pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from news.models import Event

from .events_data import (
    VIENNA,
    country,
    days,
    field,
    make_event,
    page_text,
    series,
    structure,
)

# --- the listing ---------------------------------------------------------------------------


def test_upcoming_events_come_first_soonest_first_then_past_ones_newest_first(
    client, no_events, frozen
):
    make_event("long-ago", days(-400))
    make_event("last-week", days(-7))
    make_event("running", days(-1), hours=48)  # started yesterday, ends tomorrow
    make_event("next-month", days(30))
    make_event("next-week", days(7))
    response = client.get("/meetings/")
    assert response.status_code == 200
    upcoming = [event.slug for event in response.context["upcoming_events"]]
    past = [event.slug for event in response.context["past_events"]]
    assert upcoming == ["running", "next-week", "next-month"]
    assert past == ["last-week", "long-ago"]
    text = page_text(response)
    positions = [text.index(f"/meetings/{slug}/") for slug in upcoming + past]
    assert positions == sorted(positions)
    assert "5 events" in response.context["summary"]


def test_an_event_moves_to_the_past_when_it_ends(client, no_events, monkeypatch):
    event = make_event("ending", days(-1), hours=24)  # ends at NOW
    monkeypatch.setattr(timezone, "now", lambda: event.end - datetime.timedelta(seconds=1))
    assert [e.slug for e in client.get("/meetings/").context["upcoming_events"]] == ["ending"]
    monkeypatch.setattr(timezone, "now", lambda: event.end + datetime.timedelta(seconds=1))
    response = client.get("/meetings/")
    assert response.context["upcoming_events"] == []
    assert [e.slug for e in response.context["past_events"]] == ["ending"]


def test_drafts_are_not_listed(client, no_events, frozen):
    make_event("public", days(3))
    make_event("draft", days(4), status=Event.Status.DRAFT)
    make_event("cancelled", days(5), status=Event.Status.CANCELLED)
    response = client.get("/meetings/")
    assert [e.slug for e in response.context["upcoming_events"]] == ["public", "cancelled"]
    assert "/meetings/draft/" not in page_text(response)


@pytest.fixture
def varied_events(no_events, frozen):
    """Events across series, years, countries, fields (one on a sub-topic) and organisers."""
    mc, pc = series("ministerial-council-meetings"), series("summit-meetings")
    finland, austria = country("finland"), country("austria")
    media = field("media-freedom-and-development")
    safety = field("safety-of-journalists")  # a sub-topic of media freedom
    borders = field("border-management")
    secretariat, odihr = structure("secretariat"), structure("odihr")
    specs = [
        ("e1", mc, 2025, finland, [media], [secretariat]),
        ("e2", mc, 2024, austria, [safety], [secretariat, odihr]),
        ("e3", pc, 2025, austria, [borders], [odihr]),
        ("e4", pc, 2024, finland, [media, safety], []),
        ("e5", None, 2026, None, [], [secretariat]),
        ("e6", mc, 2026, finland, [borders, safety], [odihr]),
    ]
    events = []
    for slug, in_series, year, where, fields, organisers in specs:
        make_event(
            slug,
            datetime.datetime(year, 6, 1, 10, tzinfo=VIENNA),
            series=in_series,
            country=where,
            fields=fields,
            organisers=organisers,
        )
        events.append(
            {
                "slug": slug,
                "series": in_series.slug if in_series else None,
                "year": year,
                "country": where.slug if where else None,
                # A field covers its sub-topics' events, as its filter does.
                "field": {f.slug for f in fields}
                | {"media-freedom-and-development" for f in fields if f == safety},
                "organised_by": {s.slug for s in organisers},
            }
        )
    return events


def matches(event, name, values):
    value = event[name]
    if isinstance(value, set):
        return bool(value & set(values))
    return (str(value) if name == "year" else value) in values


def expected_counts(events, query):
    """The facet counts computed in plain Python: for each option, the events under every other
    active filter that have it."""
    counts = {}
    for name in ("series", "year", "country", "field", "organised_by"):
        others = [
            e
            for e in events
            if all(matches(e, other, values) for other, values in query.items() if other != name)
        ]
        tally = {}
        for event in others:
            value = event[name]
            for option in value if isinstance(value, set) else [value]:
                if option is not None:
                    tally[str(option)] = tally.get(str(option), 0) + 1
        counts[name] = tally
    return counts


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"series": ["ministerial-council-meetings"]},
        {"series": ["ministerial-council-meetings"], "country": ["finland"]},
        {"field": ["media-freedom-and-development"], "year": ["2024", "2025"]},
        {"organised_by": ["odihr"], "field": ["safety-of-journalists"]},
    ],
)
def test_facet_counts_are_what_each_option_would_give(client, varied_events, query):
    response = client.get("/meetings/", query, follow=True)
    assert response.status_code == 200
    expected = expected_counts(varied_events, query)
    for facet in response.context["facets"]:
        shown = {option.value: option.count for option in facet.options if option.count}
        assert shown == expected[facet.name], facet.name
    listed = {e.slug for e in response.context["past_events"]} | {
        e.slug for e in response.context["upcoming_events"]
    }
    assert listed == {
        e["slug"]
        for e in varied_events
        if all(matches(e, name, values) for name, values in query.items())
    }


def test_the_sentence_and_chips_state_the_active_filters(client, varied_events):
    response = client.get(
        "/meetings/",
        {"organised_by": "odihr", "series": "ministerial-council-meetings"},
        follow=True,
    )
    summary = response.context["summary"]
    assert summary == (
        "2 events of the series Ministerial Council meetings, organised by the OSCE Office "
        "for Democratic Institutions and Human Rights"
    ) or summary.startswith("2 events of the series Ministerial Council meetings, organised by")
    chips = {chip.value: chip.remove_query for chip in response.context["active_filters"]}
    assert chips == {
        "odihr": "series=ministerial-council-meetings",
        "ministerial-council-meetings": "organised_by=odihr",
    }
    response = client.get("/meetings/", {"year": "2025", "country": "finland"}, follow=True)
    assert response.context["summary"] == "1 event in Finland, in 2025"


def test_a_query_is_sent_to_its_canonical_address(client, no_events):
    response = client.get("/meetings/?year=2025&series=summit-meetings&junk=1&year=2025")
    assert response.status_code == 301
    assert response["Location"] == "/meetings/?series=summit-meetings&year=2025"
    assert client.get("/meetings/?page=1")["Location"] == "/meetings/"


def test_the_listing_links_its_calendar_and_feed_with_the_same_filters(client, varied_events):
    text = page_text(client.get("/meetings/?series=summit-meetings"))
    calendar = "/meetings/calendar.ics?series=summit-meetings"
    assert f'<link rel="alternate" type="text/calendar" href="{calendar}"' in text
    assert 'type="application/atom+xml" href="/meetings/atom/?series=summit-meetings"' in text
    assert f'<a href="{calendar}" type="text/calendar">' in text


@pytest.mark.parametrize(
    "query",
    [
        "year=abc",
        "year=99999",
        "year=1850",
        "year=-3",
        "year=²",
        "year=" + "9" * 5000,  # more digits than int() reads
        "year=",
        "series=a%00b",
        "year=20%0025",
        "&".join(f"year={2000 + n}" for n in range(21)),
        "&".join(["country=finland"] * 21),
    ],
)
def test_bad_filters_are_a_400_page_with_a_message(visitor, no_events, query):
    response = visitor.get(f"/meetings/?{query}")
    assert response.status_code == 400
    assert "Some filters could not be understood" in page_text(response)


def test_past_events_are_paginated(client, no_events, frozen):
    for n in range(25):
        make_event(f"past-{n:02d}", days(-10 - n))
    make_event("soon", days(2))
    first = client.get("/meetings/")
    assert [e.slug for e in first.context["upcoming_events"]] == ["soon"]
    assert len(first.context["past_events"]) == 20
    assert first.context["paginator"].count == 25
    second = client.get("/meetings/?page=2")
    assert second.context["upcoming_events"] == []
    assert [e.slug for e in second.context["past_events"]] == [
        f"past-{n:02d}" for n in range(20, 25)
    ]


def test_listing_query_count_does_not_grow_with_the_events(client, no_events, frozen):
    counts = []
    secretariat, odihr = structure("secretariat"), structure("odihr")
    for total in (3, 15):
        Event.objects.all().delete()
        for n in range(total):
            make_event(
                f"e{n}",
                days(n - total // 2),
                series=series("summit-meetings"),
                country=country("finland"),
                fields=[field("border-management")],
                organisers=[secretariat, odihr],
            )
        client.get("/meetings/")  # warms the menu cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/meetings/?field=border-management").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 16, counts


# --- the series page -----------------------------------------------------------------------


def test_series_page_lists_its_published_editions_by_year(client, no_events):
    mc = series("ministerial-council-meetings")
    mc.description = "The central decision-making body of the OSCE."
    mc.save()
    make_event("mc-2024", datetime.datetime(2024, 12, 5, 9, tzinfo=VIENNA), series=mc)
    make_event("mc-2025", datetime.datetime(2025, 12, 4, 9, tzinfo=VIENNA), series=mc)
    make_event("mc-2026", datetime.datetime(2026, 12, 3, 9, tzinfo=VIENNA), series=mc,
               status=Event.Status.DRAFT)  # fmt: skip
    make_event("other", datetime.datetime(2025, 6, 1, 9, tzinfo=VIENNA))
    response = client.get(mc.get_absolute_url())
    assert response.status_code == 200
    assert [(year, [e.slug for e in events]) for year, events in response.context["years"]] == [
        (2025, ["mc-2025"]),
        (2024, ["mc-2024"]),
    ]
    text = page_text(response)
    assert "The central decision-making body of the OSCE." in text
    assert '<h3 id="year-2025">2025</h3>' in text
    assert "/meetings/mc-2026/" not in text and "/meetings/other/" not in text


def test_unknown_series_is_a_404(client, no_events):
    assert client.get("/meetings/series/no-such-series/").status_code == 404


def test_series_page_query_count_does_not_grow_with_its_editions(client, no_events):
    mc = series("ministerial-council-meetings")
    counts = []
    for total in (2, 12):
        Event.objects.all().delete()
        for n in range(total):
            make_event(f"mc-{n}", datetime.datetime(2000 + n, 12, 1, 9, tzinfo=VIENNA), series=mc,
                       country=country("austria"))  # fmt: skip
        client.get(mc.get_absolute_url())
        with CaptureQueriesContext(connection) as queries:
            client.get(mc.get_absolute_url())
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 3, counts

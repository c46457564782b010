"""Events for the tests of the meetings pages (tests/test_event*.py): made in the tests
themselves, with time frozen where it matters; pytest fixtures and plain helpers."""

import datetime
import json
import re
import zoneinfo

import pytest
from django.utils import timezone

from countries.models import Country
from news.models import Event, EventDocument, EventOrganiser, FieldOfWork, MeetingSeries, NewsItem
from structures.models import Structure

VIENNA = zoneinfo.ZoneInfo("Europe/Vienna")
# The moment the tests that freeze time stand at.
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def no_events(reference_data):
    """Only the events a test creates (the reference data may hold real editions)."""
    NewsItem.objects.filter(event__isnull=False).update(event=None)
    Event.objects.all().delete()


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def make_event(slug, start, *, hours=8, organisers=(), fields=(), **values):
    """A published event of `hours` from `start` (an aware datetime)."""
    values = {
        "title": f"Event {slug}",
        "status": Event.Status.PUBLISHED,
        "time_zone": "Europe/Vienna",
        "city": "Vienna",
        **values,
    }
    event = Event.objects.create(
        slug=slug, start=start, end=start + datetime.timedelta(hours=hours), **values
    )
    EventOrganiser.objects.bulk_create(
        EventOrganiser(event=event, structure=structure, position=index)
        for index, structure in enumerate(organisers)
    )
    if fields:
        event.fields_of_work.set(fields)
    return event


def series(slug):
    return MeetingSeries.objects.get(slug=slug)


def structure(slug):
    return Structure.objects.get(slug=slug)


def country(slug):
    return Country.objects.get(slug=slug)


def field(slug):
    return FieldOfWork.objects.get(slug=slug)


def days(n):
    return NOW + datetime.timedelta(days=n)


def page_text(response):
    return response.content.decode()


def json_ld(response):
    found = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', page_text(response), re.S
    )
    assert found, "no JSON-LD on the page"
    return json.loads(found.group(1))


@pytest.fixture
def ministerial(no_events):
    """The 32nd Ministerial Council, in Vienna in December: a full event."""
    event = make_event(
        "32nd-ministerial-council",
        datetime.datetime(2026, 12, 3, 9, 30, tzinfo=VIENNA),
        hours=32,
        title="32nd OSCE Ministerial Council",
        series=series("ministerial-council-meetings"),
        edition="32nd",
        country=country("austria"),
        venue="Hofburg",
        description="<p>Foreign ministers meet &amp; decide.</p>",
        organisers=[structure("secretariat")],
        fields=[field("border-management")],
        registration_url="https://register.example/mc",
        registration_deadline=datetime.datetime(2026, 11, 20, 18, tzinfo=VIENNA),
        livestream_url="https://live.example/mc",
    )
    EventDocument.objects.create(event=event, title="Draft agenda", url="https://docs.example/a")
    return event

"""A visitor finds a meeting through the "Meetings and conferences" menu, adds it to their
calendar and reads its news, in a real browser; the meetings pages pass axe-core."""

import datetime
import re

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from countries.models import Country
from news.models import Event, EventOrganiser, MeetingSeries, NewsItem
from structures.models import Structure

from ..factories import NewsItemFactory
from .axe_checks import blocking, describe, violations_on
from .test_visitor import arrive

pytestmark = pytest.mark.browser

TITLE = "32nd OSCE Ministerial Council"
NEWS_TITLE = "Ministers adopt the Vienna declaration"


@pytest.fixture
def ministerial(live_site):
    """An upcoming Ministerial Council with a public news item (and a draft one) about it."""
    Event.objects.filter(slug="browser-ministerial-council").delete()
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=20)
    event = Event.objects.create(
        slug="browser-ministerial-council",
        title=TITLE,
        edition="32nd",
        series=MeetingSeries.objects.get(slug="ministerial-council-meetings"),
        start=start,
        end=start + datetime.timedelta(hours=30),
        time_zone="Europe/Vienna",
        city="Vienna",
        country=Country.objects.get(slug="austria"),
        venue="Hofburg",
        description="<p>The foreign ministers of the participating States meet.</p>",
        status=Event.Status.PUBLISHED,
    )
    EventOrganiser.objects.create(event=event, structure=Structure.objects.get(slug="secretariat"))
    Event.objects.filter(slug="browser-cancelled-conference").delete()
    Event.objects.create(
        slug="browser-cancelled-conference",
        title="A cancelled conference",
        series=MeetingSeries.objects.get(slug="media-conferences"),
        start=start + datetime.timedelta(days=3),
        end=start + datetime.timedelta(days=3, hours=6),
        time_zone="Asia/Almaty",
        city="Astana",
        country=Country.objects.get(slug="kazakhstan"),
        attendance=Event.Attendance.HYBRID,
        status=Event.Status.CANCELLED,
        status_note="The conference will not take place this year.",
    )
    NewsItemFactory(slug="browser-mc-news", title=NEWS_TITLE, event=event)
    NewsItemFactory(slug="browser-mc-draft", title="A draft about it", event=event,
                    status=NewsItem.Status.DRAFT)  # fmt: skip
    return event


@pytest.mark.parametrize("device", ["desktop", "mobile"], indirect=True)
def test_visitor_finds_a_ministerial_council_adds_it_to_a_calendar_and_reads_its_news(
    page, screenshot, ministerial
):
    page.goto("/")
    arrive(page, screenshot)

    menu_button = page.get_by_role("button", name="Menu")
    if menu_button.is_visible():  # on a phone the menu opens from the header's "Menu"
        menu_button.click()
    menu = page.get_by_role("navigation", name="Main")
    menu.locator("summary", has_text="Meetings and conferences").click()
    series_link = menu.get_by_role("link", name="Ministerial Council meetings", exact=True)
    expect(series_link).to_be_visible()
    series_link.click()

    expect(page).to_have_url(re.compile(r"/meetings/series/ministerial-council-meetings/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ministerial Council meetings")
    arrive(page, screenshot)

    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page).to_have_url(re.compile(r"/meetings/browser-ministerial-council/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    when = page.locator("dd.event-when time").first
    local_start = ministerial.local_start
    expect(when).to_have_attribute("datetime", local_start.isoformat())
    arrive(page, screenshot)

    # "Add to calendar" downloads the event's iCalendar file.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to calendar").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    calendar = icalendar.Calendar.from_ical(download.path().read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["SUMMARY"]) == TITLE
    assert events[0].decoded("DTSTART") == ministerial.start

    related = page.get_by_role("complementary", name="News about this event")
    expect(related.get_by_role("link")).to_have_count(1)
    related.get_by_role("link", name=NEWS_TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEWS_TITLE)
    # The article says which event it is part of, and leads back to it.
    part_of = page.locator("dt:text-is('Part of') + dd")
    expect(part_of.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    arrive(page, screenshot)


def test_meetings_follow_the_ticks_without_apply(page, screenshot, ministerial):
    """As on the news listing: a tick fetches the listing and swaps its results in the same
    page, and the address bar shows the canonical address."""
    page.goto("/meetings/")
    page.evaluate("window.samePage = true")
    panel = page.get_by_role("search", name="Filter meetings and conferences")
    panel.get_by_role("group", name="Country").get_by_label(re.compile(r"^Austria\b")).check()
    expect(page).to_have_url(re.compile(r"/meetings/\?country=austria$"))
    expect(page.locator("#result-summary")).to_contain_text("in Austria")
    results = page.locator(".listing-results")
    expect(results.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    expect(results.get_by_role("link", name="A cancelled conference")).to_have_count(0)
    assert page.evaluate("window.samePage") is True  # no page was loaded: the results swapped
    screenshot(page)


@pytest.mark.parametrize(
    "path",
    [
        "/meetings/",
        "/meetings/?series=ministerial-council-meetings&country=austria",
        # An old link's unknown country: the notice on the page it lands on.
        "/meetings/?series=ministerial-council-meetings&country=atlantis",
        "/meetings/series/ministerial-council-meetings/",
        "/meetings/browser-ministerial-council/",
        "/meetings/browser-cancelled-conference/",
        "/ru/meetings/",
        "/countries/austria/",
    ],
)
def test_meetings_pages_have_no_serious_accessibility_violations(
    page, screenshot, ministerial, path
):
    response = page.goto(path)
    assert response.ok, f"{path} answered {response.status}"
    screenshot(page)
    found = blocking(violations_on(page))
    assert not found, f"axe-core on {path}:\n{describe(found)}"

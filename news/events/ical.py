"""Events as iCalendar (RFC 5545), built with the icalendar library: a VCALENDAR of VEVENTs
whose times carry the venue's zone (TZID), with a VTIMEZONE for each zone used.

What keeps a subscriber's calendar right when an event changes: the UID is the event's `uid`,
which no edit changes; SEQUENCE is its `version` less one (0 for a new event, as RFC 5545 starts
it), so it rises with every save that bumps the version; STATUS says CANCELLED or TENTATIVE
(postponed), and LAST-MODIFIED when it last changed.

DTSTAMP is the time the event last changed too, not the time of the request: a calendar is the
same bytes until an event in it changes, as the page cache (news/pagecache.py) and a
subscriber's conditional requests expect."""

import datetime
import html
import re

import icalendar
from django.conf import settings
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from ..models import Event

PRODID = "-//OSCE Portal//Meetings and conferences//EN"
UID_DOMAIN = "osce-portal"

ICAL_STATUS = {
    Event.Status.PUBLISHED: "CONFIRMED",
    Event.Status.POSTPONED: "TENTATIVE",
    Event.Status.CANCELLED: "CANCELLED",
}

LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
BLOCK_END = re.compile(r"</(?:p|div|h[1-6]|blockquote|ul|ol|table|tr|pre)>", re.IGNORECASE)
ITEM_START = re.compile(r"<li(?:\s[^>]*)?>", re.IGNORECASE)
ITEM_END = re.compile(r"</li>", re.IGNORECASE)
BLANK_LINES = re.compile(r"\n{3,}")
# RFC 5545 TEXT holds no control character but the tab (a line break is escaped as \n).
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
# The zones' rules are given a year either side of the events (ical.calendar).
YEAR = datetime.timedelta(days=366)


def event_uid(event):
    return f"{event.uid}@{UID_DOMAIN}"


def ical_text(value):
    return CONTROLS.sub("", value)


def plain_text(markup):
    """The text of sanitised HTML (news/sanitise.py), with its paragraphs and list items kept as
    lines: a calendar's DESCRIPTION is plain text."""
    text = LINE_BREAK.sub("\n", markup)
    text = BLOCK_END.sub("\n\n", text)
    text = ITEM_START.sub("• ", ITEM_END.sub("\n", text))
    text = html.unescape(strip_tags(text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def status_summary(event):
    """The title, said to be cancelled or postponed: many calendar apps show no STATUS."""
    if event.status == Event.Status.CANCELLED:
        return _("Cancelled: %(title)s") % {"title": event.title}
    if event.status == Event.Status.POSTPONED:
        return _("Postponed: %(title)s") % {"title": event.title}
    return event.title


def location(event):
    country = event.country.local_name if event.country else ""
    return ", ".join(part for part in (event.venue, event.city, country) if part)


def description(event, url):
    parts = []
    if event.status_note:
        parts.append(event.status_note.strip())
    if event.description:
        parts.append(plain_text(event.description))
    parts.append(url)
    return "\n\n".join(part for part in parts if part)


def vevent(event, *, url):
    """One event (its `series` and `country` selected with it: no query)."""
    component = icalendar.Event()
    component.add("uid", event_uid(event))
    component.add("dtstamp", event.updated_at)
    if event.is_whole_days:
        # Days, as an edition known by its dates is: DTEND is the day after (RFC 5545, 3.6.1).
        component.add("dtstart", event.local_start.date())
        component.add("dtend", event.local_end.date() + datetime.timedelta(days=1))
    else:
        # In the venue's zone: the TZID names it, and the calendar's VTIMEZONE defines it.
        component.add("dtstart", event.local_start)
        component.add("dtend", event.local_end)
    component.add("summary", ical_text(status_summary(event)))
    component.add("description", ical_text(description(event, url)))
    place = location(event)
    if place:
        component.add("location", ical_text(place))
    component.add("url", url)
    component.add("sequence", max(event.version - 1, 0))
    component.add("status", ICAL_STATUS.get(event.status, "CONFIRMED"))
    component.add("created", event.created_at)
    component.add("last-modified", event.updated_at)
    if event.series is not None:
        component.add("categories", [ical_text(event.series.local_name)])
    return component


def calendar(events, *, name, absolute_url):
    """A VCALENDAR of `events` (series and country selected), named `name`;
    `absolute_url(path)` makes an event's address absolute."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", ical_text(name))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    first = last = None
    for event in events:
        url = absolute_url(event.get_absolute_url())
        cal.add_component(vevent(event, url=url))
        first = min(first or event.start, event.start)
        last = max(last or event.end, event.end)
    if first is not None:
        # The zones' rules over the span of the events only: a VTIMEZONE from 1970 to 2038 (the
        # library's default span) holds every transition, and would not reach a 1975 summit.
        cal.add_missing_timezones(first_date=shifted(first, -YEAR), last_date=shifted(last, YEAR))
    return cal


def shifted(moment, delta):
    """The day `delta` away from `moment`, or its own day at the ends of the calendar."""
    try:
        return (moment + delta).date()
    except OverflowError:
        return moment.date()

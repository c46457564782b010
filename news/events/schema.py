"""The schema.org `Event` of an event page, as a dict ready for JSON (templatetags/event_tags.py
writes it into the page)."""

import html

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

from ..models import Event
from ..templatetags.news_tags import PUBLISHER_NAME

SCHEMA = "https://schema.org/"
STATUSES = {
    Event.Status.PUBLISHED: "EventScheduled",
    Event.Status.POSTPONED: "EventPostponed",
    Event.Status.CANCELLED: "EventCancelled",
}
ATTENDANCE_MODES = {
    Event.Attendance.IN_PERSON: "OfflineEventAttendanceMode",
    Event.Attendance.ONLINE: "OnlineEventAttendanceMode",
    Event.Attendance.HYBRID: "MixedEventAttendanceMode",
}


def place(event):
    address = {"@type": "PostalAddress"}
    if event.city:
        address["addressLocality"] = event.city
    if event.country:
        address["addressCountry"] = event.country.code or event.country.local_name
    data = {"@type": "Place", "address": address}
    data["name"] = event.venue or event.city or (event.country.local_name if event.country else "")
    return data


def virtual_location(event, url):
    return {"@type": "VirtualLocation", "url": event.livestream_url or url}


def location(event, url):
    if event.attendance == Event.Attendance.ONLINE:
        return virtual_location(event, url)
    if event.attendance == Event.Attendance.HYBRID:
        return [place(event), virtual_location(event, url)]
    return place(event)


def event_data(event, request):
    """`event` needs its series, country and organisers (with their structures) loaded."""
    url = request.build_absolute_uri(event.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": url,
        # An edition known by its days is given as days (schema.org takes a Date).
        "startDate": (
            event.local_start.date() if event.is_whole_days else event.local_start
        ).isoformat(),
        "endDate": (event.local_end.date() if event.is_whole_days else event.local_end).isoformat(),
        "eventStatus": SCHEMA + STATUSES.get(event.status, "EventScheduled"),
        "eventAttendanceMode": SCHEMA + ATTENDANCE_MODES[event.attendance],
        "location": location(event, url),
        "organizer": [
            {
                "@type": "Organization",
                "name": structure.local_label,
                "url": request.build_absolute_uri(structure.get_absolute_url()),
            }
            for structure in event.organising_structures()
        ]
        or [
            {
                "@type": "Organization",
                "name": str(PUBLISHER_NAME),
                "url": request.build_absolute_uri(reverse("home")),
            }
        ],
    }
    description = Truncator(html.unescape(strip_tags(event.description))).words(60)
    if description:
        data["description"] = description
    if event.series:
        data["superEvent"] = {
            "@type": "EventSeries",
            "name": event.series.local_name,
            "url": request.build_absolute_uri(event.series.get_absolute_url()),
        }
    return data

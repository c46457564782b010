"""Events as JSON Lines: one object a line, the format of `import_events` and `export_events`,
with the rules of the news format (news/jsonl.py). This module holds the format (its keys, a
line read) and the export; reading a line is in news/events/jsonl_import.py, storing it in
news/events/jsonl_store.py.

The keys: `slug`, `title`, `series` (name or slug), `edition`, `start` and `end` (ISO 8601 with
a UTC offset), `time_zone` (the venue's IANA zone; Europe/Vienna when left out, since an offset
cannot tell a zone), `city`, `country` (name, slug or ISO code), `venue`, `attendance`
(`in_person`, `online`, `hybrid`), `organised_by` (structures, found as news `issued_by` is),
`fields_of_work`, `description_html`, `registration_url`, `registration_deadline`,
`livestream_url`, `documents` (a list of `{title, url}`, or `{title, file}` for an uploaded PDF,
its path in the media folder), `news` (slugs of the news items about the event), `status`,
`status_note`.

Export writes canonical records (sorted keys, slugs, times in the venue's zone, news slugs
sorted), so that export → import into an empty database → export gives byte-identical output.
`uid` (the event's calendar UID) is written by the export and optional on import: an event
imported without one gets a UID of its own, and a line without one leaves a stored UID as it
is, so that the calendars holding an event moved from another database do not see it twice."""

import json
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from ..jsonl import field_slugs
from ..models import Event, NewsItem

KNOWN_KEYS = {
    "slug", "title", "series", "edition", "start", "end", "time_zone", "city", "country",
    "venue", "attendance", "organised_by", "fields_of_work", "description_html",
    "registration_url", "registration_deadline", "livestream_url", "documents", "news",
    "status", "status_note", "uid",
}  # fmt: skip


def export_queryset():
    """Every event in slug order, with everything its line names (a handful of queries)."""
    return (
        Event.objects.order_by("slug")
        .select_related("series", "country")
        .prefetch_related(
            "organisers__structure",
            "fields_of_work",
            "documents",
            Prefetch("news_items", queryset=NewsItem.objects.only("pk", "slug", "event_id")),
        )
    )


def format_moment(value, zone):
    """A date-time in the venue's zone, ISO 8601 with its offset."""
    return timezone.localtime(value, zone).isoformat() if value else None


def document_record(document):
    if document.file:
        return {"title": document.title, "file": document.file.name}
    return {"title": document.title, "url": document.url}


def export_record(event):
    zone = event.zone
    return {
        "slug": event.slug,
        "title": event.title,
        "series": event.series.slug if event.series else None,
        "edition": event.edition,
        "start": format_moment(event.start, zone),
        "end": format_moment(event.end, zone),
        "time_zone": event.time_zone,
        "city": event.city,
        "country": event.country.slug if event.country else None,
        "venue": event.venue,
        "attendance": event.attendance,
        "organised_by": [link.structure.slug for link in event.organisers.all()],
        "fields_of_work": field_slugs(event.fields_of_work.all()),
        "description_html": event.description,
        "registration_url": event.registration_url,
        "registration_deadline": format_moment(event.registration_deadline, zone),
        "livestream_url": event.livestream_url,
        "documents": [document_record(document) for document in event.documents.all()],
        "news": sorted(item.slug for item in event.news_items.all()),
        "status": event.status,
        "status_note": event.status_note,
        "uid": str(event.uid),
    }


def export_line(event):
    return json.dumps(export_record(event), ensure_ascii=False, sort_keys=True)


@dataclass
class EventLine:
    """One line's event, checked and with its names resolved: ready to be stored."""

    slug: str
    values: dict  # the event's own columns, as Event takes them (`series`, `country` included)
    structures: list
    fields: list
    documents: list  # [{"title", "url"} or {"title", "file"}]
    news: list  # slugs, sorted, once each
    warnings: list = field(default_factory=list)

    def record(self):
        """The line as export_events would write it, to tell an unchanged event."""
        values, zone = self.values, Event(time_zone=self.values["time_zone"]).zone
        return {
            "slug": self.slug,
            "title": values["title"],
            "series": values["series"].slug if values["series"] else None,
            "edition": values["edition"],
            "start": format_moment(values["start"], zone),
            "end": format_moment(values["end"], zone),
            "time_zone": values["time_zone"],
            "city": values["city"],
            "country": values["country"].slug if values["country"] else None,
            "venue": values["venue"],
            "attendance": values["attendance"],
            "organised_by": [structure.slug for structure in self.structures],
            "fields_of_work": field_slugs(self.fields),
            "description_html": values["description"],
            "registration_url": values["registration_url"],
            "registration_deadline": format_moment(values["registration_deadline"], zone),
            "livestream_url": values["livestream_url"],
            "documents": self.documents,
            "news": self.news,
            "status": values["status"],
            "status_note": values["status_note"],
            "uid": str(values["uid"]) if "uid" in values else None,
        }

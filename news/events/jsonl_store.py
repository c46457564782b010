"""Storing events JSON Lines (news/events/jsonl.py): each line's event created or updated by its
slug with its organisers, fields of work, documents and news items, all or nothing (`store`);
a file's lines one after the other (`EventImport`).

A line that says what is stored already changes nothing, not even the version; any other
update moves the version on, so that calendars see a higher SEQUENCE and an editor's form
opened before the import refuses to save over it. The news items a line names are the event's:
each is linked to it (`NewsItem.event`), and the items linked before but not named are
unlinked."""

from collections import Counter
from contextlib import contextmanager, nullcontext

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction

from .. import pagecache
from ..import_batches import Result, failure
from ..import_report import OUTCOMES
from ..jsonl import LineError
from ..jsonl_import import SAFE_MEDIA_PATH
from ..jsonl_store import validation_message
from ..models import Event, EventDocument, EventOrganiser, NewsItem
from .jsonl import export_queryset, export_record
from .jsonl_import import EventResolver, parse_line, short

# What parse_line checks already, and what the import sets itself: full_clean leaves them be.
CHECKED_WHEN_READ = [
    "series", "country", "time_zone", "status", "attendance", "version", "created_by",
    "updated_by", "uid",
]  # fmt: skip


def store(parsed):
    """Create or update the event of one parsed line, all or nothing; its outcome."""
    with transaction.atomic():
        # The row lock the admin takes before it saves: no save comes between read and write.
        locked = Event.objects.select_for_update().filter(slug=parsed.slug)
        pk = locked.values_list("pk", flat=True).first()
        existing = export_queryset().filter(pk=pk).first() if pk is not None else None
        line = parsed.record()
        stored = export_record(existing) if existing is not None else None
        if stored is not None and line["uid"] is None:
            line["uid"] = stored["uid"]  # a line without one keeps the stored UID
        if stored == line:
            return "unchanged"
        news = news_items(parsed.news)
        refuse_taken_uid(parsed, pk)
        event = existing or Event(slug=parsed.slug)
        for name, value in parsed.values.items():
            setattr(event, name, value)
        if existing is not None:
            event.version = existing.version + 1
        try:
            event.full_clean(
                exclude=CHECKED_WHEN_READ, validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            raise LineError(validation_message(error)) from None
        try:
            save_with_links(event, parsed, news, stored=stored, line=line)
        except DatabaseError as error:
            raise LineError(f"could not be stored: {str(error)[:200]}") from None
    return "updated" if existing else "created"


def refuse_taken_uid(parsed, pk):
    uid = parsed.values.get("uid")
    if uid is None:
        return
    other = Event.objects.filter(uid=uid).exclude(pk=pk).values_list("slug", flat=True).first()
    if other is not None:
        raise LineError(f"uid {uid} is the calendar UID of another event, {short(other)}")


def news_items(slugs):
    """The news items of the slugs a line names; an unknown slug fails the line."""
    found = dict(NewsItem.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        listed = ", ".join(short(slug) for slug in missing[:10])
        raise LineError(f"unknown news item(s) {listed}" + (" …" if len(missing) > 10 else ""))
    return list(found.values())


def document(event, position, entry):
    item = EventDocument(event=event, title=entry["title"], position=position)
    if "url" in entry:
        item.url = entry["url"]
        return item
    name = entry["file"]
    if not SAFE_MEDIA_PATH.match(name) or not name.lower().endswith(".pdf"):
        raise LineError(f"document file {name[:100]!r} is not a PDF's path in the media folder")
    if not default_storage.exists(name):
        raise LineError(f"document file {name[:100]!r} is not in the media folder")
    item.file.name = name
    return item


def save_with_links(event, parsed, news, *, stored, line):
    """Save the event and the links its line gives; those the stored record already had as
    the line gives them are left alone."""
    event.save()

    def changed(key):
        return stored is None or stored[key] != line[key]

    if changed("organised_by"):
        event.organisers.all().delete()
        EventOrganiser.objects.bulk_create(
            EventOrganiser(event=event, structure=structure, position=position)
            for position, structure in enumerate(parsed.structures)
        )
    if changed("fields_of_work"):
        event.fields_of_work.set(parsed.fields)
    if changed("documents"):
        documents = [document(event, n, entry) for n, entry in enumerate(parsed.documents)]
        event.documents.all().delete()
        EventDocument.objects.bulk_create(documents)
    if changed("news"):
        NewsItem.objects.filter(event=event).exclude(pk__in=news).update(event=None)
        NewsItem.objects.filter(pk__in=news).update(event=event)


class EventImport:
    """The lines of one file, stored one by one in their order: `read` each, then `finish`.
    A slug, or a news item, given on two lines fails the second. A dry run is one transaction,
    rolled back at the end."""

    def __init__(self, *, dry_run=False):
        self.dry_run = dry_run
        self.resolver = EventResolver()
        self.outcomes = Counter()
        self.slugs, self.news = {}, {}  # the line that gave each

    @contextmanager
    def running(self):
        try:
            with transaction.atomic() if self.dry_run else nullcontext():
                yield self
                if self.dry_run:
                    transaction.set_rollback(True)
        finally:
            # Once for the whole run (each line committed on its own), even one cut short.
            if not self.dry_run and (self.outcomes["created"] or self.outcomes["updated"]):
                pagecache.bump()

    def read(self, number, raw):
        result = self.outcome(number, raw)
        self.outcomes[result.outcome] += 1
        return result

    def outcome(self, number, raw):
        try:
            try:
                text = raw.decode("utf-8").removeprefix("\ufeff")
            except UnicodeDecodeError as error:
                raise LineError(f"not UTF-8 text (byte {error.start + 1})") from None
            parsed = parse_line(text, self.resolver)
            self.claim(number, parsed)
            outcome = store(parsed)  # a savepoint in a dry run: a failed line leaves it usable
        except LineError as error:
            return failure(number, error)
        return Result(number, outcome, parsed.warnings)

    def claim(self, number, parsed):
        first = self.slugs.get(parsed.slug)
        if first is not None:
            raise LineError(f"slug {short(parsed.slug)} already used on line {first}")
        for slug in parsed.news:
            if slug in self.news:
                raise LineError(f"news item {short(slug)} already given on line {self.news[slug]}")
        self.slugs[parsed.slug] = number
        self.news |= dict.fromkeys(parsed.news, number)

    def summary(self):
        return ", ".join(f"{self.outcomes[o]} {o}" for o in OUTCOMES)

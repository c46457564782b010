"""Reading a line of events JSON Lines (news/events/jsonl.py): checked, and its names resolved
with the news import's Resolver (news/jsonl_import.py), or LineError saying why not. Nothing here
writes; the news items a line names are looked up when it is stored."""

import datetime
import functools
import uuid
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify

from ..jsonl import BODY, COUNTRY, FIELD, LineError, UnresolvedNames
from ..jsonl_import import Resolver, choice, read_json, string, string_list
from ..models import Event, EventDocument, MeetingSeries, storable_time
from ..models.events import RESERVED_EVENT_SLUGS
from ..names import normalise_name
from ..sanitise import clean_body
from .filters import EARLIEST_YEAR, LATEST_YEAR
from .jsonl import KNOWN_KEYS, EventLine

DEFAULT_TIME_ZONE = "Europe/Vienna"
MAX_DOCUMENTS = 200
MAX_NEWS = 1000
# The longest text of each column of Event that has a limit, as the model has it.
MAX_LENGTHS = {
    f.name: f.max_length
    for f in Event._meta.concrete_fields
    if getattr(f, "max_length", None) and f.get_internal_type() in ("CharField", "SlugField")
}
URL_LENGTH = MAX_LENGTHS["registration_url"]
is_web_address = URLValidator(schemes=["http", "https"])
EXPECTED_MOMENT = "expected an ISO 8601 date-time with a UTC offset, e.g. 2025-12-04T09:00:00+01:00"


@functools.cache
def time_zones():
    return frozenset(zoneinfo.available_timezones())


class EventResolver(Resolver):
    """The news import's Resolver (structures, fields of work, countries by any of their
    names), and the meeting series by name or slug."""

    def __init__(self):
        super().__init__()
        self.series = {}
        for series in MeetingSeries.objects.all():
            self.series[normalise_name(series.name)] = series
            self.series[series.slug.casefold()] = series


def text(data, key, *, required=False):
    """A string key: stripped, without NUL characters, within its column's length."""
    value = string(data, key, required=required)
    if "\x00" in value:
        raise LineError(f"{key} holds a NUL character")
    limit = MAX_LENGTHS.get(key)
    if limit and len(value) > limit:
        raise LineError(f"{key} is longer than {limit} characters ({len(value)})")
    return value


def web_address(data, key):
    value = string(data, key)
    if not value:
        return ""
    if len(value) > URL_LENGTH:
        raise LineError(f"{key} is longer than {URL_LENGTH} characters")
    try:
        is_web_address(value)
    except ValidationError:
        raise LineError(f"{key} {value[:200]!r} is not an http(s) address") from None
    return value


def moment(data, key, *, required=False):
    """An ISO 8601 date-time with its UTC offset, in the years the site shows."""
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise LineError(f"missing {key}")
        return None
    expected = EXPECTED_MOMENT
    if not isinstance(value, str) or len(value) > 64:
        raise LineError(f"bad {key} {str(value)[:64]!r}: {expected}")
    try:
        parsed = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        raise LineError(f"bad {key} {value!r}: {expected}") from None
    if parsed.utcoffset() is None:
        raise LineError(f"{key} {value!r} has no UTC offset: {expected}")
    if not storable_time(parsed) or not EARLIEST_YEAR < parsed.year < LATEST_YEAR:
        raise LineError(f"{key} {value!r} is out of range (years {EARLIEST_YEAR}–{LATEST_YEAR})")
    return parsed


def time_zone(data):
    value = string(data, "time_zone") or DEFAULT_TIME_ZONE
    if value not in time_zones():
        raise LineError(
            f"unknown time_zone {value[:64]!r}: give an IANA name such as Europe/Vienna"
        )
    return value


def slug_of(data):
    slug = string(data, "slug") or slugify(string(data, "title"))[:200].strip("-")
    if not slug:
        raise LineError("missing slug, and none can be made from the title")
    if len(slug) > MAX_LENGTHS["slug"]:
        raise LineError(f"slug {short(slug)} is longer than {MAX_LENGTHS['slug']} characters")
    if slugify(slug) != slug:
        raise LineError(f"slug {short(slug)} may only hold lower-case letters, digits and hyphens")
    if slug in RESERVED_EVENT_SLUGS:
        raise LineError(f"slug {slug!r} is the address of a site page")
    return slug


def documents(data):
    value = data.get("documents")
    if value is None:
        return []
    if not isinstance(value, list):
        raise LineError("documents must be a list of {title, url} objects")
    if len(value) > MAX_DOCUMENTS:
        raise LineError(f"more than {MAX_DOCUMENTS} documents")
    found = []
    for number, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            raise LineError(f"document {number} must be an object with a title and a url")
        unknown = sorted(set(entry) - {"title", "url", "file"})
        if unknown:
            raise LineError(f"document {number}: unknown key(s) {', '.join(unknown)}")
        try:
            title = string(entry, "title", required=True)
            url, file = web_address(entry, "url"), string(entry, "file")
        except LineError as error:
            raise LineError(f"document {number}: {error}") from None
        if len(title) > EventDocument._meta.get_field("title").max_length:
            raise LineError(f"document {number}: title is too long")
        if bool(url) == bool(file):
            raise LineError(f"document {number}: give either a url or a file, not both")
        found.append({"title": title, "url": url} if url else {"title": title, "file": file})
    return found


def news_slugs(data):
    slugs = string_list(data, "news")
    if len(slugs) > MAX_NEWS:
        raise LineError(f"more than {MAX_NEWS} news items")
    for slug in slugs:
        if slugify(slug) != slug:
            raise LineError(f"news {short(slug)} is not a slug")
    return sorted(set(slugs))


def one_of(data, key, choices, default):
    """A value of `choices` (as the news import takes them: stored value or label)."""
    value = data.get(key)
    if isinstance(value, str) and len(value) > 100:
        raise LineError(f"{key} {short(value)} is not one of: {', '.join(choices.values)}")
    return choice(data, key, choices, default)


def short(name):
    """A name as a message quotes it: a hostile line's megabyte of name is cut short."""
    return repr(name) if len(name) <= 100 else repr(name[:100]) + "…"


def short_list(names):
    listed = ", ".join(name[:50] for name in names[:10])
    return listed + (f" and {len(names) - 10} more" if len(names) > 10 else "")


def resolve(data, resolver):
    """(series, country, organisers, fields) a line names; every unknown name at once."""
    unresolved = []
    series_name = text(data, "series")
    series = None
    if series_name:
        series = resolver.series.get(normalise_name(series_name))
        if series is None:
            unresolved.append(("series", series_name, f"unknown series {short(series_name)}"))
    country_name = data.get("country")
    if country_name is not None and not isinstance(country_name, str):
        raise LineError("country must be a string (one country: a name, slug or ISO code)")
    country_names = [country_name.strip()] if country_name and country_name.strip() else []
    countries, unknown = resolver.find(resolver.countries, country_names)
    unresolved += [(COUNTRY, name, f"unknown country {short(name)}") for name in unknown]
    structures, unknown = resolver.find(resolver.structures, string_list(data, "organised_by"))
    unresolved += [(BODY, name, f"unknown organiser {short(name)}") for name in unknown]
    fields, unknown = resolver.find(resolver.fields, string_list(data, "fields_of_work"))
    unresolved += [(FIELD, name, f"unknown field of work {short(name)}") for name in unknown]
    if unresolved:
        raise UnresolvedNames(unresolved)
    return series, (countries[0] if countries else None), structures, fields


def read_object(text_line):
    """A line's JSON object, or LineError: also for what the JSON parser refuses other than
    by JSONDecodeError (nesting too deep, an integer of too many digits)."""
    try:
        return read_json(text_line)
    except RecursionError:
        raise LineError("invalid JSON (nested too deeply)") from None
    except ValueError as error:
        raise LineError(f"invalid JSON ({str(error)[:100]})") from None


def calendar_uid(data):
    """The event's calendar UID, if the line gives one (a UUID): kept across a move to another
    database, so that the calendars that hold the event do not see it twice."""
    value = string(data, "uid")
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise LineError(f"uid {short(value)} is not a UUID") from None


def parse_line(text_line, resolver):
    return parse_data(read_object(text_line), resolver)


def parse_data(data, resolver):
    """A line's object checked and its names resolved, or LineError saying why not."""
    slug = slug_of(data)
    values = {
        key: text(data, key)
        for key in ("edition", "city", "venue", "status_note")
    }  # fmt: skip
    values["title"] = text(data, "title", required=True)
    values["time_zone"] = time_zone(data)
    values["start"] = moment(data, "start", required=True)
    values["end"] = moment(data, "end", required=True)
    if values["end"] < values["start"]:
        raise LineError("end is before start")
    values["registration_deadline"] = moment(data, "registration_deadline")
    values["registration_url"] = web_address(data, "registration_url")
    values["livestream_url"] = web_address(data, "livestream_url")
    values["attendance"] = one_of(data, "attendance", Event.Attendance, Event.Attendance.IN_PERSON)
    values["status"] = one_of(data, "status", Event.Status, Event.Status.PUBLISHED)
    description = string(data, "description_html")
    if "\x00" in description:
        raise LineError("description_html holds a NUL character")
    values["description"] = clean_body(description)
    if (uid := calendar_uid(data)) is not None:
        values["uid"] = uid
    values["series"], values["country"], structures, fields = resolve(data, resolver)
    unknown = sorted(set(data) - KNOWN_KEYS)
    return EventLine(
        slug=slug,
        values=values,
        structures=structures,
        fields=fields,
        documents=documents(data),
        news=news_slugs(data),
        warnings=[f"ignored unknown field(s): {short_list(unknown)}"] if unknown else [],
    )

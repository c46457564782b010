"""News items as JSON Lines: one object a line, the format of `import_news` and `export_news`.

Export writes canonical records (sorted keys, slugs for every taxonomy, tags sorted), so that
export → import into an empty database → export gives byte-identical output."""

import datetime
import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from countries.models import Country
from structures.models import Structure

from . import images, pagecache, publishing
from .models import FieldOfWork, IssuingBody, NewsItem, TaggedNewsItem, storable_time
from .sanitise import clean_body

TEXT_KEYS = ("title", "lead", "image", "image_alt", "image_caption", "image_credit")
KNOWN_KEYS = {
    "slug", "title", "type", "lead", "body_html", "published_at", "issued_by",
    "fields_of_work", "countries", "tags", "status", "withdrawn_reason",
    "image", "image_alt", "image_caption", "image_credit",
}  # fmt: skip
SAFE_MEDIA_PATH = re.compile(r"^(?!/)(?!.*\.\.)[\w./ -]+$")


class LineError(Exception):
    """One line cannot be imported; the message says why."""


# The publishing door's checklist (news/publishing.py) in the words of this format's keys.
LINE_WORDING = {
    "alt_text": "image_alt is required when an image is given",
    "issued_on": "missing published_at (required for a published item)",
    "issuer": "missing issued_by (a published item needs at least one)",
}


def normalise_name(name):
    """How names are compared: case and spacing ignored, with or without the "OSCE " prefix and
    a trailing " (closed)"."""
    key = " ".join(str(name).split()).casefold()
    key = key.removeprefix("osce ")
    return key.removesuffix(" (closed)")


# --- export -------------------------------------------------------------------------------------


def export_queryset():
    return NewsItem.objects.order_by("slug").prefetch_related(
        "issuing_bodies__structure", "fields_of_work", "countries", "tags"
    )


def format_datetime(value):
    return timezone.localtime(value).isoformat() if value else None


def field_slugs(fields):
    return [f.slug for f in sorted(fields, key=lambda f: (f.position, f.name))]


def country_slugs(countries):
    return [c.slug for c in sorted(countries, key=lambda c: (c.position, c.sort_name))]


def sorted_tags(names):
    return sorted({name.strip() for name in names if name.strip()}, key=str.casefold)


def export_record(item):
    return {
        "slug": item.slug,
        "title": item.title,
        "type": item.type,
        "status": item.status,
        "published_at": format_datetime(item.published_at),
        "lead": item.lead,
        "body_html": item.body,
        "issued_by": [body.structure.slug for body in item.issuing_bodies.all()],
        "fields_of_work": field_slugs(item.fields_of_work.all()),
        "countries": country_slugs(item.countries.all()),
        "tags": sorted_tags(tag.name for tag in item.tags.all()),
        "image": item.image.name or "",
        "image_alt": item.image_alt,
        "image_caption": item.image_caption,
        "image_credit": item.image_credit,
        "withdrawn_reason": item.withdrawn_reason,
    }


def export_line(item):
    return json.dumps(export_record(item), ensure_ascii=False, sort_keys=True)


# --- import -------------------------------------------------------------------------------------


class Resolver:
    """Finds structures, fields of work and countries by any name they are known by. Built once
    per import, so a line costs no look-up queries."""

    def __init__(self):
        self.structures = {}
        structures = list(Structure.objects.prefetch_related("former_names"))
        # Former names first: a structure's own name wins over another's former name
        # (the closed "Centre in Dushanbe" was also a former name of today's Programme Office).
        for structure in structures:
            for former in structure.former_names.all():
                self.structures[normalise_name(former.name)] = structure
        for structure in structures:
            for name in (structure.acronym, structure.name, structure.issuing_label):
                if name:
                    self.structures[normalise_name(name)] = structure
            self.structures[structure.slug.casefold()] = structure

        self.fields = {}
        for field_of_work in FieldOfWork.objects.all():
            self.fields[normalise_name(field_of_work.name)] = field_of_work
            self.fields[field_of_work.slug.casefold()] = field_of_work

        self.countries = {}
        for country in Country.objects.all():
            for name in (country.name, country.sort_name, *country.other_names):
                self.countries[normalise_name(name)] = country
            self.countries[country.slug.casefold()] = country
            self.countries[country.code.casefold()] = country

    @staticmethod
    def _find(table, names, what):
        found = []
        for name in names:
            match = table.get(normalise_name(name)) or table.get(str(name).strip().casefold())
            if match is None:
                raise LineError(f"unknown {what} {name!r}")
            if match not in found:
                found.append(match)
        return found

    def structures_named(self, names):
        return self._find(self.structures, names, "issuing body")

    def fields_named(self, names):
        return self._find(self.fields, names, "field of work")

    def countries_named(self, names):
        return self._find(self.countries, names, "country")


def string(data, key, *, required=False, default=""):
    value = data.get(key)
    if value is None:
        if required:
            raise LineError(f"missing {key}")
        return default
    if not isinstance(value, str):
        raise LineError(f"{key} must be a string, not {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise LineError(f"missing {key}")
    return value


def string_list(data, key):
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LineError(f"{key} must be a list of strings")
    return [v.strip() for v in value if v.strip()]


def choice(data, key, choices, default):
    value = string(data, key, default=default)
    for stored, label in choices.choices:
        if value.casefold() in (stored, str(label).casefold()):
            return stored
    allowed = ", ".join(choices.values)
    raise LineError(f"{key} {value!r} is not one of: {allowed}")


def parse_published_at(value):
    """A date (midnight in the site's time zone) or an ISO 8601 date-time."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise LineError(f"bad date {value!r}: expected YYYY-MM-DD or an ISO 8601 date-time")
    text = value.strip()
    try:
        if len(text) == 10:
            day = datetime.date.fromisoformat(text)
            parsed = datetime.datetime.combine(day, datetime.time())
        else:
            parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise LineError(
            f"bad date {value!r}: expected YYYY-MM-DD or an ISO 8601 date-time"
        ) from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    if not storable_time(parsed):
        raise LineError(f"bad date {value!r}: out of range")
    return parsed


@dataclass
class ParsedLine:
    slug: str
    values: dict
    structures: list
    fields: list
    countries: list
    tags: list
    warnings: list = field(default_factory=list)

    def record(self):
        """The line as export_news would write it, to tell an unchanged item."""
        return {
            "slug": self.slug,
            **{k: v for k, v in self.values.items() if k not in ("body", "published_at")},
            "published_at": format_datetime(self.values["published_at"]),
            "body_html": self.values["body"],
            "issued_by": [s.slug for s in self.structures],
            "fields_of_work": field_slugs(self.fields),
            "countries": country_slugs(self.countries),
            "tags": sorted_tags(self.tags),
        }


def parse_line(text, resolver):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise LineError(f"invalid JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(data, dict):
        raise LineError(f"expected a JSON object, got {type(data).__name__}")

    values = {key: string(data, key) for key in TEXT_KEYS}
    values["title"] = string(data, "title", required=True)
    values["body"] = clean_body(string(data, "body_html"))
    values["type"] = choice(data, "type", NewsItem.Type, NewsItem.Type.NEWS)
    values["status"] = choice(data, "status", NewsItem.Status, NewsItem.Status.PUBLISHED)
    values["withdrawn_reason"] = string(data, "withdrawn_reason")
    values["published_at"] = parse_published_at(data.get("published_at"))
    if values["image"] and not SAFE_MEDIA_PATH.match(values["image"]):
        raise LineError(f"image {values['image']!r} is not a relative path inside the media folder")

    slug = string(data, "slug") or slugify(values["title"])[:200].strip("-")
    if not slug:
        raise LineError("missing slug, and none can be made from the title")
    if slugify(slug) != slug:
        raise LineError(f"slug {slug!r} may only hold lower-case letters, digits and hyphens")

    structures = resolver.structures_named(string_list(data, "issued_by"))
    fields = resolver.fields_named(string_list(data, "fields_of_work"))
    problems = publishing.problems(
        NewsItem(**values),
        issuing_bodies=structures,
        fields_of_work=fields,
        level=publishing.Level.ARCHIVE,
    )
    if problems:
        raise LineError(LINE_WORDING.get(problems[0].code, str(problems[0])))
    tags = string_list(data, "tags")
    for tag in tags:
        if len(tag) > 100:
            raise LineError(f"tag {tag[:20]!r}… is longer than 100 characters")

    unknown = sorted(set(data) - KNOWN_KEYS)
    return ParsedLine(
        slug=slug,
        values=values,
        structures=structures,
        fields=fields,
        countries=resolver.countries_named(string_list(data, "countries")),
        tags=tags,
        warnings=[f"ignored unknown field(s): {', '.join(unknown)}"] if unknown else [],
    )


def validation_message(error):
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def store(parsed, *, dry_run=False):
    """Create or update the item of one parsed line, all or nothing. Returns the outcome.

    The stored item is read under a row lock, the one the admin's form takes before it saves
    (`check_version` in news/admin/forms.py): a save there cannot come between this read and this
    write, and moving `version` on makes a form opened before the import refuse to save over it.
    """
    new_files = set()
    with transaction.atomic():
        existing = export_queryset().select_for_update().filter(slug=parsed.slug).first()
        photo = parsed.values["image"]
        renew_photo = bool(photo) and (
            existing is None or existing.image.name != photo or not has_renditions(existing)
        )
        if existing is not None and not renew_photo and export_record(existing) == parsed.record():
            return "unchanged"
        # Checked before anything is written: a missing or broken photo file fails the line.
        picture = open_photo(photo) if renew_photo else None
        before = images.photo_files(existing) if existing else set()
        item = existing or NewsItem(slug=parsed.slug)
        for name, value in parsed.values.items():
            setattr(item, name, value)
        publishing.stamp(item, by=None, version_on_record=existing.version if existing else None)
        try:
            item.full_clean(validate_unique=False)
        except ValidationError as error:
            raise LineError(validation_message(error)) from None
        if not photo:
            item.image_renditions = {}
        elif picture is not None and not dry_run:
            item.image_renditions = make_renditions(picture, photo)
            new_files = images.photo_files(item) - {photo}
        try:
            save_with_links(item, parsed)
        except DatabaseError as error:
            for name in new_files:
                default_storage.delete(name)
            raise LineError(f"could not be stored: {error}") from None
        if dry_run:
            transaction.set_rollback(True)
        else:
            # The replaced photo, or the photo of a withdrawn item, leaves the public folder.
            images.sync_photo_files_on_commit(item, before)
    return "updated" if existing else "created"


def save_with_links(item, parsed):
    item.save()
    item.issuing_bodies.all().delete()
    IssuingBody.objects.bulk_create(
        IssuingBody(news_item=item, structure=structure, position=position)
        for position, structure in enumerate(parsed.structures)
    )
    item.fields_of_work.set(parsed.fields)
    item.countries.set(parsed.countries)
    item.tags.set(parsed.tags, clear=True)


def has_renditions(item):
    """Whether the item has every rendition of its photo (items created in bulk have none)."""
    return all(name in item.image_renditions for name in images.RENDITION_WIDTHS)


def make_renditions(picture, name):
    try:
        return images.store_renditions(picture, name=name)
    except OSError as error:
        raise LineError(f"image {name!r}: its renditions could not be written ({error})") from None


def open_photo(name):
    """The photo file an import line names, decoded and checked as an upload is."""
    try:
        return images.open_stored(name)
    except SuspiciousFileOperation:
        raise LineError(f"image {name!r} is not a relative path inside the media folder") from None
    except ValidationError as error:
        if error.code == "missing":
            raise LineError(f"image {name!r} not found in the media folder") from None
        if error.code == "bad_format":
            raise LineError(f"image {name!r} is not a JPEG, PNG or WebP image") from None
        raise LineError(f"image {name!r}: {' '.join(error.messages)}") from None


def parse_file(path, resolver=None):
    """Every line of a trusted file (the bundled demo news, a generated corpus) parsed; a bad
    line raises LineError naming its number."""
    resolver = resolver or Resolver()
    parsed = []
    with open(path, encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                try:
                    parsed.append(parse_line(text, resolver))
                except LineError as error:
                    raise LineError(f"line {number}: {error}") from None
    return parsed


@transaction.atomic
def create_all(parsed_lines):
    """Create new items in bulk: a handful of queries for any number of lines, where `store`
    costs some thirty a line. For empty databases; existing slugs are an IntegrityError."""
    deferred = connection.vendor == "postgresql"
    if deferred:
        # The search triggers wait; each document is computed once, below (migration 0005).
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('news.defer_search', 'on', true)")
    items = NewsItem.objects.bulk_create(
        NewsItem(slug=line.slug, **line.values) for line in parsed_lines
    )
    pairs = list(zip(items, parsed_lines, strict=True))
    IssuingBody.objects.bulk_create(
        IssuingBody(news_item=item, structure=structure, position=position)
        for item, line in pairs
        for position, structure in enumerate(line.structures)
    )
    NewsItem.fields_of_work.through.objects.bulk_create(
        NewsItem.fields_of_work.through(newsitem=item, fieldofwork=field)
        for item, line in pairs
        for field in line.fields
    )
    NewsItem.countries.through.objects.bulk_create(
        NewsItem.countries.through(newsitem=item, country=country)
        for item, line in pairs
        for country in line.countries
    )
    tags = {}
    for name in {tag for line in parsed_lines for tag in line.tags}:
        tags[name] = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
    TaggedNewsItem.objects.bulk_create(
        TaggedNewsItem(content_object=item, tag=tag)
        for item, line in pairs
        for tag in {tags[name] for name in line.tags}
    )
    if deferred:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('news.defer_search', 'off', true)")
            cursor.execute(
                "SELECT news_refresh_search_documents(%s)", [[item.pk for item in items]]
            )
    # Bulk creation sends no signals: the page cache is told once, here.
    transaction.on_commit(pagecache.bump)
    return items

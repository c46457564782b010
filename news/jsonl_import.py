"""Reading JSON Lines (news/jsonl.py): each line checked and its names resolved (`parse_line`),
and the order a file's lines are stored in (`FileImport`, the heart of `import_news`)."""

import datetime
import json
import re
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from countries.models import Country
from languages import registry as languages
from structures.models import Structure

from . import publishing
from .jsonl import KNOWN_KEYS, TEXT_KEYS, LineError, ParsedLine
from .jsonl_store import store
from .models import FieldOfWork, NewsItem, storable_time
from .sanitise import clean_body

SAFE_MEDIA_PATH = re.compile(r"^(?!/)(?!.*\.\.)[\w./ -]+$")

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


class Resolver:
    """Finds structures, fields of work, countries and languages by any name they are known by.
    Built once per import, so a line costs no look-up queries."""

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

        # BCP 47 codes are case-insensitive: "RU" is "ru".
        self.languages = {
            language.code.casefold(): language.code for language in languages.all_languages()
        }

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

    def language_coded(self, code):
        found = self.languages.get(code.casefold())
        if found is None:
            configured = ", ".join(self.languages.values())
            raise LineError(f"unknown language {code!r}: not one of the configured ({configured})")
        return found


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


def line_slug(data):
    """The slug a line's item is stored under: its own, or one made from its title."""
    return string(data, "slug") or slugify(string(data, "title"))[:200].strip("-")


def parse_translation_of(data, slug):
    source = string(data, "translation_of") or None
    if source is not None and slugify(source) != source:
        raise LineError(f"translation_of {source!r} is not a slug")
    if source == slug:
        raise LineError("translation_of names the item itself")
    return source


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
    language = resolver.language_coded(string(data, "language") or languages.DEFAULT)

    slug = line_slug(data)
    if not slug:
        raise LineError("missing slug, and none can be made from the title")
    if slugify(slug) != slug:
        raise LineError(f"slug {slug!r} may only hold lower-case letters, digits and hyphens")
    source = parse_translation_of(data, slug)

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
        language=language,
        translation_of=source,
        warnings=[f"ignored unknown field(s): {', '.join(unknown)}"] if unknown else [],
    )


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


# --- a file -------------------------------------------------------------------------------------


def slug_lines(raw_lines: Iterable[bytes]):
    """{slug: number of the last line with it}, read ahead of the import: a line translating
    an item that a later line has waits for it (for the last: should an earlier line with the slug
    fail, a later one may still store it). Lines that cannot be read are left to the import to
    report."""
    found = {}
    for number, raw in enumerate(raw_lines, start=1):
        try:
            data = json.loads(raw.decode("utf-8").removeprefix("\ufeff"))
            slug = line_slug(data) if isinstance(data, dict) else None
        except (UnicodeDecodeError, json.JSONDecodeError, LineError):
            continue
        if slug:
            found[slug] = number
    return found


@dataclass
class Result:
    """What became of one line: its outcome and what to report ("line N: …")."""

    number: int
    outcome: str  # created, updated, unchanged or failed
    messages: list = field(default_factory=list)


class FileImport:
    """One run of `import_news` over the lines of a file, stored as they are read, all or nothing
    for each. A line whose `translation_of` names an item of a later line (or of a line still
    waiting) waits until the end of the file, so that a translation may come before or after its
    source: `finish()` stores the waiting lines once their sources are, sources first, and
    reports a loop of them."""

    def __init__(self, slugs, *, dry_run=False):
        self.resolver = Resolver()
        self.slugs = slugs  # slug_lines() of the file
        self.dry_run = dry_run
        self.taken = {}  # slug: the first line read with it
        self.waiting = {}  # number: parsed line

    @contextmanager
    def transaction(self):
        """A dry run is one transaction, rolled back at the end, so that a line sees what the
        lines before it would have stored (the source of a translation, say); each line is a
        savepoint within it. Otherwise each line is committed on its own."""
        if not self.dry_run:
            yield
            return
        with transaction.atomic():
            yield
            transaction.set_rollback(True)

    def read(self, number, raw):
        """The results of line `number` (none while it waits)."""
        try:
            try:
                text = raw.decode("utf-8").removeprefix("\ufeff")
            except UnicodeDecodeError as error:
                raise LineError(f"not UTF-8 text (byte {error.start + 1})") from None
            parsed = parse_line(text, self.resolver)
            if parsed.slug in self.taken:
                raise LineError(
                    f"slug {parsed.slug!r} already used on line {self.taken[parsed.slug]}"
                )
            self.taken[parsed.slug] = number
            if self.must_wait(parsed, number):
                self.waiting[number] = parsed
                return []
            return [self.store(number, parsed)]
        except LineError as error:
            return [Result(number, "failed", [str(error)])]

    def must_wait(self, parsed, number=None):
        """Whether the line's source is yet to be stored: on a later line (`number` given while
        reading) or on a line waiting itself."""
        source_line = self.slugs.get(parsed.translation_of)
        if source_line is None:
            return False
        return source_line in self.waiting or (number is not None and source_line > number)

    def store(self, number, parsed):
        try:
            outcome = store(parsed, write_files=not self.dry_run, line_of=self.slugs)
        except LineError as error:
            return Result(number, "failed", [str(error)])
        return Result(number, outcome, parsed.warnings)

    def finish(self):
        """The results of the lines that waited for a later source, in the order stored."""
        results = []
        while self.waiting:
            ready = [n for n, parsed in self.waiting.items() if not self.must_wait(parsed)]
            if not ready:
                break
            for number in sorted(ready):
                results.append(self.store(number, self.waiting.pop(number)))
        loop = "lines " + ", ".join(str(n) for n in sorted(self.waiting))
        for number, parsed in sorted(self.waiting.items()):
            message = f"translation_of {parsed.translation_of!r}: a loop of translations ({loop})"
            results.append(Result(number, "failed", [message]))
        self.waiting.clear()
        return results

"""Reading JSON Lines (news/jsonl.py): each line checked and its names resolved (`parse_line`).
The order a file's lines are stored in is news/import_batches.py's."""

import datetime
import json
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify

from countries.models import Country
from languages import registry as languages
from structures.models import Structure

from . import import_missing, publishing, signing
from .aliases import names_by_kind
from .jsonl import (
    BODY,
    COUNTRY,
    FIELD,
    KNOWN_KEYS,
    LANGUAGE,
    TEXT_KEYS,
    LineError,
    ParsedLine,
    UnresolvedNames,
)
from .models import Alias, FieldOfWork, NewsItem, storable_time
from .names import normalise_name
from .sanitise import clean_body

SAFE_MEDIA_PATH = re.compile(r"^(?!/)(?!.*\.\.)[\w./ -]+$")

# The publishing door's checklist (news/publishing.py) in the words of this format's keys.
LINE_WORDING = {
    "alt_text": "image_alt is required when an image is given",
    "issued_on": "missing published_at (required for a published item)",
    "issuer": "missing issued_by (a published item needs at least one)",
}


class Resolver:
    """Finds structures, fields of work, countries and languages by any name they are known by:
    their own names, former names, slugs (and codes), and the aliases of news.Alias. Built once
    per import, so a line costs no look-up queries.

    `default_issuer` (a Structure) issues the lines that name no issuing body; with
    `create_missing`, unknown fields of work and issuing bodies become new entries flagged for
    review (news/import_missing.py), once each per run: `created` lists them."""

    def __init__(self, *, default_issuer=None, create_missing=False):
        self.default_issuer = default_issuer
        self.create_missing = create_missing
        self.created = []
        aliases = names_by_kind()

        structures = list(Structure.objects.prefetch_related("former_names"))
        # Aliases first, then former names, then own names: each later name wins a label it
        # shares with an earlier one. So an entry's own names beat an alias, and a structure's
        # own name beats another's former name (the closed "Centre in Dushanbe" was also a
        # former name of today's Programme Office).
        self.structures = aliased(aliases[Alias.Kind.STRUCTURE], structures)
        for structure in structures:
            for former in structure.former_names.all():
                self.structures[normalise_name(former.name)] = structure
        for structure in structures:
            self.add(self.structures, structure)

        fields = list(FieldOfWork.objects.all())
        self.fields = aliased(aliases[Alias.Kind.FIELD], fields)
        for field_of_work in fields:
            self.add(self.fields, field_of_work)

        countries = list(Country.objects.all())
        self.countries = aliased(aliases[Alias.Kind.COUNTRY], countries)
        for country in countries:
            for name in (country.name, country.sort_name, *country.other_names):
                self.countries[normalise_name(name)] = country
            self.countries[country.slug.casefold()] = country
            self.countries[country.code.casefold()] = country

        # BCP 47 codes are case-insensitive: "RU" is "ru".
        self.languages = {
            language.code.casefold(): language.code for language in languages.all_languages()
        }

    @staticmethod
    def add(table, entry):
        """An entry's own names (a field of work's, a structure's) and slug into `table`."""
        for name in (
            getattr(entry, "acronym", ""),
            entry.name,
            getattr(entry, "issuing_label", ""),
        ):
            if name:
                table[normalise_name(name)] = entry
        table[entry.slug.casefold()] = entry

    @staticmethod
    def find(table, names):
        """(the entries `names` name, in order and once each; the names not found)."""
        found, unknown = [], []
        for name in names:
            match = table.get(normalise_name(name)) or table.get(str(name).strip().casefold())
            if match is None:
                unknown.append(name)
            elif match not in found:
                found.append(match)
        return found, unknown

    def language_coded(self, code):
        return self.languages.get(code.casefold())

    def unknown_language(self, code):
        configured = ", ".join(self.languages.values())
        return f"unknown language {code!r}: not one of the configured ({configured})"

    def adopt(self, entry):
        """Save an entry made for an unknown name (news/import_missing.py) and know it by its
        name from now on: a later line naming it finds it rather than making another."""
        import_missing.save_for_review(entry)
        self.add(self.structures if isinstance(entry, Structure) else self.fields, entry)
        self.created.append(entry)
        return entry


def aliased(alias_keys, entries):
    """{compared label: entry} of the aliases (news.aliases.names_by_kind) of `entries`."""
    by_id = {entry.pk: entry for entry in entries}
    return {key: by_id[pk] for key, pk in alias_keys.items() if pk in by_id}


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


# The stored values of each enumeration, read once: `choices.values` builds its list anew.
STORED_VALUES = {}


def choice(data, key, choices, default):
    value = string(data, key, default=default)
    if choices not in STORED_VALUES:
        STORED_VALUES[choices] = frozenset(choices.values)
    if value in STORED_VALUES[choices]:
        return value  # the usual case, without translating every label (it shows in a profile)
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


def read_json(text):
    """A line's JSON object, or LineError."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise LineError(f"invalid JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(data, dict):
        raise LineError(f"expected a JSON object, got {type(data).__name__}")
    return data


def parse_line(text, resolver):
    return parse_data(read_json(text), resolver)


def parse_data(data, resolver):
    """A line's object checked and its names resolved, or LineError saying why not."""
    values = {key: string(data, key) for key in TEXT_KEYS}
    values["title"] = string(data, "title", required=True)
    values["body"] = clean_body(string(data, "body_html"))
    values["type"] = choice(data, "type", NewsItem.Type, NewsItem.Type.NEWS)
    values["status"] = choice(data, "status", NewsItem.Status, NewsItem.Status.PUBLISHED)
    values["withdrawn_reason"] = string(data, "withdrawn_reason")
    values["published_at"] = parse_published_at(data.get("published_at"))
    if values["image"] and not SAFE_MEDIA_PATH.match(values["image"]):
        raise LineError(f"image {values['image']!r} is not a relative path inside the media folder")
    language = string(data, "language") or languages.DEFAULT

    slug = line_slug(data)
    if not slug:
        raise LineError("missing slug, and none can be made from the title")
    if slugify(slug) != slug:
        raise LineError(f"slug {slug!r} may only hold lower-case letters, digits and hyphens")
    source = parse_translation_of(data, slug)

    names = resolve_names(data, language, resolver)
    problems = publishing.problems(
        NewsItem(**values),
        issuing_bodies=names.structures,
        fields_of_work=names.fields,
        level=publishing.Level.ARCHIVE,
    )
    if problems:
        raise LineError(LINE_WORDING.get(problems[0].code, str(problems[0])))
    if values["status"] == NewsItem.Status.AWAITING and not signing.bodies_to_sign(
        names.structures
    ):
        raise LineError(
            "status 'awaiting' (sign-off) needs at least two issuing bodies that sign off joint "
            "items"
        )
    tags = string_list(data, "tags")
    for tag in tags:
        if len(tag) > 100:
            raise LineError(f"tag {tag[:20]!r}… is longer than 100 characters")

    # Nothing else stops the line: the entries it named that were missing are added now.
    for entry in names.new_entries:
        resolver.adopt(entry)
    unknown = sorted(set(data) - KNOWN_KEYS)
    return ParsedLine(
        slug=slug,
        values=values,
        structures=names.structures,
        fields=names.fields,
        countries=names.countries,
        tags=tags,
        language=names.language,
        translation_of=source,
        warnings=[f"ignored unknown field(s): {', '.join(unknown)}"] if unknown else [],
    )


@dataclass
class LineNames:
    language: str
    structures: list
    fields: list
    countries: list
    new_entries: list  # unsaved, made for unknown names (--create-missing)


def resolve_names(data, language, resolver):
    """The entries a line names. Every name that is not found is collected, so that the line
    is refused once with all of them (UnresolvedNames); with `create_missing`, an unknown field
    of work or issuing body becomes a new entry instead, saved once the whole line passes."""
    unresolved, new_entries = [], {}
    code = resolver.language_coded(language)
    if code is None:
        unresolved.append((LANGUAGE, language, resolver.unknown_language(language)))

    found = {}
    for kind, key, table in (
        (BODY, "issued_by", resolver.structures),
        (FIELD, "fields_of_work", resolver.fields),
        (COUNTRY, "countries", resolver.countries),
    ):
        found[kind], unknown = resolver.find(table, string_list(data, key))
        for name in unknown:
            why_not = import_missing.refusal(kind, name) if kind in import_missing.CREATABLE else ""
            if resolver.create_missing and why_not is None:
                # Two spellings of one new name in a line ("Astrology", "ASTROLOGY") make one.
                entry = new_entries.setdefault(
                    (kind, normalise_name(name)), import_missing.unsaved_entry(kind, name)
                )
                if entry not in found[kind]:
                    found[kind].append(entry)
                continue
            message = f"unknown {kind} {name!r}"
            if resolver.create_missing and why_not:
                message += f" (not added: {why_not})"
            unresolved.append((kind, name, message))
    if unresolved:
        raise UnresolvedNames(unresolved)
    if not found[BODY] and resolver.default_issuer is not None:
        found[BODY] = [resolver.default_issuer]
    return LineNames(code, found[BODY], found[FIELD], found[COUNTRY], list(new_entries.values()))


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

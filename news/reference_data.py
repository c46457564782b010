"""Load the bundled taxonomy (osceportal/data/osce.yaml) into the database.

Records are matched by slug (countries by ISO code, chairpersonships by year), so a second run
changes nothing and a changed file updates records in place: news links are never touched.

Managers edit the same records in the admin, and a deploy must not undo their work. So the loader
keeps, per record, the values it wrote last time (a `ReferenceSnapshot`) and compares three values
of each field: here, in the file and in the snapshot. The file's value is written only where the
value here is still the one the loader wrote; any other difference was made here, and is kept and
reported (`overwrite_edits` takes the file's value anyway). A record without a snapshot (loaded
before snapshots existed, or added here) holds no value the loader is known to have written, so
each of its differences is kept."""

import datetime
import zoneinfo

import yaml
from babel import Locale
from django.conf import settings
from django.db import transaction
from django.utils.html import escape
from django.utils.text import slugify

from countries.models import Chairpersonship, Country
from structures.models import FormerName, Structure

from .models import Alias, Event, EventOrganiser, FieldOfWork, MeetingSeries
from .names import normalise_name
from .reference_merge import Loader, ReferenceDataError
from .sanitise import clean_body

CLOSED_SUFFIX = " (closed)"


def linked(records, **keys):
    """Link fields set to the records the file names by these keys (None where it names none). A
    link to a record deleted here is left out, so the link here stays as it is."""
    links = {}
    for name, key in keys.items():
        if key and key not in records:
            raise ReferenceDataError(f"unknown {name} {key!r}")
        if not key or records[key] is not None:
            links[name] = records[key] if key else None
    return links


def read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as error:
        raise ReferenceDataError(f"cannot read {path}: {error}") from error
    if not isinstance(data, dict):
        raise ReferenceDataError(f"{path} does not hold a mapping at the top level")
    return data


def other_official_languages():
    return [code for code, _name in settings.LANGUAGES if code != "en"]


class Glossary:
    """The file's `translations`: each English name in the other official languages."""

    def __init__(self, data):
        self.entries = data.get("translations") or {}
        if not isinstance(self.entries, dict):
            raise ReferenceDataError("`translations` is not a mapping of names")

    def names(self, **fields):
        """{"ru": {"name": "…"}, …} for the English values of `fields` the glossary translates."""
        result = {}
        for language in other_official_languages():
            names = {
                field: self.entries[english][language]
                for field, english in fields.items()
                if isinstance(self.entries.get(english), dict)
                and self.entries[english].get(language)
            }
            if names:
                result[language] = names
        return result

    def country(self, name, code):
        """CLDR's name of the territory (Babel), unless the glossary names it."""
        names = self.names(name=name)
        for language in other_official_languages():
            cldr = Locale.parse(language).territories.get(code)
            if cldr and language not in names:
                names[language] = {"name": cldr}
        return dict(sorted(names.items()))


@transaction.atomic
def load(path, *, overwrite_edits=False):
    """Load the file; with `overwrite_edits`, the file's values replace those edited here too."""
    data = read(path)
    data["_glossary"] = Glossary(data)
    loader = Loader(overwrite_edits=overwrite_edits)
    try:
        countries = load_countries(data, loader)
        load_chairpersonships(data, countries, loader)
        fields = load_fields_of_work(data, loader)
        structures = load_structures(data, countries, loader)
        load_aliases(data, {"field": fields, "structure": structures, "country": countries}, loader)
        series = load_meeting_series(data, loader)
        load_events(data, {"series": series, "country": countries, "structure": structures}, loader)
    except (KeyError, TypeError, ValueError) as error:
        raise ReferenceDataError(f"{path} is not in the expected shape: {error!r}") from error
    loader.save_snapshots()
    return loader.tally


def sort_name(name):
    return name.removeprefix("The ")


def load_countries(data, loader):
    """Countries by ISO code (None for one deleted here)."""
    groups = [
        (Country.Status.PARTICIPATING_STATE, data["participating_states"], 0),
        (Country.Status.ASIAN_PARTNER, data["partners_for_cooperation"]["asian"]["members"], 100),
        (
            Country.Status.MEDITERRANEAN_PARTNER,
            data["partners_for_cooperation"]["mediterranean"]["members"],
            200,
        ),
        (Country.Status.OTHER, data.get("other_places", []), 300),
    ]
    countries = {}
    for status, entries, offset in groups:
        for index, entry in enumerate(entries, start=1):
            name, code = entry["name"], entry["code"]
            values = {
                "name": name,
                "sort_name": sort_name(name),
                "slug": slugify(name),
                "code": code,
                "status": status,
                "joined_year": entry.get("joined") or entry.get("partner_since"),
                "joined_on": entry.get("joined_date"),
                "other_names": list(entry.get("site_label_variants", [])),
                "position": offset + index,
                "translations": data["_glossary"].country(name, code),
            }
            countries[code] = loader.sync(Country, code, {"code": code}, values)
    return countries


def load_chairpersonships(data, countries, loader):
    for year, entry in data["chairpersonships"].items():
        values = {
            "year": int(year),
            "country_name": entry["country"],
            **linked(countries, country=entry.get("code")),
        }
        loader.sync(Chairpersonship, str(year), {"year": int(year)}, values)


def load_fields_of_work(data, loader):
    """Fields of work by slug (None for one deleted here): the menu's, then the sub-topics,
    each under the field the file names as its `parent`."""
    menus = [
        (data["fields_of_work"]["topical"], True, 0),
        (data["fields_of_work"]["non_topical"], False, 100),
        (data["fields_of_work"].get("subtopics", []), True, 200),
    ]
    fields = {}
    for entries, is_topical, offset in menus:
        for index, entry in enumerate(entries, start=1):
            slug = entry["slug"]
            values = {
                "name": entry["name"],
                "slug": slug,
                **linked(fields, parent=entry.get("parent")),
                "is_topical": is_topical,
                "position": offset + index,
                "translations": data["_glossary"].names(name=entry["name"]),
            }
            fields[slug] = loader.sync(FieldOfWork, slug, {"slug": slug}, values)
    return fields


def load_meeting_series(data, loader):
    """The series of the "Meetings and conferences" menu by slug, in the menu's order."""
    series = {}
    for index, name in enumerate(data["meetings_and_conferences"]["series"], start=1):
        slug = slugify(name)
        values = {
            "name": name,
            "slug": slug,
            "position": index,
            "translations": data["_glossary"].names(name=name),
        }
        series[slug] = loader.sync(MeetingSeries, slug, {"slug": slug}, values)
    return series


def issuing_label(entry):
    label = entry.get("issuing_label") or f"OSCE {entry['name']}"
    # "(closed)" says what the body is today; it was never part of its name.
    return label.removesuffix(CLOSED_SUFFIX)


def press_contact(entry):
    """The press contact of a structure's entry (`press: {name, email, phone}`), where it names
    one; nothing otherwise, so that one an editor entered is kept."""
    press = entry.get("press") or {}
    values = {"press_contact": press.get("name"), "press_email": press.get("email")}
    values["press_phone"] = press.get("phone")
    return {name: value for name, value in values.items() if value} if press else {}


def load_structures(data, countries, loader):
    entries = data["structures"]
    structures = {}
    for index, entry in enumerate(entries, start=1):
        slug, code = entry["id"], entry.get("country")
        if code and code not in countries:
            raise ReferenceDataError(f"structure {slug!r} names unknown country {code!r}")
        values = {
            "name": entry["name"],
            "issuing_label": issuing_label(entry),
            "slug": slug,
            "acronym": entry.get("short_name", ""),
            "kind": Structure.Kind(entry["kind"]),
            **linked(countries, country=code),
            "territory": entry.get("territory", ""),
            "city": entry.get("city", ""),
            "established_year": entry.get("established"),
            "closed_year": entry.get("closed"),
            **press_contact(entry),
            "position": index,
            "translations": data["_glossary"].names(
                name=entry["name"], issuing_label=issuing_label(entry)
            ),
        }
        structures[slug] = loader.sync(
            Structure, slug, {"slug": slug}, values, later=["parent", "successor"]
        )
    # Second pass: links within the tree, now that every structure exists.
    for entry in entries:
        structure = structures[entry["id"]]
        if structure is None:
            continue
        links = linked(structures, parent=entry.get("parent"), successor=entry.get("successor"))
        loader.update(structure, entry["id"], links, loader.base(structure, entry["id"]))
        load_former_names(structure, entry, loader, data["_glossary"])
    return structures


def former_name_dates(entry):
    start = entry.get("from_date") or (
        datetime.date(int(entry["from"]), 1, 1) if entry.get("from") else None
    )
    end = entry.get("to_date") or (
        datetime.date(int(entry["to"]), 12, 31) if entry.get("to") else None
    )
    return {"valid_from": start, "valid_until": end}


def load_former_names(structure, entry, loader, glossary):
    # Predecessors (a task force before a mission, say) are names the same body went by.
    wanted = {
        former["name"]: former_name_dates(former)
        for former in entry.get("former_names", []) + entry.get("predecessors", [])
    }
    loaded = set()
    for name, dates in wanted.items():
        key = f"{entry['id']} / {name}"
        lookup = {"structure": structure, "name": name}
        values = {"name": name, **dates, "translations": glossary.names(name=name)}
        former = loader.sync(FormerName, key, lookup, values)
        if former is not None:
            loaded.add(former.pk)
    for former in list(loader.existing(FormerName).values()):
        if former.structure_id == structure.pk and former.pk not in loaded:
            loader.drop(former, f"{entry['id']} / {former.name}")


def alias_kind(entry):
    kinds = [kind for kind in Alias.Kind.values if entry.get(kind)]
    if len(kinds) != 1:
        raise ReferenceDataError(
            f"alias {entry.get('label')!r} must name exactly one of: {', '.join(Alias.Kind.values)}"
        )
    return kinds[0]


def load_aliases(data, records, loader):
    """The file's aliases, each keyed by its kind and label. An alias the loader wrote and the file
    no longer lists goes; one a manager added here is theirs, and stays without a word."""
    loaded = set()
    for entry in data.get("aliases") or []:
        kind, label = alias_kind(entry), entry["label"]
        target = Alias.TARGETS[kind]
        links = linked(records[kind], **{target: entry[kind]})
        if target not in links:
            continue  # its entry was deleted here
        key = f"{kind}: {label}"
        lookup = {"kind": kind, "key": normalise_name(label)}
        alias = loader.sync(Alias, key, lookup, {"label": label, **links})
        if alias is not None:
            loaded.add(alias.pk)
    written = {
        snapshot.object_id
        for snapshot in loader.snapshots.values()
        if snapshot.model == Alias._meta.label_lower
    }
    for alias in list(loader.existing(Alias).values()):
        if alias.pk in written and alias.pk not in loaded:
            loader.drop(alias, f"{alias.kind}: {alias.label}")


# The real editions of the series (`meetings_and_conferences.editions`) ---------------------------

# A day the file gives without a time is the whole day at the venue: from its first minute to its
# last.
DAY_STARTS, DAY_ENDS = datetime.time(0, 0), datetime.time(23, 59)


def venue_zone(entry):
    name = entry["time_zone"]
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ReferenceDataError(
            f"edition {entry['slug']!r}: unknown time zone {name!r}"
        ) from error


def moment(value, zone, day_time):
    """An aware date-time from the file's date (the whole day: `day_time` says which end of it) or
    local date and time ("2025-12-04T10:00"), in the venue's `zone`."""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value) if len(value) == 10 else value
        value = datetime.datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, day_time)
    return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)


def description_html(text):
    """The file's plain-text description as the stored (sanitised) rich text."""
    return clean_body(f"<p>{escape(text)}</p>") if text else ""


def load_events(data, records, loader):
    """Each edition the file lists, by slug, published, with its series and country; its
    organisers are linked once the event exists (like a structure's links), in the file's order.
    An event the file no longer lists stays: news may be linked to it."""
    written = {
        snapshot.object_id
        for snapshot in loader.snapshots.values()
        if snapshot.model == EventOrganiser._meta.label_lower
    }
    for entry in data["meetings_and_conferences"].get("editions") or []:
        slug, zone = entry["slug"], venue_zone(entry)
        start = moment(entry["start"], zone, DAY_STARTS)
        end = moment(entry["end"], zone, DAY_ENDS)
        if end < start:
            raise ReferenceDataError(f"edition {slug!r} ends before it starts")
        series = slugify(entry["series"]) if entry.get("series") else None
        values = {
            "title": entry["title"],
            "slug": slug,
            **linked(records["series"], series=series),
            "edition": str(entry.get("edition") or ""),
            "start": start,
            "end": end,
            "time_zone": entry["time_zone"],
            "city": entry.get("city", ""),
            **linked(records["country"], country=entry.get("country")),
            "venue": entry.get("venue", ""),
            "attendance": Event.Attendance(entry.get("attendance", Event.Attendance.IN_PERSON)),
            "description": description_html(entry.get("description", "")),
            "status": Event.Status.PUBLISHED,
        }
        event = loader.sync(Event, slug, {"slug": slug}, values)
        if event is not None:
            load_organisers(event, entry, records["structure"], loader, written)


def load_organisers(event, entry, structures, loader, written):
    """The event's organisers as the file orders them, each link keyed by the event's slug and
    the structure's id. A link the loader wrote and the file no longer lists goes; one a manager
    added here is theirs, and stays without a word."""
    loaded = set()
    organisers = entry.get("organised_by") or []
    if len(set(organisers)) != len(organisers):
        raise ReferenceDataError(f"edition {entry['slug']!r} names an organiser twice")
    for position, slug in enumerate(organisers, start=1):
        links = linked(structures, structure=slug)
        if "structure" not in links:
            continue  # the structure was deleted here
        key = f"{entry['slug']} / {slug}"
        lookup = {"event": event, "structure": links["structure"]}
        link = loader.sync(EventOrganiser, key, lookup, {**links, "position": position})
        if link is not None:
            loaded.add(link.pk)
    for link in list(loader.existing(EventOrganiser).values()):
        if link.event_id == event.pk and link.pk in written and link.pk not in loaded:
            loader.drop(link, f"{entry['slug']} / {link.structure.slug}")

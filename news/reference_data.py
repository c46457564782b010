"""Load the bundled taxonomy (osceportal/data/osce.yaml) into the database.

Records are matched by slug (countries by ISO code, chairpersonships by year), so a second run
changes nothing and a changed file updates records in place: news links are never touched."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

import yaml
from django.db import transaction
from django.utils.text import slugify

from countries.models import Chairpersonship, Country
from structures.models import FormerName, Structure

from .models import FieldOfWork

CLOSED_SUFFIX = " (closed)"


class ReferenceDataError(Exception):
    pass


@dataclass
class Tally:
    """created/updated/unchanged/deleted counts per kind of record."""

    counts: dict = field(default_factory=dict)

    def add(self, label, outcome):
        self.counts.setdefault(label, Counter())[outcome] += 1

    @property
    def changed(self):
        return any(c["created"] or c["updated"] or c["deleted"] for c in self.counts.values())


def upsert(model, lookup, values, tally, label):
    """Create or update one record; count what happened."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        tally.add(label, "created")
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        tally.add(label, "updated")
    else:
        tally.add(label, "unchanged")
    return obj


def read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as error:
        raise ReferenceDataError(f"cannot read {path}: {error}") from error
    if not isinstance(data, dict):
        raise ReferenceDataError(f"{path} does not hold a mapping at the top level")
    return data


@transaction.atomic
def load(path):
    data = read(path)
    tally = Tally()
    try:
        countries = load_countries(data, tally)
        load_chairpersonships(data, countries, tally)
        load_fields_of_work(data, tally)
        load_structures(data, countries, tally)
    except (KeyError, TypeError, ValueError) as error:
        raise ReferenceDataError(f"{path} is not in the expected shape: {error!r}") from error
    return tally


def sort_name(name):
    return name.removeprefix("The ")


def load_countries(data, tally):
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
            name = entry["name"]
            values = {
                "name": name,
                "sort_name": sort_name(name),
                "slug": slugify(name),
                "status": status,
                "joined_year": entry.get("joined") or entry.get("partner_since"),
                "joined_on": entry.get("joined_date"),
                "other_names": list(entry.get("site_label_variants", [])),
                "position": offset + index,
            }
            countries[entry["code"]] = upsert(
                Country, {"code": entry["code"]}, values, tally, "countries"
            )
    return countries


def load_chairpersonships(data, countries, tally):
    for year, entry in data["chairpersonships"].items():
        code = entry.get("code")
        values = {
            "country": countries.get(code) if code else None,
            "country_name": entry["country"],
        }
        upsert(Chairpersonship, {"year": int(year)}, values, tally, "chairpersonships")


def load_fields_of_work(data, tally):
    menus = [
        (data["fields_of_work"]["topical"], True, 0),
        (data["fields_of_work"]["non_topical"], False, 100),
    ]
    for entries, is_topical, offset in menus:
        for index, entry in enumerate(entries, start=1):
            values = {"name": entry["name"], "is_topical": is_topical, "position": offset + index}
            upsert(FieldOfWork, {"slug": entry["slug"]}, values, tally, "fields of work")


def issuing_label(entry):
    label = entry.get("issuing_label") or f"OSCE {entry['name']}"
    # "(closed)" says what the body is today; it was never part of its name.
    return label.removesuffix(CLOSED_SUFFIX)


def load_structures(data, countries, tally):
    entries = data["structures"]
    structures = {}
    for index, entry in enumerate(entries, start=1):
        code = entry.get("country")
        if code and code not in countries:
            raise ReferenceDataError(f"structure {entry['id']!r} names unknown country {code!r}")
        values = {
            "name": entry["name"],
            "issuing_label": issuing_label(entry),
            "acronym": entry.get("short_name", ""),
            "kind": Structure.Kind(entry["kind"]),
            "country": countries.get(code) if code else None,
            "territory": entry.get("territory", ""),
            "city": entry.get("city", ""),
            "established_year": entry.get("established"),
            "closed_year": entry.get("closed"),
            "position": index,
        }
        structures[entry["id"]] = upsert(
            Structure, {"slug": entry["id"]}, values, tally, "structures"
        )
    # Second pass: links within the tree, now that every structure exists.
    for entry in entries:
        structure = structures[entry["id"]]
        links = {
            "parent": structures[entry["parent"]] if entry.get("parent") else None,
            "successor": structures[entry["successor"]] if entry.get("successor") else None,
        }
        changed = [name for name, value in links.items() if getattr(structure, name) != value]
        if changed:
            for name in changed:
                setattr(structure, name, links[name])
            structure.save(update_fields=changed)
        load_former_names(structure, entry, tally)


def former_name_dates(entry):
    start = entry.get("from_date") or (
        datetime.date(int(entry["from"]), 1, 1) if entry.get("from") else None
    )
    end = entry.get("to_date") or (
        datetime.date(int(entry["to"]), 12, 31) if entry.get("to") else None
    )
    return {"valid_from": start, "valid_until": end}


def load_former_names(structure, entry, tally):
    # Predecessors (a task force before a mission, say) are names the same body went by.
    wanted = {
        former["name"]: former_name_dates(former)
        for former in entry.get("former_names", []) + entry.get("predecessors", [])
    }
    for stale in structure.former_names.exclude(name__in=wanted):
        stale.delete()
        tally.add("former names", "deleted")
    for name, dates in wanted.items():
        upsert(FormerName, {"structure": structure, "name": name}, dates, tally, "former names")

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
from collections import Counter
from dataclasses import dataclass, field

import yaml
from babel import Locale
from django.conf import settings
from django.db import models, transaction
from django.utils.text import slugify

from countries.models import Chairpersonship, Country
from structures.models import FormerName, Structure

from .models import FieldOfWork, ReferenceSnapshot

CLOSED_SUFFIX = " (closed)"
# What happened to a record, from least to most; a record loaded in two passes (a structure, then
# its links) counts once, for the most that happened to it.
OUTCOMES = ["unchanged", "updated", "created", "deleted"]
KEPT = "kept as edited here"


class ReferenceDataError(Exception):
    pass


def plural(model):
    return str(model._meta.verbose_name_plural)


def plain(value):
    """A value as the snapshot keeps it: a linked record by its id, a date in ISO form."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def current(record, name):
    """A field's value here, as plain as the snapshot keeps it."""
    return plain(getattr(record, record._meta.get_field(name).attname))


def added_since(base, here):
    """Whether a field the snapshot of a loaded record does not know was added since (by a
    migration, with its empty default): the file's value fills it, as it would a new record."""
    return bool(base) and here in ("", None, {}, [])


def shown(model_field, value):
    """A plain value as the report shows it: text in quotes, a linked record by its name."""
    if model_field.is_relation and value is not None:
        value = model_field.related_model._default_manager.filter(pk=value).first()
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, str | models.Model):
        return f'"{value}"'
    return str(value)


@dataclass(frozen=True)
class Difference:
    """A value (or a whole record) kept as it is here where the file has something else."""

    model: type
    key: str
    field_label: str = ""
    here: str = ""
    file: str = ""
    note: str = ""

    @classmethod
    def of(cls, record, key, name, here, theirs):
        model_field = record._meta.get_field(name)
        label = str(model_field.verbose_name)
        return cls(type(record), key, label, shown(model_field, here), shown(model_field, theirs))

    def __str__(self):
        record = f"{self.model._meta.verbose_name} {self.key}"
        if self.note:
            return f"{record} — {self.note}"
        return f"{record} — {self.field_label}: kept {self.here}; the file has {self.file}"


@dataclass
class Tally:
    """What happened to each record, by kind of record, and the differences kept as edited here."""

    outcomes: dict = field(default_factory=dict)  # "structures" -> {key in the file: outcome}
    kept: list = field(default_factory=list)

    def add(self, model, key, outcome):
        records = self.outcomes.setdefault(plural(model), {})
        records[key] = max(outcome, records.get(key, outcome), key=OUTCOMES.index)

    def keep(self, difference):
        self.outcomes.setdefault(plural(difference.model), {})
        self.kept.append(difference)

    @property
    def counts(self):
        """Records per outcome for each kind. A record with a value kept as edited here counts as
        KEPT, not as unchanged (and as updated too if other values of it were updated)."""
        result = {}
        for label, records in self.outcomes.items():
            kept = {d.key for d in self.kept if plural(d.model) == label}
            result[label] = Counter(
                outcome
                for key, outcome in records.items()
                if not (outcome == "unchanged" and key in kept)
            )
            result[label][KEPT] = len(kept)
        return result

    @property
    def changed(self):
        return any(c["created"] or c["updated"] or c["deleted"] for c in self.counts.values())


class Loader:
    """One run: brings each record in line with the file where nobody changed it here."""

    def __init__(self, *, overwrite_edits):
        self.overwrite_edits = overwrite_edits
        self.tally = Tally()
        self.snapshots = {(s.model, s.key): s for s in ReferenceSnapshot.objects.all()}
        self.to_save = {}
        self.to_delete = []
        self.records = {}

    def sync(self, model, key, lookup, values, later=()):
        """The record the file names `key`, with the file's `values` wherever nobody changed them
        here; None if it was deleted here. `later` names fields the caller sets in a second pass:
        a record created now holds the loader's (empty) values there."""
        snapshot = self.snapshots.get((model._meta.label_lower, key))
        if snapshot is not None:
            record = self.existing(model).get(snapshot.object_id)
            if record is not None:
                self.update(record, key, values, snapshot.values)
                return record
        record = model.objects.filter(**lookup).first()
        if record is not None:
            # Not a record the loader wrote: none of its values is known to be the loader's.
            self.update(record, key, values, base={})
            return record
        if snapshot is not None and not self.overwrite_edits:
            self.tally.keep(Difference(model, key, note="deleted here; the file has it"))
            return None
        record = model.objects.create(**{**lookup, **values})
        written = {name: current(record, name) for name in [*values, *later]}
        self.remember(record, key, written)
        self.tally.add(model, key, "created")
        return record

    def existing(self, model):
        """Every record of `model` here by id, read once per run."""
        if model not in self.records:
            self.records[model] = model.objects.in_bulk()
        return self.records[model]

    def update(self, record, key, values, base):
        """Write the file's values over those that are still what the loader wrote (`base`)."""
        agreed, changed = {}, []
        for name, value in values.items():
            here, theirs = current(record, name), plain(value)
            edited_here = here != theirs and (
                base[name] != here if name in base else not added_since(base, here)
            )
            if edited_here and not self.overwrite_edits:
                self.tally.keep(Difference.of(record, key, name, here, theirs))
                continue
            agreed[name] = theirs
            if here != theirs:
                setattr(record, name, value)
                changed.append(name)
        if changed:
            record.save(update_fields=changed)
        self.remember(record, key, {**base, **agreed})
        self.tally.add(type(record), key, "updated" if changed else "unchanged")

    def base(self, record, key):
        """The values the loader is known to have written to `record`."""
        snapshot = self.snapshots.get((record._meta.label_lower, key))
        return snapshot.values if snapshot and snapshot.object_id == record.pk else {}

    def remember(self, record, key, values):
        label = record._meta.label_lower
        snapshot = self.snapshots.get((label, key)) or ReferenceSnapshot(model=label, key=key)
        if snapshot.pk is None or (snapshot.object_id, snapshot.values) != (record.pk, values):
            snapshot.object_id, snapshot.values = record.pk, values
            self.snapshots[label, key] = self.to_save[label, key] = snapshot

    def drop(self, record, key):
        """Delete a record the file no longer lists, if the loader wrote it and nobody changed it
        since; otherwise keep it and report it."""
        label = record._meta.label_lower
        snapshot = next(
            (s for s in self.snapshots.values() if (s.model, s.object_id) == (label, record.pk)),
            None,
        )
        if snapshot is None:
            note = "added here; the file does not list it"
        elif any(current(record, name) != value for name, value in snapshot.values.items()):
            note, key = "changed here; the file no longer lists it", snapshot.key
        else:
            note, key = None, snapshot.key
        if note and not self.overwrite_edits:
            self.tally.keep(Difference(type(record), key, note=note))
            return
        record.delete()
        self.existing(type(record)).pop(record.pk, None)
        if snapshot is not None:
            del self.snapshots[label, snapshot.key]
            self.to_save.pop((label, snapshot.key), None)
            self.to_delete.append(snapshot.pk)
        self.tally.add(type(record), key, "deleted")

    def save_snapshots(self):
        snapshots = self.to_save.values()
        ReferenceSnapshot.objects.bulk_create([s for s in snapshots if s.pk is None])
        ReferenceSnapshot.objects.bulk_update(
            [s for s in snapshots if s.pk is not None], ["object_id", "values"]
        )
        ReferenceSnapshot.objects.filter(pk__in=self.to_delete).delete()


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
        load_fields_of_work(data, loader)
        load_structures(data, countries, loader)
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
    menus = [
        (data["fields_of_work"]["topical"], True, 0),
        (data["fields_of_work"]["non_topical"], False, 100),
    ]
    for entries, is_topical, offset in menus:
        for index, entry in enumerate(entries, start=1):
            slug = entry["slug"]
            values = {
                "name": entry["name"],
                "slug": slug,
                "is_topical": is_topical,
                "position": offset + index,
                "translations": data["_glossary"].names(name=entry["name"]),
            }
            loader.sync(FieldOfWork, slug, {"slug": slug}, values)


def issuing_label(entry):
    label = entry.get("issuing_label") or f"OSCE {entry['name']}"
    # "(closed)" says what the body is today; it was never part of its name.
    return label.removesuffix(CLOSED_SUFFIX)


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

"""The three-way merge behind `load_reference_data` (news/reference_data.py): per record, the
value here, the file's, and the one the loader wrote last time (a `ReferenceSnapshot`). The file's
value is written only where the value here is still the loader's; any other difference was made
here (in the admin, say), and is kept and reported."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db import models

from .models import ReferenceSnapshot

# What happened to a record, from least to most; a record loaded in two passes (a structure, then
# its links) counts once, for the most that happened to it.
OUTCOMES = ["unchanged", "updated", "created", "deleted"]
KEPT = "kept as edited here"


class ReferenceDataError(Exception):
    pass


def plural(model):
    return str(model._meta.verbose_name_plural)


def plain(value):
    """A value as the snapshot keeps it: a linked record by its id, a date in ISO form, a moment
    in UTC (the same moment compares equal whatever zone it was given in)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).isoformat()
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

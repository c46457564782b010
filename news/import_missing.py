"""Taxonomy entries an import adds for names it does not know (`import_news --create-missing`):
a field of work or an issuing body made from the name as the file gives it, flagged
`needs_review` so that an editor checks it (its name, slug, kind and place) before it is
trusted. Countries and languages are never made up: those names stay unresolved."""

import re

from django.db.models import Max
from django.utils.text import slugify

from structures.models import Structure

from .jsonl import BODY, FIELD
from .models import FieldOfWork

CREATABLE = (BODY, FIELD)
# A name that is not a plain line of text is a damaged file, not a body the organisation had.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
POSITION_LIMIT = 32767  # PositiveSmallIntegerField


def refusal(kind, name):
    """Why `name` cannot become a new entry of `kind` (None: it can)."""
    longest = {BODY: Structure, FIELD: FieldOfWork}[kind]._meta.get_field("name").max_length
    if CONTROL_CHARACTERS.search(name):
        return "holds control characters"
    if len(name) > longest:
        return f"longer than {longest} characters"
    return None


def unsaved_entry(kind, name):
    """The entry `name` would become: unsaved, so that a line that fails for another reason
    adds nothing (see `save_for_review`)."""
    if kind == FIELD:
        return FieldOfWork(name=name, needs_review=True)
    return Structure(
        name=name, issuing_label=name, kind=Structure.Kind.OTHER_BODY, needs_review=True
    )


def save_for_review(entry):
    """Give an entry of `unsaved_entry` a free slug (and a field of work the last menu
    position), and save it."""
    model = type(entry)
    entry.slug = free_slug(model, entry.name)
    if model is FieldOfWork:
        last = FieldOfWork.objects.aggregate(last=Max("position"))["last"]
        entry.position = min((last or 0) + 1, POSITION_LIMIT)
    entry.save()
    return entry


def free_slug(model, name):
    """slugify(name), or with "-2", "-3", … when another entry has it. A name with no Latin
    letters or digits ("Бюро") gets "imported-body" / "imported-field", for the reviewer to
    rename."""
    longest = model._meta.get_field("slug").max_length - 6  # room for the counter
    fallback = "imported-field" if model is FieldOfWork else "imported-body"
    base = slugify(name)[:longest].strip("-") or fallback
    taken = set(
        model.objects.filter(slug__startswith=base).values_list("slug", flat=True).iterator()
    )
    slug, counter = base, 1
    while slug in taken:
        counter += 1
        slug = f"{base}-{counter}"
    return slug

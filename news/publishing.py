"""The publishing door. Every rule about what an item needs to be saved in a status, which status
changes a role may make, how each save is stamped, and what publishing and withdrawing set off is
here, once: the admin's edit form, its bulk actions and its history (restore, recovery), and
`import_news` all ask here, and none of them states a rule of its own.

- The checklist (`problems`): what stops an item from being saved as it is, field by field. An
  archive import (`Level.ARCHIVE`) is held to what every stored item must be; an editor's save
  (`Level.EDITORIAL`) to what the organisation publishes.
- The transitions (`change_refusal`, `status_refusal`, `version_refusal`, `publishing_refusal`):
  editors work on drafts, publishers publish, change and withdraw the items of their own bodies.
- The stamp of each save (`stamp`): the edit counter moved on from the one on record, who saved.
- The side effects (`publish`, `withdraw`): the photo files follow the status (news/images.py);
  the page cache is renewed by the model signals once the change is committed (news/apps.py).
- Joint items (news/signing.py): publishing an item issued by several bodies asks each body's
  sign-off; it stays `awaiting` sign-off, out of public view, until the last one. `settle` runs
  after every save of an item."""

import enum
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import images, signing
from .models import NewsItem
from .permissions import can_publish, edits_all, may_edit, outside_bodies, structure_names

Status = NewsItem.Status


class Level(enum.Enum):
    ARCHIVE = "archive"  # what every stored item must be (an import of the organisation's past)
    EDITORIAL = "editorial"  # what the organisation publishes today (the back office)


@dataclass(frozen=True)
class Problem:
    """One thing that stops an item from being saved as it is."""

    code: str
    field: str  # the item's field it concerns ("issuing_bodies" for the "Issued by" rows)
    message: str  # in words for an editor

    def __str__(self):
        return self.message


def problems(item, *, issuing_bodies, fields_of_work, level=Level.EDITORIAL, asks_others=False):
    """What stops `item` from being saved with its status. `issuing_bodies` and `fields_of_work`
    are passed in, since on a form or an import line they are not saved yet; `item.image` is
    whatever photo the item keeps (a new upload, the one it has, or none). An item that will
    await others' sign-off (`asks_others`, or awaiting already) may go without an "issued on"
    time: it is issued when the last body signs off."""
    found = []
    editorial = level is Level.EDITORIAL
    if item.image and not (item.image_alt or "").strip():
        found.append(
            Problem(
                "alt_text",
                "image_alt",
                _("Describe the photo for people who cannot see it (alt text)."),
            )
        )
    if item.status == Status.WITHDRAWN and editorial and not item.withdrawn_reason.strip():
        found.append(
            Problem(
                "withdrawal_reason",
                "withdrawn_reason",
                _("Say why the item is withdrawn; the reason stays on record."),
            )
        )
    if item.status not in signing.WANTED_PUBLIC:
        return found
    if item.published_at is None and not asks_others:
        found.append(
            Problem(
                "issued_on",
                "published_at",
                _("Give the time the item goes public (now, or later to schedule)."),
            )
        )
    if not issuing_bodies:
        found.append(
            Problem(
                "issuer",
                "issuing_bodies",
                _("Choose at least one issuing body under “Issued by”."),
            )
        )
    if editorial and not item.lead.strip():
        found.append(
            Problem("lead", "lead", _("Write a lead: one or two sentences that sum up the news."))
        )
    if editorial and not fields_of_work:
        found.append(
            Problem("field_of_work", "fields_of_work", _("Choose at least one field of work."))
        )
    return found


def saved_problems(item):
    """The checklist of a saved item, as its status would have it."""
    return problems(
        item,
        issuing_bodies=list(item.issuing_bodies.all()),
        fields_of_work=list(item.fields_of_work.all()),
    )


# --- transitions: which role may make which change ---------------------------------------------


def publishing_refusal(user, item=None):
    """Publishing and withdrawing are for publishers, and only of items of their own bodies."""
    if not can_publish(user):
        return _("Only publishers may publish or withdraw news items.")
    if item is not None and not may_edit(user, item):
        return _("“%(item)s” is not issued by a body you work for.") % {"item": item}
    return None


def change_refusal(user, status_on_record):
    """Editors work on drafts: once an item is published (or scheduled) or withdrawn, changing
    it, unpublishing it or withdrawing it is publishing."""
    if status_on_record in (None, Status.DRAFT) or can_publish(user):
        return None
    if status_on_record == Status.WITHDRAWN:
        return _("This item is withdrawn: only a publisher may change it or publish it again.")
    if status_on_record == Status.AWAITING:
        return _("This item awaits sign-off: only a publisher may change it or take it back.")
    return _("This item is published: only a publisher may change, unpublish or withdraw it.")


def status_refusal(user, status_on_record, new_status):
    """Whether the user may save an item that is `status_on_record` (None: new) as
    `new_status`."""
    refusal = change_refusal(user, status_on_record)
    if refusal is None and new_status != Status.DRAFT and not can_publish(user):
        refusal = _("You may save drafts only: ask a publisher to publish, change or withdraw it.")
    return refusal


def version_refusal(user, *, status_before, issuers_before, status_after, issuers_after):
    """Whether the user may turn an item (None: a deleted one) into an earlier version of it,
    as restoring from the history or recovering a deleted item does."""
    refusal = change_refusal(user, status_before)
    if refusal is None and status_after != Status.DRAFT and not can_publish(user):
        refusal = _(
            "That version was published or withdrawn: only a publisher may restore it. You may "
            "restore draft versions of drafts."
        )
    if refusal is not None or edits_all(user):
        return refusal
    if not issuers_after - outside_bodies(user, issuers_after):
        return _("That version is not issued by any of the bodies you work for.")
    # Recovering a deleted item adds all its bodies; restoring a version, those that differ.
    changed = issuers_after if status_before is None else issuers_before ^ issuers_after
    others = outside_bodies(user, changed)
    if others:
        return _(
            "Restoring that version would add or remove %(bodies)s, which you do not work for: "
            "ask a manager."
        ) % {"bodies": structure_names(others)}
    return None


# --- the stamp of a save, and publishing and withdrawing saved items ----------------------------


def stamp(item, *, by, version_on_record):
    """Before a save: the edit counter moved on from the one on record (None: a new item), so
    that a form opened before is refused rather than saved over this change; who saved it (None:
    an import, which leaves the names as they were)."""
    item.version = 1 if version_on_record is None else version_on_record + 1
    if by is not None:
        if version_on_record is None:
            item.created_by = by
        item.updated_by = by


# What a reader reads: a change to any of these after the item was issued is an update to them.
CONTENT_FIELDS = frozenset(
    {"title", "lead", "body", "image", "image_alt", "image_caption", "image_credit"}
)


def mark_revised(item, changed_fields):
    """Before a save that changes `changed_fields` (names of the item's fields): the time its
    content last changed, which its page shows as "Last updated" once it has been issued."""
    if CONTENT_FIELDS.intersection(changed_fields):
        item.revised_at = timezone.now()


# Both read the item again under a row lock and write only the columns they change: a bulk
# action holds items it read a moment ago, and an editor may have saved one since.
STATUS_COLUMNS = [
    "status", "published_at", "withdrawn_reason", "version", "updated_by",
    "submitted_at", "submitted_by",
]  # fmt: skip


@transaction.atomic
def publish(item, *, by):
    """Publish a saved item now, or at its `published_at` if that lies ahead (scheduling).
    Returns what stopped it, in words for the user; nothing when it is published."""
    locked = NewsItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    refusal = publishing_refusal(by, locked)
    if refusal:
        return [refusal]
    # A joint item awaits its other bodies' sign-off (`settle`), and is issued at the last.
    issuers = signing.issuers_of(locked)
    asks_others = signing.asks_others(issuers, by)
    locked.status = Status.AWAITING if asks_others else Status.PUBLISHED
    if locked.published_at is None and not asks_others:
        locked.published_at = timezone.now()
    locked.withdrawn_reason = ""
    found = problems(
        locked,
        issuing_bodies=issuers,
        fields_of_work=list(locked.fields_of_work.all()),
        asks_others=asks_others,
    )
    if found:
        return [str(problem) for problem in found]
    save_status(locked, by)
    item.sign_off_asked = signing.settle(locked, by=by)
    item.status = locked.status
    return []


@transaction.atomic
def withdraw(item, *, by, reason):
    """Take a published item off the site, keeping it and the reason on record. Returns what
    stopped it; nothing when it is withdrawn."""
    locked = NewsItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    refusal = publishing_refusal(by, locked)
    if refusal:
        return [refusal]
    before = locked.status
    locked.status = Status.WITHDRAWN
    locked.withdrawn_reason = reason.strip()
    found = saved_problems(locked)
    if found:
        return [str(problem) for problem in found]
    save_status(locked, by)
    signing.settle(locked, by=by, before=before)
    return []


def save_status(item, by):
    stamp(item, by=by, version_on_record=item.version)
    item.submitted_at = item.submitted_by = None  # a submitted draft is one no longer
    item.save(update_fields=[*STATUS_COLUMNS, "updated_at"])
    # A withdrawn item's photo leaves public reach; published again, it comes back.
    images.sync_photo_files_on_commit(item, images.photo_files(item))

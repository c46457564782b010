"""Editorial actions with side effects, kept out of models and views: publishing, withdrawing,
the publishing checklist."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import images, permissions
from .models import NewsItem


def publishing_problems(item, *, issuing_bodies, fields_of_work):
    """What an item still lacks before it may be published, in words for its editor.
    `issuing_bodies` and `fields_of_work` are passed in because on a form they are not saved yet.
    """
    problems = []
    if not item.lead.strip():
        problems.append(_("Write a lead: one or two sentences that sum up the news."))
    if not issuing_bodies:
        problems.append(_("Choose at least one issuing body under “Issued by”."))
    if not fields_of_work:
        problems.append(_("Choose at least one field of work."))
    if item.image and not item.image_alt.strip():
        problems.append(_("Describe the photo in its alt text, for people who cannot see it."))
    return problems


def saved_publishing_problems(item):
    return publishing_problems(
        item,
        issuing_bodies=list(item.issuing_bodies.all()),
        fields_of_work=list(item.fields_of_work.all()),
    )


# Both read the item again under a row lock and write only the columns they change: a bulk
# action holds items it read a moment ago, and an editor may have saved one since. Its edit
# counter moves on, so a form opened before is refused rather than saved over the change.
STATUS_COLUMNS = ["status", "published_at", "withdrawn_reason", "updated_by", "updated_at"]


@transaction.atomic
def publish(item, *, by):
    """Publish a saved item now, or at its `published_at` if that lies ahead (scheduling).
    Returns what stopped it, in words for the user; nothing when it is published."""
    locked = NewsItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    refusal = permissions.publishing_refusal(by, locked)
    if refusal:
        return [refusal]
    problems = saved_publishing_problems(locked)
    if problems:
        return problems
    locked.status = NewsItem.Status.PUBLISHED
    if locked.published_at is None:
        locked.published_at = timezone.now()
    locked.withdrawn_reason = ""
    save_status(locked, by)
    return []


@transaction.atomic
def withdraw(item, *, by, reason):
    """Take a published item off the site, keeping it and the reason on record. Returns what
    stopped it; nothing when it is withdrawn."""
    locked = NewsItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    refusal = permissions.publishing_refusal(by, locked)
    if refusal:
        return [refusal]
    if not reason.strip():
        return [_("Say why the item is withdrawn; the reason stays on record.")]
    locked.status = NewsItem.Status.WITHDRAWN
    locked.withdrawn_reason = reason.strip()
    save_status(locked, by)
    return []


def save_status(item, by):
    item.updated_by = by
    item.version += 1
    item.save(update_fields=[*STATUS_COLUMNS, "version"])
    # A withdrawn item's photo leaves public reach; published again, it comes back.
    images.sync_photo_files_on_commit(item, images.photo_files(item))

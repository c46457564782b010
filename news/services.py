"""Editorial actions with side effects, kept out of models and views: publishing, withdrawing,
the publishing checklist."""

from django.utils import timezone
from django.utils.translation import gettext as _

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


def publish(item, *, by):
    """Publish a saved item now, or at its `published_at` if that lies ahead (scheduling)."""
    problems = saved_publishing_problems(item)
    if problems:
        return problems
    item.status = NewsItem.Status.PUBLISHED
    if item.published_at is None:
        item.published_at = timezone.now()
    item.withdrawn_reason = ""
    item.updated_by = by
    item.version += 1
    item.save()
    return []


def withdraw(item, *, by, reason):
    item.status = NewsItem.Status.WITHDRAWN
    item.withdrawn_reason = reason
    item.updated_by = by
    item.version += 1
    item.save()

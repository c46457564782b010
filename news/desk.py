"""The editor's desk: the back office's home page for the people who edit news, and the status
as the public sees it. What waits for the person — their drafts, what is scheduled and when it
goes live, what their offices published last, the joint items awaiting a sign-off, the
translations whose source changed, and for managers what an import added for review — each with
its count and a link to the news list filtered to it.

Every shelf costs one or two queries however many items there are, each answered from an index
(bench/README.md, "Desk at 1,000,000 items"): counts stop at `COUNT_CAP`, the few items shown
are the first rows of an index, and each item found is tested against the user's bodies on its
own."""

from dataclasses import dataclass, field

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from structures.models import Structure

from . import moments, signing
from .models import FieldOfWork, NewsItem
from .permissions import can_publish
from .querysets import edits_all

Status = NewsItem.Status
COUNT_CAP = 1_000  # "more than 1,000": a desk is not the place to count the archive
SHOWN = 5  # items listed on a shelf


class StatusFilter(admin.SimpleListFilter):
    """The status as the public sees it: a published item whose time is still ahead is
    Scheduled, computed from the one definition (news/querysets.py), never stored."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            (Status.DRAFT, Status.DRAFT.label),
            (Status.AWAITING, Status.AWAITING.label),
            ("submitted", _("Submitted for publishing")),
            ("scheduled", _("Scheduled")),
            (Status.PUBLISHED, _("Published (public)")),
            (Status.WITHDRAWN, Status.WITHDRAWN.label),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "scheduled":
            return queryset.scheduled()
        if value == "submitted":
            return queryset.filter(status=Status.DRAFT, submitted_at__isnull=False)
        if value == Status.PUBLISHED:
            return queryset.published()
        if value in (Status.DRAFT, Status.AWAITING, Status.WITHDRAWN):
            return queryset.filter(status=value)
        return queryset


class MineFilter(admin.SimpleListFilter):
    title = _("yours")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", _("Created or last saved by me"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(saved_by(request.user))
        return queryset


def saved_by(user):
    """The items `user` created or saved last: "mine", for the desk and the list's filter."""
    return Q(created_by=user) | Q(updated_by=user)


def status_in_words(item):
    """Draft, Awaiting sign-off, Scheduled (goes live on …), Published, Withdrawn."""
    if item.is_scheduled:
        return _("Scheduled: goes live on %(when)s") % {"when": moments.in_words(item.published_at)}
    if item.status == Status.DRAFT and item.submitted_at is not None:
        return _("Draft, submitted for publishing on %(when)s") % {
            "when": moments.in_words(item.submitted_at)
        }
    return item.get_status_display()


def where_it_is(item):
    """What saving a live or scheduled item says: a link to it, or when it goes live."""
    if item.is_scheduled:
        return status_in_words(item)
    return format_html(
        '{} <a href="{}">{}</a>',
        _("It is live on the site."),
        item.get_absolute_url(),
        _("View live"),
    )


# --- the desk ------------------------------------------------------------------------------------


@dataclass
class Shelf:
    key: str
    title: str
    url: str
    count: int | None = None  # None: not counted (the published archive)
    items: list = field(default_factory=list)  # (item, what to say of it) pairs

    cap = COUNT_CAP

    @property
    def more(self):
        return self.count is not None and self.count > COUNT_CAP


def capped_count(queryset):
    return queryset.order_by()[: COUNT_CAP + 1].count()


def news_list(**filters):
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return f"{reverse('admin:news_newsitem_changelist')}?{query}"


def shelves(user):
    """The desk of `user`: the shelves their role has, in the order of their day."""
    if not user.has_perm("news.view_newsitem"):
        return []
    # Each shelf holds few items, found by an index of their own; each is then tested against
    # the user's bodies on its own, rather than every item of the bodies read (querysets.py).
    mine = NewsItem.objects.editable_by(user, item_by_item=True)
    mine = mine.only("title", "status", "published_at", "submitted_at")
    scheduled = mine.scheduled()
    found = [
        Shelf(
            "drafts",
            _("My drafts"),
            news_list(status=Status.DRAFT, mine="yes"),
            capped_count(mine.filter(saved_by(user), status=Status.DRAFT)),
        ),
        Shelf(
            "submitted",
            _("Submitted for publishing") if can_publish(user) else _("Submitted by me"),
            news_list(status="submitted")
            if can_publish(user)
            else news_list(status="submitted", mine="yes"),
            capped_count(
                mine.filter(status=Status.DRAFT, submitted_at__isnull=False)
                if can_publish(user)
                else mine.filter(saved_by(user), status=Status.DRAFT, submitted_at__isnull=False)
            ),
        ),
        Shelf(
            "scheduled",
            _("Scheduled"),
            news_list(status="scheduled"),
            capped_count(scheduled),
            [
                (item, status_in_words(item))
                for item in scheduled.order_by("published_at", "pk")[:SHOWN]
            ],
        ),
        Shelf(
            "published",
            _("Recently published") if edits_all(user) else _("Recently published by my offices"),
            news_list(status=Status.PUBLISHED),
            None,
            [
                (item, moments.in_words(item.published_at))
                for item in mine.published().order_by("-published_at", "-pk")[:SHOWN]
            ],
        ),
        Shelf(
            "sign_off_mine",
            _("Awaiting my sign-off"),
            news_list(sign_off="mine"),
            capped_count(signing.awaiting(user)),
        ),
        Shelf(
            "sign_off_others",
            _("Awaiting others"),
            news_list(sign_off="others"),
            capped_count(mine.filter(pk__in=signing.awaiting_others(user).values("pk"))),
        ),
        Shelf(
            "source_changed",
            _("Translations whose source changed"),
            news_list(source_changed="yes"),
            capped_count(mine.source_changed()),
        ),
    ]
    if edits_all(user):
        for model in (Structure, FieldOfWork):
            opts = model._meta
            found.append(
                Shelf(
                    f"review_{opts.model_name}",
                    _("Added by import, needs review: %(what)s")
                    % {"what": opts.verbose_name_plural},
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
                    + "?needs_review__exact=1",
                    capped_count(model.objects.filter(needs_review=True)),
                )
            )
    return found

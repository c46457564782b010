"""django-reversion's history, restore and recovery views for events, behind the back office's
rights, as news/admin/history.py does for news items (its docstring says why): everything is
checked before reversion writes anything — the event is one the user may edit (get_object
raises Http404 otherwise), the version is one of that event's own, the change is one the user's
role may make — and what is restored still goes through the change form and its checks."""

from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from reversion.errors import RevertError
from reversion.models import Version

from ..models import Event, EventOrganiser
from ..permissions import (
    can_publish_events,
    edits_all_events,
    event_change_refusal,
    event_organisers_refusal,
    organiser_ids,
)
from .history import GuardedVersionAdmin, OnRecord, conflict, version_number, version_status


def version_organisers(version):
    """The ids of the bodies that organised the event in this version."""
    organiser = ContentType.objects.get_for_model(EventOrganiser)
    return {
        row.field_dict["structure_id"]
        for row in version.revision.version_set.all()
        if row.content_type_id == organiser.pk
        and str(row.field_dict.get("event_id")) == version.object_id
    }


def event_version_refusal(user, *, status_before, organisers_before, version):
    """Whether the user may turn an event (status_before None: a deleted one) into `version`."""
    refusal = event_change_refusal(user, status_before)
    public_version = version_status(version) != Event.Status.DRAFT
    if refusal is None and public_version and not can_publish_events(user):
        refusal = _(
            "That version was public: only a publisher may restore it. You may restore draft "
            "versions of drafts."
        )
    if refusal:
        return refusal
    return event_organisers_refusal(
        user, before=organisers_before, after=version_organisers(version)
    )


class GuardedEventVersionAdmin(GuardedVersionAdmin):
    """For EventAdmin. Reuses the news history's views where they do not name news items."""

    @transaction.atomic
    def revision_view(self, request, object_id, version_id, extra_context=None):
        event = self.get_object(request, unquote(object_id))
        counter = (
            Event.objects.select_for_update(of=("self",))
            .filter(pk=event.pk)
            .values_list("version", flat=True)
            .get()
        )
        version = get_object_or_404(Version.objects.get_for_object(event), pk=version_id)
        try:
            refusal = event_version_refusal(
                request.user,
                status_before=event.status,
                organisers_before=organiser_ids(event),
                version=version,
            )
        except RevertError as error:
            return conflict(request, str(error))
        if refusal:
            raise PermissionDenied(refusal)
        request.news_on_record = OnRecord(counter, frozenset())
        # Skips GuardedVersionAdmin's own (news) checks: those above stand for them.
        return self.restore(
            super(GuardedVersionAdmin, self).revision_view,
            request,
            object_id,
            version_id,
            extra_context,
        )

    def recoverable_versions(self, request):
        deleted = Version.objects.get_deleted(self.model).select_related("revision")
        if edits_all_events(request.user):
            return deleted
        allowed = [
            version.pk
            for version in deleted.prefetch_related("revision__version_set")
            if self.recovery_refusal(request, version) is None
        ]
        return deleted.filter(pk__in=allowed)

    def recovery_refusal(self, request, version):
        return event_version_refusal(
            request.user, status_before=None, organisers_before=set(), version=version
        )

    @transaction.atomic
    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_deleted(self.model), pk=version_id)
        try:
            refusal = self.recovery_refusal(request, version)
        except RevertError as error:
            return conflict(request, str(error))
        if refusal:
            raise PermissionDenied(refusal)
        slug = version.field_dict.get("slug")
        if Event.objects.filter(slug=slug).exists():
            return conflict(
                request,
                _(
                    "Another event now has the address “%(slug)s”: change that event's slug, "
                    "then recover this one."
                )
                % {"slug": slug},
            )
        request.news_on_record = OnRecord(version_number(version), frozenset())
        return self.restore(
            super(GuardedVersionAdmin, self).recover_view, request, version_id, extra_context
        )

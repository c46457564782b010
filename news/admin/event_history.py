"""django-reversion's history, restore and recovery views for events, behind the back office's
rights, as news/admin/history.py does for news items (its docstring says why): everything is
checked before reversion writes anything — the event is one the user may edit (get_object
raises Http404 otherwise), the version is one of that event's own, the change is one the user's
role may make — and what is restored still goes through the change form and its checks."""

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Event, EventOrganiser
from ..permissions import (
    can_publish_events,
    edits_all_events,
    event_change_refusal,
    event_organisers_refusal,
    organiser_ids,
)
from .history import GuardedVersionAdmin, version_status


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
    """For EventAdmin: the views of news/admin/history.py, with the events' rules."""

    slug_taken = gettext_lazy(
        "Another event now has the address “%(slug)s”: change that event's slug, then recover "
        "this one."
    )

    def version_refusal(self, request, obj, version):
        return event_version_refusal(
            request.user,
            status_before=obj.status,
            organisers_before=organiser_ids(obj),
            version=version,
        )

    def recovery_refusal(self, request, version):
        return event_version_refusal(
            request.user, status_before=None, organisers_before=set(), version=version
        )

    def recovers_all(self, user):
        return edits_all_events(user)

    def files_on_record(self, obj):
        return frozenset()

"""The bulk actions of the events list beside delete: publishing the selected drafts, each in a
revision of its own, as the news list's "Publish the selected items" does (news/admin/actions.py).
Postponing and cancelling are not bulk actions: each needs its own note."""

import reversion
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import Event
from ..permissions import can_publish_events, event_status_refusal


class EventBulkActions:
    """For EventAdmin."""

    actions = ["delete_selected", "publish_selected"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_publish_events(request.user):
            actions.pop("publish_selected", None)
        return actions

    @admin.action(description=_("Publish the selected draft events"))
    def publish_selected(self, request, queryset):
        """Each selected draft (the list holds only the events the user may edit) published,
        under its row lock, with its version moved on; any other event is left as it is."""
        if not can_publish_events(request.user):
            raise PermissionDenied(event_status_refusal(request.user, None, Event.Status.PUBLISHED))
        comment = _("Published with the bulk action.")
        published, left = 0, []
        for pk in queryset.order_by("pk").values_list("pk", flat=True):
            with transaction.atomic(), reversion.create_revision():
                event = Event.objects.select_for_update().get(pk=pk)
                if event.status != Event.Status.DRAFT or not event.organisers.exists():
                    left.append(event)
                    continue
                event.status, event.updated_by = Event.Status.PUBLISHED, request.user
                event.version += 1
                event.save(update_fields=["status", "updated_by", "version", "updated_at"])
                reversion.set_user(request.user)
                reversion.set_comment(comment)
            self.log_change(request, event, comment)
            published += 1
        if published:
            message = ngettext("%d event published.", "%d events published.", published)
            self.message_user(request, message % published, messages.SUCCESS)
        for event in left:
            self.message_user(
                request,
                _("Not published: “%(event)s” is not a draft with an organiser.")
                % {"event": event},
                messages.WARNING,
            )

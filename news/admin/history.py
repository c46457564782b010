"""django-reversion's history, restore and recovery views, behind the back office's rights.

reversion writes the chosen version into the database first and then runs the change form on
the result, keeping what it wrote unless that form answers with a page (200). A change view
that cannot find an item the user may not edit answered with a redirect, which reversion took
for success: one POST rolled another office's published item back to a draft. So everything is
checked here before anything is written — the item is one the user may edit, the version is
one of that item's own, the change is one the user's role may make (news/permissions.py) — and
what is restored still goes through the change form and its checks (the sanitiser, the
publishing checklist, the edit counter) before it is kept."""

from dataclasses import dataclass

from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Version

from .. import images, permissions, publishing
from ..models import IssuingBody
from .refusals import refusal_page


@dataclass(frozen=True)
class OnRecord:
    """The item as it was stored before a restore wrote an earlier version over it: the edit
    form counts on from its edit counter, and the photo it had leaves public reach if the
    restored version has another (request.news_on_record)."""

    version: int
    photo_files: frozenset


def version_status(version):
    return version.field_dict.get("status")


def version_issuers(version):
    """The ids of the bodies that issued the item in this version (the "Issued by" rows saved
    in the same revision)."""
    issuing_body = ContentType.objects.get_for_model(IssuingBody)
    # All of the revision's rows (prefetched for a list of versions), sorted out here.
    return {
        row.field_dict["structure_id"]
        for row in version.revision.version_set.all()
        if row.content_type_id == issuing_body.pk
        and str(row.field_dict.get("news_item_id")) == version.object_id
    }


def version_number(version):
    """The edit counter stored with a version (none in versions saved before it was kept)."""
    return version.field_dict.get("version") or 0


def conflict(request, message):
    return refusal_page(request, message, title=_("Not possible"), status=409)


class GuardedVersionAdmin(VersionAdmin):
    """A VersionAdmin whose history, restore and recovery views hold the rights of the change
    form, for an admin whose get_object() finds only objects the user may edit and raises
    Http404 for any other. The rules are the subclass's (`version_refusal`, `recovery_refusal`,
    `recovers_all`): NewsItemAdmin's here, EventAdmin's in news/admin/event_history.py."""

    # The conflict page of a recovery whose address another object has taken since.
    slug_taken = gettext_lazy(
        "Another item now has the address “%(slug)s”: change that item's slug, then recover "
        "this one."
    )

    def history_view(self, request, object_id, extra_context=None):
        self.get_object(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    # --- the rules: a news item's -------------------------------------------------------------

    def version_refusal(self, request, obj, version):
        """Why the user may not turn `obj` into `version`, or None."""
        return publishing.version_refusal(
            request.user,
            status_before=obj.status,
            issuers_before=permissions.issuer_ids(obj),
            status_after=version_status(version),
            issuers_after=version_issuers(version),
        )

    def recovery_refusal(self, request, version):
        """Why the user may not bring a deleted object back as `version`, or None."""
        return publishing.version_refusal(
            request.user,
            status_before=None,
            issuers_before=set(),
            status_after=version_status(version),
            issuers_after=version_issuers(version),
        )

    def recovers_all(self, user):
        return permissions.edits_all(user)

    def files_on_record(self, obj):
        """The files the object's form compares with what it saves (a news item's photo)."""
        return frozenset(images.photo_files(obj))

    # --- the views ----------------------------------------------------------------------------

    @transaction.atomic
    def revision_view(self, request, object_id, version_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        # Locked until the restore is kept or undone: no save may come between this read and
        # the form's check of the edit counter.
        counter = (
            self.model.objects.select_for_update(of=("self",))
            .filter(pk=obj.pk)
            .values_list("version", flat=True)
            .get()
        )
        version = get_object_or_404(Version.objects.get_for_object(obj), pk=version_id)
        try:
            refusal = self.version_refusal(request, obj, version)
        except RevertError as error:  # a version of data the code can no longer read
            return conflict(request, str(error))
        if refusal:
            raise PermissionDenied(refusal)
        # The restore writes the old row, its edit counter too, before the form runs.
        request.news_on_record = OnRecord(counter, self.files_on_record(obj))
        return self.restore(super().revision_view, request, object_id, version_id, extra_context)

    def recoverable_versions(self, request):
        """The deleted objects the user may bring back: all for managers, otherwise those the
        rules let the user recover (for news, those whose every issuing body is the user's)."""
        deleted = Version.objects.get_deleted(self.model).select_related("revision")
        if self.recovers_all(request.user):
            return deleted
        allowed = [
            version.pk
            for version in deleted.prefetch_related("revision__version_set")
            if self.recovery_refusal(request, version) is None
        ]
        return deleted.filter(pk__in=allowed)

    def recoverlist_view(self, request, extra_context=None):
        deleted = self.recoverable_versions(request)
        deleted = self._reversion_order_version_queryset(request, deleted)
        return super().recoverlist_view(request, {"deleted": deleted, **(extra_context or {})})

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
        if self.model.objects.filter(slug=slug).exists():
            return conflict(request, self.slug_taken % {"slug": slug})
        request.news_on_record = OnRecord(version_number(version), frozenset())
        return self.restore(super().recover_view, request, version_id, extra_context)

    def restore(self, view, request, *args):
        """Run one of reversion's views; a restore the database refuses (a link to a body
        deleted since, say) is a clear page, not a server error."""
        try:
            with transaction.atomic():
                response = view(request, *args)
                # Links are checked at commit; checked here, a broken one is this page.
                connection.check_constraints()
            return response
        except IntegrityError:
            return conflict(
                request,
                _(
                    "That version cannot be restored: it refers to something that no longer "
                    "exists (an issuing body, a field of work or a country)."
                ),
            )

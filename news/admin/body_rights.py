"""The rights of the back office over an object of the bodies a person works for — a news item
issued by them, an event organised by them — taken from the model's rule functions
(news/permissions.py, news/publishing.py), so that every door of its admin asks the same rules:
seeing, changing and deleting it, its change and delete pages, the bulk delete, and its address,
fixed once it is public."""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _


class BodyRights:
    """For a ModelAdmin whose get_queryset() holds only the objects the user may edit. The rules,
    given as staticmethods by the admin:
    - `may_edit_rule(user, obj)`: whether the object (None: any) is one the user may edit;
    - `change_refusal_rule(user, status_on_record)`: why the user may not change an object of
      that status (None: a new one), or None;
    - `deletion_refusal_rule(user, obj)`: why the user may not delete it, or None."""

    may_edit_rule = change_refusal_rule = deletion_refusal_rule = None

    @staticmethod
    def status_on_record(obj):
        """The status stored, not the one a form that failed has set on the object."""
        return getattr(obj, "status_on_record", obj.status) if obj.pk else None

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # A form that fails validation sets its values on the object before the page is
            # shown again, status too: what is read-only goes by the status on record.
            obj.status_on_record = obj.status
        return obj

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.may_edit_rule(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return (
            super().has_change_permission(request, obj)
            and self.may_edit_rule(request.user, obj)
            and (obj is None or self.status_change_refusal(request, obj) is None)
        )

    def has_delete_permission(self, request, obj=None):
        return (
            super().has_delete_permission(request, obj)
            and self.may_edit_rule(request.user, obj)
            and (obj is None or self.deletion_refusal_rule(request.user, obj) is None)
        )

    def status_change_refusal(self, request, obj):
        return self.change_refusal_rule(request.user, self.status_on_record(obj))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        refusal = self.status_change_refusal(request, self.get_object(request, unquote(object_id)))
        if refusal:
            if request.method == "POST":
                raise PermissionDenied(refusal)
            # The object is shown read-only; the page says why.
            self.message_user(request, refusal, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        refusal = self.deletion_refusal_rule(request.user, obj)
        if refusal:
            raise PermissionDenied(refusal)
        return super().delete_view(request, object_id, extra_context)

    @admin.action(permissions=["delete"], description=_("Delete selected %(verbose_name_plural)s"))
    def delete_selected(self, request, queryset):
        """The whole selection refused when one object may not be deleted, saying why."""
        refusals = [self.deletion_refusal_rule(request.user, obj) for obj in queryset]
        if any(refusals):
            reasons = [str(_("Nothing was deleted.")), *filter(None, refusals)]
            raise PermissionDenied("\n".join(reasons))
        return delete_selected(self, request, queryset)

    def get_readonly_fields(self, request, obj=None):
        # The address of a public object is out in the world (and, for an event, in calendars).
        if obj is not None and self.status_on_record(obj) not in (None, self.model.Status.DRAFT):
            return ["slug"]
        return []

    def get_prepopulated_fields(self, request, obj=None):
        if "slug" in self.get_readonly_fields(request, obj):
            return {}
        return super().get_prepopulated_fields(request, obj)

"""The bulk actions of the news list beside delete (news/admin/body_rights.py): publish,
withdraw. Both go through the publishing door (news/publishing.py), item by item, each in a
revision of its own."""

import reversion
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import publishing
from ..permissions import can_publish


class BulkActions:
    """For NewsItemAdmin, after BodyRights (its `delete_selected`)."""

    actions = ["delete_selected", "publish_selected", "withdraw_selected"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_publish(request.user):
            actions.pop("publish_selected", None)
            actions.pop("withdraw_selected", None)
        return actions

    @admin.action(description=_("Publish the selected items"))
    def publish_selected(self, request, queryset):
        self.change_status(
            request,
            queryset,
            lambda item: publishing.publish(item, by=request.user),
            comment=_("Published with the bulk action."),
            done=lambda n: ngettext("%d item published.", "%d items published.", n) % n,
            refused=_("Not published: %s"),
        )

    @admin.action(description=_("Withdraw the selected items"))
    def withdraw_selected(self, request, queryset):
        reason = (request.POST.get("withdrawn_reason") or "").strip()
        if not reason:
            return TemplateResponse(
                request,
                "admin/news/newsitem/withdraw_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Withdraw news items"),
                    "items": queryset,
                    "opts": self.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        self.change_status(
            request,
            queryset,
            lambda item: publishing.withdraw(item, by=request.user, reason=reason),
            comment=_("Withdrawn: %s") % reason,
            done=lambda n: ngettext("%d item withdrawn.", "%d items withdrawn.", n) % n,
            refused=_("Not withdrawn: %s"),
        )

    def change_status(self, request, queryset, change, *, comment, done, refused):
        """Publish or withdraw each item through the publishing service, each in a revision of
        its own, and say what was done and what was not, and why."""
        refusal = publishing.publishing_refusal(request.user)
        if refusal:
            raise PermissionDenied(refusal)
        changed, problems_by_item, awaiting = 0, [], []
        for item in queryset:
            said = comment
            with reversion.create_revision():
                reversion.set_user(request.user)
                problems = change(item)
                asked = getattr(item, "sign_off_asked", None)
                if asked:  # a joint item: its other bodies asked to sign off (news/signing.py)
                    said = "{} {}".format(
                        comment,
                        _("Sign-off requested from %(bodies)s.")
                        % {"bodies": ", ".join(sorted(str(body) for body in asked))},
                    )
                reversion.set_comment(said)
            if problems:
                problems_by_item.append(f"“{item}”: {' '.join(problems)}")
            else:
                # On the item's history page, as a change made in its form would be.
                self.log_change(request, item, said)
                changed += 1
                if item.status == item.Status.AWAITING:
                    awaiting.append(f"“{item}”")
        if changed:
            self.message_user(request, done(changed), messages.SUCCESS)
        if awaiting:
            self.message_user(
                request,
                _("Awaiting the co-issuers’ sign-off before they go public: %s")
                % ", ".join(awaiting),
                messages.WARNING,
            )
        for line in problems_by_item:
            self.message_user(request, refused % line, messages.WARNING)

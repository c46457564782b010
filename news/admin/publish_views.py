"""The news form's publishing side (py has its buttons): where each button leads,
withdrawing one item from its form ("Withdraw…"), and the live checklist beside the buttons,
which asks the server's own rules about the form as it stands."""

import reversion
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import moments, publishing
from ..models import NewsItem
from .error_summary import entries as error_entries
from .form_actions import (
    DRAFT,
    FIELD,
    LABELS,
    PUBLISH,
    STAYS,
    SUBMIT,
    UPDATE,
    buttons,
    chosen_action,
    offered,
)  # fmt: skip


class PublishingViews:
    """For NewsItemAdmin: the buttons' context, their responses, "Withdraw…" and the checklist."""

    def publishing_context(self, request, stored):
        """`stored`: the item as stored (None: a new one)."""
        return {
            "publish_buttons": buttons(request.user, stored),
            "action_field": FIELD,
            "may_withdraw": stored is not None
            and stored.status in (NewsItem.Status.PUBLISHED, NewsItem.Status.AWAITING)
            and publishing.publishing_refusal(request.user, stored) is None,
            "implicit_action": next(
                (action for action in (UPDATE, DRAFT) if action in offered(request.user, stored)),
                None,
            ),
            # What the form's scripts say (publishing.js, issuer-order.js).
            "form_words": {
                "ready": _("Nothing stops “%(action)s”."),
                "notReady": _("To do before “%(action)s”:"),
                "scheduleFirst": _("Choose when the item goes live, then press “Schedule…”."),
                "moveUp": _("Move up"),
                "moveDown": _("Move down"),
                "moved": _("%(name)s is now number %(position)s."),
                "thisRow": _("This row"),
            },
            "checklist_url": reverse("admin:news_newsitem_checklist", args=[stored.pk])
            if stored is not None
            else reverse("admin:news_newsitem_checklist_new"),
        }

    def mark_submitted(self, request, obj, form):
        """ "Submit for publishing" marks the draft for its publishers' desk; any other save
        from the form (or out of draft) clears the mark."""
        if form.action == SUBMIT:
            obj.submitted_at, obj.submitted_by = timezone.now(), request.user
        elif form.action is not None or obj.status != NewsItem.Status.DRAFT:
            obj.submitted_at, obj.submitted_by = None, None

    def stays_on_form(self, request):
        return chosen_action(request.POST) in STAYS

    def response_add(self, request, obj, post_url_continue=None):
        if self.stays_on_form(request):
            request.POST = request.POST.copy()
            request.POST["_continue"] = "1"
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if self.stays_on_form(request):
            request.POST = request.POST.copy()
            request.POST["_continue"] = "1"
        return super().response_change(request, obj)

    def render_delete_form(self, request, context):
        item = context.get("object")
        if item is not None:
            context["goes_live"] = moments.in_words(item.published_at)
        return super().render_delete_form(request, context)

    # --- "Withdraw…" ------------------------------------------------------------------------

    def withdraw_view(self, request, object_id):
        """One item's withdrawal, with its reason: the way a live item leaves the site (it
        cannot be deleted, news/permissions.py)."""
        item = get_object_or_404(self.get_queryset(request), pk=unquote(object_id))
        refusal = publishing.publishing_refusal(request.user, item)
        if refusal:
            raise PermissionDenied(refusal)
        if item.status not in (NewsItem.Status.PUBLISHED, NewsItem.Status.AWAITING):
            raise Http404(_("Only a published item, or one awaiting sign-off, is withdrawn."))
        reason = (request.POST.get("withdrawn_reason") or "").strip()
        problem = None
        if request.method == "POST":
            if not reason:
                problem = _("Say why the item is withdrawn; the reason stays on record.")
            else:
                with reversion.create_revision():
                    reversion.set_user(request.user)
                    reversion.set_comment(_("Withdrawn: %s") % reason)
                    problems = publishing.withdraw(item, by=request.user, reason=reason)
                if not problems:
                    self.log_change(request, item, _("Withdrawn: %s") % reason)
                    self.message_user(
                        request,
                        _("“%(item)s” is withdrawn: it is off the site and stays on record.")
                        % {"item": item},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:news_newsitem_change", args=[item.pk])
                    )
                problem = " ".join(problems)
        return TemplateResponse(
            request,
            "admin/news/newsitem/withdraw_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Withdraw “%(item)s”") % {"item": item},
                "items": [item],
                "one_item": item,
                "problem": problem,
                "reason": reason,
                "opts": self.model._meta,
            },
            status=400 if problem else 200,
        )

    # --- the live checklist -----------------------------------------------------------------

    def checklist_view(self, request, object_id=None):
        """What the server would say if the form as it stands were sent with the button the
        person would press to publish ("Publish now", or "Submit for publishing"): every problem,
        field by field, from the same form and rules as saving. Nothing is saved."""
        item = None
        if object_id is not None:
            item = get_object_or_404(self.get_queryset(request), pk=unquote(object_id))
            if not self.has_change_permission(request, item):
                raise PermissionDenied
        elif not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return JsonResponse({"error": _("Send the form to check it.")}, status=405)
        possible = offered(request.user, item)
        wanted = next((action for action in (PUBLISH, SUBMIT, UPDATE) if action in possible), None)
        if wanted is None:
            raise PermissionDenied
        data = request.POST.copy()
        data[FIELD] = wanted
        if item is not None:
            item.status_on_record = item.status
        instance = item if item is not None else NewsItem()
        if data.get("_photo_chosen") and not instance.image:
            # A photo chosen in the browser is not sent with each check: it needs its alt text.
            instance.image = "chosen-in-the-browser"
        with transaction.atomic():
            form = self.get_form(request, item, change=item is not None)(
                data, request.FILES, instance=instance
            )
            form_valid = form.is_valid()
            formsets, inlines = self._create_formsets(
                request, form.instance, change=item is not None
            )
            for formset in formsets:
                formset.is_valid()
            transaction.set_rollback(True)
        problems = error_entries(
            form, [(f, i.verbose_name_plural) for f, i in zip(formsets, inlines, strict=True)]
        )
        return JsonResponse(
            {
                "action": str(LABELS[wanted]),
                "ready": form_valid and not problems,
                "problems": problems,
            }
        )

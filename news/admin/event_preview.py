"""The preview of an event: its public page as it will look, for staff only — a saved draft
(GET), or the edit form's unsaved changes (POST), saved inside a transaction that is always
rolled back, as the news preview does (preview.py)."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.response import TemplateResponse

from ..events.views import EventDetailView


class EventPreviewViews:
    """For EventAdmin, which routes `preview/` and `<id>/preview/` here."""

    def preview_view(self, request, object_id=None):
        event = None
        if object_id is not None:
            # Http404 for an event the user may not edit (osceportal/admin_site.py).
            event = self.get_object(request, unquote(object_id))
            if not self.has_view_permission(request, event):
                raise PermissionDenied
        elif not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            if event is None:
                raise PermissionDenied
            return self.render_preview(request, event)
        with transaction.atomic():
            response = self.preview_unsaved(request, event)
            transaction.set_rollback(True)
        return response

    def preview_unsaved(self, request, event):
        """Called inside a transaction that is rolled back afterwards."""
        change = event is not None
        form = self.get_form(request, event, change=change)(
            request.POST, request.FILES, instance=event
        )
        if not form.is_valid():
            return self.preview_errors(request, form, [])
        draft = form.save()
        formsets, _inlines = self._create_formsets(request, draft, change=change)
        if not all(formset.is_valid() for formset in formsets):
            return self.preview_errors(request, form, formsets)
        for formset in formsets:
            formset.save()
        response = self.render_preview(request, self.get_queryset(request).get(pk=draft.pk))
        response.render()
        return response

    def preview_errors(self, request, form, formsets):
        return TemplateResponse(
            request,
            "admin/news/newsitem/preview_errors.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "formsets": formsets,
                "opts": self.opts,
            },
            status=400,
        )

    def render_preview(self, request, event):
        """The public event page (news/events/views.py) with this event, draft or not."""
        view = EventDetailView()
        view.setup(request, slug=event.slug)
        view.object = event
        context = view.get_context_data(object=event)
        return TemplateResponse(request, view.template_name, {**context, "preview": True})

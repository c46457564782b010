"""The preview of a news item: its public page exactly as it will look, for staff only."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from ..models import NewsItem
from ..related import related_items


class PreviewViews:
    """For NewsItemAdmin, which routes `preview/` and `<id>/preview/` here."""

    def preview_view(self, request, object_id=None):
        """The public page of an item exactly as it will look, for staff only. A GET shows the
        saved item; a POST of the edit form shows the unsaved changes: they are saved inside a
        transaction that is always rolled back."""
        item = None
        if object_id is not None:
            item = get_object_or_404(self.get_queryset(request), pk=object_id)
            if not self.has_view_permission(request, item):
                raise PermissionDenied
        elif not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            if item is None:
                raise PermissionDenied
            return self.render_preview(request, item)
        with transaction.atomic():
            form = self.get_form(request, item, change=item is not None)(
                request.POST, request.FILES, instance=item
            )
            if not form.is_valid():
                transaction.set_rollback(True)
                return self.preview_errors(request, form, [])
            draft = form.save(commit=False)
            if form.checked_image is not None:
                # A new photo is stored when the item is saved; the preview keeps the old one.
                draft.image = item.image.name if item else ""
            draft.save()
            form.save_m2m()
            formsets, _inlines = self._create_formsets(request, draft, change=item is not None)
            if not all(formset.is_valid() for formset in formsets):
                # "Issued by" as saving would refuse it: another office's name, say.
                transaction.set_rollback(True)
                return self.preview_errors(request, form, formsets)
            for formset in formsets:
                formset.save()
            draft = NewsItem.objects.for_article().get(pk=draft.pk)
            response = self.render_preview(request, draft)
            response.render()
            transaction.set_rollback(True)
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

    def render_preview(self, request, item):
        return TemplateResponse(
            request,
            "news/newsitem_detail.html",
            {"item": item, "related_items": related_items(item), "preview": True},
        )

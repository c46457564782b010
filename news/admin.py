"""The editorial back office: news items, fields of work and editors' issuing bodies."""

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.db.models.functions import Length
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from reversion.admin import VersionAdmin
from taggit.models import Tag

from structures.admin import StructureAdmin
from structures.models import Structure

from . import images, services
from .admin_forms import IssuingBodyForm, IssuingBodyFormSet, NewsItemAdminForm
from .models import EditorProfile, FieldOfWork, IssuingBody, NewsItem, TaggedNewsItem
from .permissions import can_publish, edits_all, may_edit, own_structures, visible_news
from .related import related_items


class IssuingBodyInline(admin.TabularInline):
    model = IssuingBody
    form = IssuingBodyForm
    formset = IssuingBodyFormSet
    autocomplete_fields = ["structure"]
    fields = ["structure", "position"]
    extra = 1
    verbose_name = _("issuing body")
    verbose_name_plural = _("Issued by (in the order shown on the page)")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        formset.form = type(formset.form.__name__, (formset.form,), {"request": request})
        return formset


# Revisions: every save through the admin stores the item with its issuing bodies and tags.
# `version` is left out, so restoring an old revision never winds the edit counter back.
reversion.register(IssuingBody)
reversion.register(TaggedNewsItem)
reversion.register(NewsItem, follow=["issuing_bodies", "tagged_items"], exclude=["version"])


@admin.register(NewsItem)
class NewsItemAdmin(VersionAdmin):
    form = NewsItemAdminForm
    inlines = [IssuingBodyInline]
    list_display = ["title", "status", "published_at", "issuers", "type"]
    list_filter = ["status", "type", "fields_of_work", "issued_by", "countries"]
    search_fields = ["title", "lead", "slug"]
    date_hierarchy = "published_at"
    ordering = ["-published_at", "-pk"]
    autocomplete_fields = ["countries"]
    prepopulated_fields = {"slug": ["title"]}
    show_full_result_count = False  # no second COUNT(*) over the whole archive per page
    list_per_page = 50
    save_on_top = True
    actions = ["publish_selected", "withdraw_selected"]
    change_form_template = "admin/news/newsitem/change_form.html"
    fieldsets = [
        (None, {"fields": ["title", "slug", "type", "lead", "body"]}),
        (
            _("Publication"),
            {
                "fields": ["status", "published_at", "withdrawn_reason", "edit_version"],
                "description": _(
                    "A published item goes public at its “issued on” time: set a time ahead to "
                    "schedule it. Withdrawn items leave the site but stay on record."
                ),
            },
        ),
        (_("Classification"), {"fields": ["fields_of_work", "countries", "tags"]}),
        (_("Photo"), {"fields": ["image", "image_alt", "image_caption", "image_credit"]}),
    ]

    # --- who sees what -------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("issuing_bodies", queryset=IssuingBody.objects.select_related("structure"))
            )
        )
        return visible_news(request.user, queryset)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and may_edit(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and may_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and may_edit(request.user, obj)

    def get_object(self, request, object_id, from_field=None):
        item = super().get_object(request, object_id, from_field)
        if item is not None:
            # A form that fails validation has set its values on the item, status too, before
            # the page is shown again: the read-only fields go by the status on record.
            item.status_on_record = item.status
        return item

    def get_readonly_fields(self, request, obj=None):
        # The address of a published item is out in the world: it must not change.
        status = obj and getattr(obj, "status_on_record", obj.status)
        if status not in (None, NewsItem.Status.DRAFT):
            return ["slug"]
        return []

    def get_prepopulated_fields(self, request, obj=None):
        if "slug" in self.get_readonly_fields(request, obj):
            return {}
        return super().get_prepopulated_fields(request, obj)

    class Media:
        js = ["admin/news/tag-suggestions.js"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "tags":
            field.widget.attrs["data-suggestions"] = reverse("admin:news_newsitem_tag_suggestions")
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "fields_of_work":
            kwargs["widget"] = forms.CheckboxSelectMultiple
            kwargs["queryset"] = FieldOfWork.objects.all()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # Restoring writes the old item (and its old edit counter) back before the form runs.
        request.news_version_before_revert = (
            NewsItem.objects.filter(pk=object_id).values_list("version", flat=True).first()
        )
        return super().revision_view(request, object_id, version_id, extra_context)

    def log_change(self, request, obj, message):
        if hasattr(request, "news_version_before_revert"):
            # The restore form is compared with the old version already written back, so
            # Django's own message would be "No fields changed."
            message = _("Restored an earlier version from the history.")
        return super().log_change(request, obj, message)

    def view_on_site(self, obj):
        # An item that is not public yet has no public page: "View on site" shows its preview.
        if obj.is_public:
            return obj.get_absolute_url()
        return reverse("admin:news_newsitem_preview", args=[obj.pk])

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_publish(request.user):
            actions.pop("publish_selected", None)
            actions.pop("withdraw_selected", None)
        return actions

    def get_list_filter(self, request):
        if edits_all(request.user):
            return self.list_filter
        # An editor sees their own bodies' news only: a list of every body would mislead.
        return ["status", "type", "fields_of_work"]

    # --- the list ------------------------------------------------------------------------------

    @admin.display(description=_("issued by"))
    def issuers(self, obj):
        return format_html_join(
            ", ", "{}", ((body.structure.issuing_label,) for body in obj.issuing_bodies.all())
        )

    # --- saving --------------------------------------------------------------------------------

    def save_form(self, request, form, change):
        item = super().save_form(request, form, change)
        # For the publishing checklist, which runs with the "Issued by" rows (admin_forms.py).
        item._chosen_fields_of_work = list(form.cleaned_data.get("fields_of_work") or [])
        return item

    def save_model(self, request, obj, form, change):
        if form.checked_image is not None:
            stored = images.store_image(form.checked_image, stem=obj.slug or obj.title)
            obj.image = stored.name
            obj.image_renditions = stored.renditions
        elif not obj.image:
            obj.image_renditions = {}
        if change:
            obj.version = form.version_on_record() + 1
        else:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        item = form.instance
        if not item.countries.exists():
            # A field operation's news is about its country: suggest it by choosing it.
            countries = {
                structure.country
                for structure in item.issued_by.filter(
                    kind=Structure.Kind.FIELD_OPERATION, country__isnull=False
                ).select_related("country")
            }
            if countries:
                item.countries.set(countries)
                self.message_user(
                    request,
                    _("Country set from the issuing field operation: %s. Change it if needed.")
                    % ", ".join(sorted(c.name for c in countries)),
                    messages.INFO,
                )

    # --- bulk actions --------------------------------------------------------------------------

    @admin.action(description=_("Publish the selected items"))
    def publish_selected(self, request, queryset):
        if not can_publish(request.user):
            raise PermissionDenied
        published, refused = 0, []
        for item in queryset.prefetch_related("fields_of_work"):
            with reversion.create_revision():
                reversion.set_user(request.user)
                reversion.set_comment(_("Published with the bulk action."))
                problems = services.publish(item, by=request.user)
            if problems:
                refused.append(f"“{item}”: {' '.join(problems)}")
            else:
                # On the item's history page, as a change made in its form would be.
                self.log_change(request, item, _("Published with the bulk action."))
                published += 1
        if published:
            self.message_user(
                request,
                ngettext("%d item published.", "%d items published.", published) % published,
                messages.SUCCESS,
            )
        for line in refused:
            self.message_user(request, _("Not published: %s") % line, messages.WARNING)

    @admin.action(description=_("Withdraw the selected items"))
    def withdraw_selected(self, request, queryset):
        if not can_publish(request.user):
            raise PermissionDenied
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
        for item in queryset:
            with reversion.create_revision():
                reversion.set_user(request.user)
                reversion.set_comment(_("Withdrawn: %s") % reason)
                services.withdraw(item, by=request.user, reason=reason)
            self.log_change(request, item, _("Withdrawn: %s") % reason)
        self.message_user(
            request,
            ngettext("%d item withdrawn.", "%d items withdrawn.", queryset.count())
            % queryset.count(),
            messages.SUCCESS,
        )

    # --- preview -------------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "tag-suggestions/",
                self.admin_site.admin_view(self.tag_suggestions_view),
                name="news_newsitem_tag_suggestions",
            ),
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="news_newsitem_preview_new",
            ),
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="news_newsitem_preview",
            ),
            *super().get_urls(),
        ]

    def tag_suggestions_view(self, request):
        """Existing tags starting with (or containing) what the editor typed, for the Tags field."""
        term = (request.GET.get("q") or "").strip()[:100]
        names = []
        if len(term) >= 2:
            names = list(
                Tag.objects.filter(name__icontains=term)
                .order_by(Length("name"), "name")
                .values_list("name", flat=True)[:10]
            )
        return JsonResponse({"results": names})

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
                return TemplateResponse(
                    request,
                    "admin/news/newsitem/preview_errors.html",
                    {**self.admin_site.each_context(request), "form": form, "opts": self.opts},
                    status=400,
                )
            draft = form.save(commit=False)
            if form.checked_image is not None:
                # A new photo is stored when the item is saved; the preview keeps the old one.
                draft.image = item.image.name if item else ""
            draft.save()
            form.save_m2m()
            formsets, _inlines = self._create_formsets(request, draft, change=item is not None)
            for formset in formsets:
                if formset.is_valid():
                    formset.save()
            draft = NewsItem.objects.for_article().get(pk=draft.pk)
            response = self.render_preview(request, draft)
            response.render()
            transaction.set_rollback(True)
        return response

    def render_preview(self, request, item):
        return TemplateResponse(
            request,
            "news/newsitem_detail.html",
            {"item": item, "related_items": related_items(item), "preview": True},
        )


@admin.register(FieldOfWork)
class FieldOfWorkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_topical", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class EditorProfileInline(admin.StackedInline):
    model = EditorProfile
    can_delete = False
    autocomplete_fields = ["structures"]
    verbose_name_plural = _("Issuing bodies this person edits for")


class IssuerStructureAdmin(StructureAdmin):
    """Structures as the taxonomy admin shows them; when an editor looks one up for "Issued by",
    the autocomplete offers only the bodies they work for."""

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if (request.GET.get("app_label"), request.GET.get("model_name")) == (
            "news",
            "issuingbody",
        ) and not edits_all(request.user):
            queryset = queryset.filter(pk__in=own_structures(request.user))
        return queryset, may_have_duplicates


admin.site.unregister(Structure)
admin.site.register(Structure, IssuerStructureAdmin)

admin.site.site_header = _("OSCE Portal back office")
admin.site.site_title = _("OSCE Portal back office")
admin.site.index_title = _("News and taxonomy")

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class EditorUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, EditorProfileInline]

"""News items in the back office: the list, the edit form with its "Issued by" rows, and the
views of its own (tag suggestions); history (history.py), preview (preview.py), bulk actions
(actions.py) and language versions (translations.py) beside it."""

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR
from django.db.models import Prefetch
from django.db.models.functions import Length
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from structures.models import Structure

from .. import images, publishing, signing
from ..desk import MineFilter, StatusFilter, status_in_words, where_it_is
from ..models import FieldOfWork, IssuingBody, NewsItem, SignOff, TaggedNewsItem
from ..permissions import (
    deletion_refusal,
    edits_all,
    linkable_news,
    may_edit,
    own_structures,
    visible_tags,
)
from ..publishing import change_refusal
from .actions import BulkActions
from .archive_list import (
    ArchivePaginator,
    CountryFilter,
    FieldOfWorkFilter,
    IssuedByFilter,
    PlainCheckboxes,
    PublishedYearFilter,
    search_news,
)
from .body_rights import BodyRights
from .error_summary import entries as error_entries
from .forms import IssuingBodyForm, IssuingBodyFormSet, NewsItemAdminForm
from .history import GuardedVersionAdmin
from .preview import PreviewViews
from .publish_views import PublishingViews
from .signoffs import SignOffFilter, SignOffViews, awaited_bodies, with_requests
from .translations import SourceChangedFilter, TranslationViews, with_source_changed

BODY_AS_SHOWN = "body_as_shown"


def field_label(field):
    """A sub-topic under its field in the form's list, the field's name before its own."""
    return f"{field.parent.name} › {field.name}" if field.parent_id else field.name


def with_fields(fieldsets, field, replacement):
    """The fieldsets with `field` replaced by the fields of `replacement`, wherever it is."""
    return [
        (
            name,
            {
                **options,
                "fields": [
                    shown
                    for listed in options["fields"]
                    for shown in (replacement if listed == field else [listed])
                ],
            },
        )
        for name, options in fieldsets
    ]


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


# Revisions: every save through the admin stores the item with its issuing bodies and tags, and
# its edit counter, from which a recovered item counts on (history.py).
reversion.register(IssuingBody)
reversion.register(TaggedNewsItem)
reversion.register(NewsItem, follow=["issuing_bodies", "tagged_items"])


@admin.register(NewsItem)
class NewsItemAdmin(
    PlainCheckboxes,
    PublishingViews,
    SignOffViews,
    BodyRights,
    TranslationViews,
    PreviewViews,
    BulkActions,
    GuardedVersionAdmin,
):
    # Who may see, change and delete an item (news/admin/body_rights.py).
    may_edit_rule = staticmethod(may_edit)
    change_refusal_rule = staticmethod(change_refusal)
    deletion_refusal_rule = staticmethod(deletion_refusal)

    form = NewsItemAdminForm
    inlines = [IssuingBodyInline]
    list_display = ["title", "language_column", "status_column", "published_at", "issuers", "type"]
    list_filter = [
        StatusFilter, SignOffFilter, MineFilter, "type", "language", SourceChangedFilter,
        PublishedYearFilter, FieldOfWorkFilter, IssuedByFilter, CountryFilter,
    ]  # fmt: skip
    # Searched in the search document (news/admin/archive_list.py), not these columns: the
    # admin shows a search box when search_fields is set.
    search_fields = ["title"]
    ordering = ["-published_at", "-pk"]
    autocomplete_fields = ["countries", "event"]
    prepopulated_fields = {"slug": ["title"]}
    show_full_result_count = False  # no second COUNT(*) over the whole archive per page
    paginator = ArchivePaginator  # counts up to 10,001 (news/admin/archive_list.py)
    list_per_page = 50
    save_on_top = True
    change_form_template = "admin/news/newsitem/change_form.html"
    # In the order an editor thinks; "Issued by" (the inline) comes after the lead
    # (change_form.html). The status is set by the buttons (form_actions.py), a hidden field.
    publication = ["type", "language", "status", "published_at", "withdrawn_reason"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "lead"]}),
        (_("Topics and places"), {"fields": ["fields_of_work", "countries"]}),
        (None, {"fields": ["body"]}),
        (_("Photo"), {"fields": ["image", "image_alt", "image_caption", "image_credit"]}),
        (_("Tags and event"), {"fields": ["tags", "event"]}),
        (_("Publication"), {"fields": [*publication, "edit_version"]}),
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
        if getattr(request.resolver_match, "url_name", "").endswith("_changelist"):
            queryset = queryset.defer("body", "search_document")  # the list shows neither
            # The bodies an awaiting item waits for, and those that declined (status_column).
            unsigned = SignOff.objects.exclude(state=SignOff.State.SIGNED).select_related(
                "structure"
            )
            queryset = queryset.prefetch_related(Prefetch("sign_offs", queryset=unsigned))
        # Each item says whether its source changed since it was saved (the list, the form).
        return with_source_changed(queryset.editable_by(request.user))

    def get_search_results(self, request, queryset, search_term):
        may_have_duplicates = False
        if search_term:
            queryset = search_news(queryset, search_term)
        # The event form's news picker (news/admin/event_forms.py) looks items up through this
        # field: it offers the items the user may link, not every item the user may open.
        looked_up = [request.GET.get(key) for key in ("app_label", "model_name", "field_name")]
        if request.path == reverse("admin:autocomplete") and looked_up == [
            "news",
            "issuingbody",
            "news_item",
        ]:
            queryset = queryset.filter(pk__in=linkable_news(request.user).values("pk"))
        return queryset, may_have_duplicates

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # The page the list will ask for, read as the change list reads it: the paginator
        # counts the list and finds that page in one statement (ArchivePaginator). A search
        # is counted to a lower cap.
        try:
            requested_page = int(request.GET.get(PAGE_VAR, 1))
        except ValueError:
            requested_page = 1
        return self.paginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            requested_page=requested_page,
            searched=bool(request.GET.get(SEARCH_VAR, "").strip()),
        )

    def get_object(self, request, object_id, from_field=None):
        item = super().get_object(request, object_id, from_field)
        if item is not None:
            item.photo_files_on_record = images.photo_files(item)
        return item

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        if not self.has_change_permission(request, obj):
            # Shown read-only: the body as the public page shows it, not its HTML.
            return with_fields(fieldsets, "body", [BODY_AS_SHOWN])
        if self.status_on_record(obj) == NewsItem.Status.PUBLISHED:
            # A change to a live joint item asks its co-issuers again (forms.py).
            return with_fields(fieldsets, "status", ["status", "resign_confirmed"])
        return fieldsets

    @admin.display(description=_("body"))
    def body_as_shown(self, obj):
        # Trusted as the public page trusts it: sanitised when it was saved (news/sanitise.py).
        return mark_safe(obj.body)

    class Media:
        js = [
            "admin/news/tag-suggestions.js",
            "admin/news/unsaved-changes.js",
            "admin/news/publishing.js",
            "admin/news/issuer-order.js",
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "tags":
            field.widget.attrs["data-suggestions"] = reverse("admin:news_newsitem_tag_suggestions")
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "fields_of_work":
            kwargs["widget"] = forms.CheckboxSelectMultiple
            kwargs["queryset"] = FieldOfWork.objects.in_menu_order()
            field = super().formfield_for_manytomany(db_field, request, **kwargs)
            field.label_from_instance = field_label
            return field
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        adding = obj is None or obj.pk is None  # the add view passes its unsaved item
        if adding and request.method == "GET" and isinstance(inline, IssuingBodyInline):
            # A new item of an editor who works for one body is issued by it, to begin with.
            own = list(own_structures(request.user)[:2]) if not edits_all(request.user) else []
            if len(own) == 1:
                kwargs["initial"] = [{"structure": own[0].pk, "position": 0}]
        return kwargs

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def log_change(self, request, obj, message):
        if hasattr(request, "news_on_record"):
            # The restore form is compared with the old version already written back, so
            # Django's own message would be "No fields changed."
            message = _("Restored an earlier version from the history.")
        return super().log_change(request, obj, with_requests(request, message))

    def log_addition(self, request, obj, message):
        return super().log_addition(request, obj, with_requests(request, message))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        stored = None
        if obj is not None and obj.pk:
            # As stored: a form that failed has set its values on `obj`.
            stored = NewsItem.objects.get(pk=obj.pk)
            # The status as the public sees it: the form's menu says "Published" for an item
            # that goes live next week (news/desk.py); and each body's sign-off (signoffs.py).
            context["status_now"] = status_in_words(stored)
            context.update(self.sign_off_context(request, stored))
        context.update(self.publishing_context(request, stored))
        if context.get("errors"):
            # Every problem at the top, each linked to its field (error_summary.py).
            context["error_entries"] = error_entries(
                context["adminform"].form,
                [
                    (inline.formset, inline.opts.verbose_name_plural)
                    for inline in context["inline_admin_formsets"]
                ],
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def view_on_site(self, obj):
        # An item that is not public yet has no public page: "View on site" shows its preview.
        if obj.is_public:
            return obj.get_absolute_url()
        return reverse("admin:news_newsitem_preview", args=[obj.pk])

    def get_list_filter(self, request):
        if edits_all(request.user):
            return self.list_filter
        # An editor sees their own bodies' news only: a list of every body would mislead.
        return [StatusFilter, SignOffFilter, MineFilter, "type", "language", SourceChangedFilter,
                PublishedYearFilter, FieldOfWorkFilter]  # fmt: skip

    # --- the list ------------------------------------------------------------------------------

    @admin.display(description=_("status"), ordering="status")
    def status_column(self, obj):
        """The status as the public sees it (Scheduled: when it goes live), with the bodies an
        awaiting item waits for, or who declined a draft."""
        status = status_in_words(obj)
        if obj.status == NewsItem.Status.AWAITING:
            return _("%(status)s: %(bodies)s") % {
                "status": status,
                "bodies": ", ".join(awaited_bodies(obj)),
            }
        declined = [
            str(row.structure) for row in obj.sign_offs.all() if row.state == SignOff.State.DECLINED
        ]
        if obj.status == NewsItem.Status.DRAFT and declined:
            return _("%(status)s (declined by %(bodies)s)") % {
                "status": status,
                "bodies": ", ".join(sorted(declined)),
            }
        return status

    @admin.display(description=_("issued by"))
    def issuers(self, obj):
        return format_html_join(
            ", ", "{}", ((body.structure.issuing_label,) for body in obj.issuing_bodies.all())
        )

    # --- saving --------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if form.checked_image is not None:
            stored = images.store_image(form.checked_image, stem=obj.slug or obj.title)
            obj.image = stored.name
            obj.image_renditions = stored.renditions
        elif not obj.image:
            obj.image_renditions = {}
        self.mark_submitted(request, obj, form)
        on_record = form.version_on_record() if change else None
        publishing.stamp(obj, by=request.user, version_on_record=on_record)
        if change:
            publishing.mark_revised(obj, form.changed_data)
        if obj.translated_from_id is not None:
            # Saved by someone who had the source at hand: up to date with it until it changes.
            obj.source_version = (
                NewsItem.objects.filter(pk=obj.translated_from_id)
                .values_list("version", flat=True)
                .first()
            )
            if obj.source_version is None:  # the source was deleted meanwhile
                obj.translated_from = None
        super().save_model(request, obj, form, change)
        on_record = getattr(request, "news_on_record", None)
        before = on_record.photo_files if on_record else getattr(obj, "photo_files_on_record", ())
        images.sync_photo_files_on_commit(obj, before)

    def delete_model(self, request, obj):
        files = images.photo_files(obj)
        super().delete_model(request, obj)
        images.hide_files_on_commit(files)

    def delete_queryset(self, request, queryset):
        files = set().union(*(images.photo_files(item) for item in queryset))
        super().delete_queryset(request, queryset)
        images.hide_files_on_commit(files)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        item = form.instance
        # Published or awaiting the co-issuers' sign-off, as their sign-offs have it.
        before = getattr(item, "status_on_record", None) if change else None
        asked = signing.settle(item, by=request.user, before=before)
        if item.status == NewsItem.Status.AWAITING:
            request.sign_off_asked = asked
            self.message_user(
                request,
                _(
                    "Awaiting sign-off by %(bodies)s: the item goes public once each has signed "
                    "off on it as it stands."
                )
                % {"bodies": ", ".join(awaited_bodies(item))},
                messages.WARNING,
            )
        if item.is_public or item.is_scheduled:
            self.message_user(request, where_it_is(item), messages.INFO)
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

    # --- views of its own ----------------------------------------------------------------------

    OWN_VIEWS = [  # (route, view, URL name after news_newsitem_)
        ("tag-suggestions/", "tag_suggestions_view", "tag_suggestions"),
        ("preview/", "preview_view", "preview_new"),
        ("checklist/", "checklist_view", "checklist_new"),
        ("<path:object_id>/preview/", "preview_view", "preview"),
        ("<path:object_id>/checklist/", "checklist_view", "checklist"),
        ("<path:object_id>/withdraw/", "withdraw_view", "withdraw"),
        ("<path:object_id>/sign-off/", "sign_off_view", "sign_off"),
        ("<path:object_id>/translate/", "translate_view", "translate"),
    ]

    def get_urls(self):
        return [
            path(
                route, self.admin_site.admin_view(getattr(self, view)), name=f"news_newsitem_{name}"
            )
            for route, view, name in self.OWN_VIEWS
        ] + super().get_urls()

    def tag_suggestions_view(self, request):
        """Existing tags starting with (or containing) what the editor typed, for the Tags field."""
        term = (request.GET.get("q") or "").strip()[:100]
        names = []
        if len(term) >= 2:
            names = list(
                visible_tags(request.user, Tag.objects.filter(name__icontains=term))
                .order_by(Length("name"), "name")
                .values_list("name", flat=True)[:10]
            )
        return JsonResponse({"results": names})

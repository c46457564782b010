"""Meetings and conferences in the back office: the series (managers edit them, editors choose
one) and the events, with the same rights as news: an editor sees and edits the events of the
bodies they work for (Event.objects.editable_by), saves drafts only, and a publisher publishes,
postpones and cancels. Forms in event_forms.py, history in event_history.py."""

import reversion
from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import F, Prefetch
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from .. import pagecache
from ..models import Event, EventDocument, EventOrganiser, FieldOfWork, MeetingSeries, NewsItem
from ..permissions import (
    edits_all_events,
    event_change_refusal,
    event_deletion_refusal,
    linkable_events,
    may_edit_event,
)
from .body_rights import BodyRights
from .event_actions import EventBulkActions
from .event_forms import EventAdminForm, OrganiserForm, OrganiserFormSet
from .event_history import GuardedEventVersionAdmin
from .event_preview import EventPreviewViews
from .forms import BODY_EXTENSIONS
from .newsitem import field_label

# Revisions: every save through the admin stores the event with its organisers and documents.
reversion.register(EventOrganiser)
reversion.register(EventDocument)
reversion.register(Event, follow=["organisers", "documents"])


class PageCacheBump:
    """Public pages show a change to the series or events at once (news/pagecache.py)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        pagecache.bump_on_commit()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pagecache.bump_on_commit()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        pagecache.bump_on_commit()


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(PageCacheBump, admin.ModelAdmin):
    """Managers edit the series; editors see them, to choose one for an event."""

    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description", "position", "translations"]


class OrganiserInline(admin.TabularInline):
    model = EventOrganiser
    form = OrganiserForm
    formset = OrganiserFormSet
    autocomplete_fields = ["structure"]
    fields = ["structure", "position"]
    extra = 1
    verbose_name = _("organiser")
    verbose_name_plural = _("Organised by (in the order shown on the page)")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        formset.form = type(formset.form.__name__, (formset.form,), {"request": request})
        return formset


# A link typed without its scheme is taken as https, as browsers would.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class DocumentInline(admin.TabularInline):
    model = EventDocument
    formfield_overrides = URL_FIELDS
    fields = ["title", "url", "file", "position"]
    extra = 0
    verbose_name_plural = _("Documents: give each a link or a PDF file")


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        dates = model_admin.get_queryset(request).dates("start", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in dates]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(start__year=int(self.value()))
        return queryset


class WhenFilter(admin.SimpleListFilter):
    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", _("Upcoming or running")), ("past", _("Past"))]

    def queryset(self, request, queryset):
        if self.value() == "upcoming":
            return queryset.filter(end__gte=timezone.now())
        if self.value() == "past":
            return queryset.filter(end__lt=timezone.now())
        return queryset


class EventDescriptionForm(EventAdminForm):
    description = ProseEditorFormField(
        label=_("Description"),
        required=False,
        config={"extensions": BODY_EXTENSIONS},
        widget=AdminProseEditorWidget,
        help_text=_("Formatting beyond headings, bold, italic, lists and links is removed."),
    )


@admin.register(Event)
class EventAdmin(
    PageCacheBump, BodyRights, EventBulkActions, EventPreviewViews, GuardedEventVersionAdmin
):
    # Who may see, change and delete an event (news/admin/body_rights.py).
    may_edit_rule = staticmethod(may_edit_event)
    change_refusal_rule = staticmethod(event_change_refusal)
    deletion_refusal_rule = staticmethod(event_deletion_refusal)

    form = EventDescriptionForm
    change_form_template = "admin/news/event/change_form.html"
    formfield_overrides = URL_FIELDS
    inlines = [OrganiserInline, DocumentInline]
    list_display = ["title", "series", "start_at_venue", "city", "status", "organisers_column"]
    list_filter = ["series", "status", YearFilter, WhenFilter, "organised_by"]
    search_fields = ["title", "slug", "edition", "city", "venue", "series__name"]
    date_hierarchy = "start"
    ordering = ["-start", "-pk"]
    autocomplete_fields = ["series", "country"]
    prepopulated_fields = {"slug": ["title"]}
    show_full_result_count = False
    list_per_page = 50
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["title", "slug", "series", "edition"]}),
        (
            _("Status"),
            {
                "fields": ["status", "status_note", "edit_version"],
                "description": _(
                    "A draft is seen in the back office only. Published, postponed and "
                    "cancelled events are public; only publishers set these."
                ),
            },
        ),
        (
            _("When and where"),
            {
                "fields": ["time_zone", "start", "end", "attendance", "city", "country", "venue"],
                "description": _("Enter the times as the clocks at the venue show them."),
            },
        ),
        (_("About"), {"fields": ["description", "fields_of_work"]}),
        (
            _("Registration and livestream"),
            {"fields": ["registration_url", "registration_deadline", "livestream_url"]},
        ),
        (_("News"), {"fields": ["news_items", "news_items_shown"]}),
    ]

    # --- who sees what -------------------------------------------------------------------------

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .editable_by(request.user)
            .select_related("series", "country")
            .prefetch_related(
                Prefetch("organisers", queryset=EventOrganiser.objects.select_related("structure"))
            )
        )

    def get_search_results(self, request, queryset, search_term):
        if request.path == reverse("admin:autocomplete") and (
            request.GET.get("model_name"),
            request.GET.get("field_name"),
        ) == ("newsitem", "event"):
            # A news item may be linked to any public event, and to the user's own drafts.
            queryset = linkable_events(request.user)
        return super().get_search_results(request, queryset, search_term)

    def get_object(self, request, object_id, from_field=None):
        event = super().get_object(request, object_id, from_field)
        if event is not None:
            event.viewer = request.user  # whose news items the read-only page lists
        return event

    def get_list_filter(self, request):
        if edits_all_events(request.user):
            return self.list_filter
        # An editor sees their own bodies' events only: a list of every body would mislead.
        return ["series", "status", YearFilter, WhenFilter]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        shown = {"news_items": "linked_news", "start": "start_at_venue", "end": "end_at_venue"}
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        shown.get(f, f) for f in options["fields"] if f != "news_items_shown"
                    ],
                },
            )
            for name, options in fieldsets
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "fields_of_work":
            kwargs["widget"] = forms.CheckboxSelectMultiple
            kwargs["queryset"] = FieldOfWork.objects.in_menu_order()
            field = super().formfield_for_manytomany(db_field, request, **kwargs)
            field.label_from_instance = field_label
            return field
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def view_on_site(self, obj):
        # A draft has no public page yet: "View on site" shows its preview.
        if obj.is_public:
            return obj.get_absolute_url()
        return reverse("admin:news_event_preview", args=[obj.pk])

    def get_urls(self):
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="news_event_preview_new",
            ),
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="news_event_preview",
            ),
            *super().get_urls(),
        ]

    def log_change(self, request, obj, message):
        if hasattr(request, "news_on_record"):
            message = _("Restored an earlier version from the history.")
        return super().log_change(request, obj, message)

    # --- the list ------------------------------------------------------------------------------

    @admin.display(description=_("starts (venue time)"), ordering="start")
    def start_at_venue(self, obj):
        return f"{date_format(obj.local_start, 'j M Y, H:i')} ({obj.time_zone})"

    @admin.display(description=_("ends (venue time)"), ordering="end")
    def end_at_venue(self, obj):
        return f"{date_format(obj.local_end, 'j M Y, H:i')} ({obj.time_zone})"

    @admin.display(description=_("organised by"))
    def organisers_column(self, obj):
        return format_html_join(
            ", ", "{}", ((link.structure.name,) for link in obj.organisers.all())
        )

    @admin.display(description=_("news items about the event"))
    def linked_news(self, obj):
        viewer = getattr(obj, "viewer", None)
        if viewer is None:
            return "-"
        items = NewsItem.objects.editable_by(viewer).filter(event=obj).only("title")
        return format_html_join(", ", "{}", ((item.title,) for item in items)) or "-"

    # --- saving --------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        on_record = form.version_on_record() if change else None
        obj.version = 1 if on_record is None else on_record + 1
        if on_record is None:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "news_items" in form.cleaned_data:
            link_news(
                form.instance,
                form.linkable,
                chosen=form.cleaned_data["news_items"],
                shown=form.cleaned_data.get("news_items_shown") or set(),
                user=request.user,
            )


def link_news(event, linkable, *, chosen, shown, user):
    """Link the `chosen` news items to `event`, and unlink those the form showed linked
    (`shown`, ids) that are no longer chosen. Only items of `linkable` (those the user may
    change) are touched, and no item linked since the form was opened is unlinked. The items'
    edit counters move on, so that a news form opened before refuses to undo the link."""
    chosen = {item.pk for item in chosen}
    linked = set(linkable.filter(event=event).values_list("pk", flat=True))
    unlink, link = (linked & shown) - chosen, chosen - linked
    stamp = {"version": F("version") + 1, "updated_by": user, "updated_at": timezone.now()}
    if unlink:
        NewsItem.objects.filter(pk__in=unlink).update(event=None, **stamp)
    if link:
        NewsItem.objects.filter(pk__in=link).update(event=event, **stamp)
    if unlink or link:
        pagecache.bump_on_commit()

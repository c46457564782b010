"""The taxonomy as the news uses it: fields of work (with their sub-topics), aliases, tags, and
structures and countries as issuing bodies and places. Entries an import added from names it did
not know carry "needs review": managers find them with the list filter of that name."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from countries.admin import CountryAdmin
from countries.models import Country
from structures.admin import StructureAdmin
from structures.models import Structure

from ..models import Alias, FieldOfWork
from ..permissions import edits_all, own_structures, visible_tags


class AliasInline(admin.TabularInline):
    """The entry's other labels, as old data and old links name it."""

    model = Alias
    extra = 0
    fields = ["label"]
    verbose_name = _("alias")
    verbose_name_plural = _("aliases: other labels old data and old links use")


class FieldAliasInline(AliasInline):
    fk_name = "field_of_work"


class StructureAliasInline(AliasInline):
    fk_name = "structure"


class CountryAliasInline(AliasInline):
    fk_name = "country"


@admin.register(FieldOfWork)
class FieldOfWorkAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "slug", "is_topical", "position", "needs_review"]
    list_editable = ["position"]
    list_filter = ["needs_review", "is_topical", ("parent", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["parent"]
    search_fields = ["name", "slug", "aliases__label"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "parent", "description", "is_topical", "position", "needs_review"]
    inlines = [FieldAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-needs_review", "position", "name")


@admin.register(Alias)
class AliasAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "target"]
    list_filter = ["kind"]
    list_select_related = ["field_of_work", "structure", "country"]
    search_fields = ["label"]
    autocomplete_fields = ["field_of_work", "structure", "country"]
    fields = ["label", "field_of_work", "structure", "country"]

    @admin.display(description=_("stands for"))
    def target(self, alias):
        return alias.target


class NewsTagAdmin(admin.ModelAdmin):
    """Tags as the news uses them. Replaces taggit's own admin, whose "merge tags" view any
    staff member could open and which rewrites taggit's generic tag links, not the news items'
    (news.TaggedNewsItem). Editors see the tags of public items and of their bodies' items."""

    list_display = ["name", "slug"]
    ordering = ["name"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return visible_tags(request.user, super().get_queryset(request))


admin.site.unregister(Tag)
admin.site.register(Tag, NewsTagAdmin)


class IssuerStructureAdmin(StructureAdmin):
    """Structures as the taxonomy admin shows them; when an editor looks one up for "Issued by",
    the autocomplete offers only the bodies they work for."""

    list_display = [*StructureAdmin.list_display, "needs_review"]
    list_filter = ["needs_review", *StructureAdmin.list_filter]
    search_fields = [*StructureAdmin.search_fields, "aliases__label"]
    inlines = [*StructureAdmin.inlines, StructureAliasInline]
    fieldsets = [
        *StructureAdmin.fieldsets[:-1],
        (None, {"fields": ["description", "position", "needs_review"]}),
        (_("Joint items"), {"fields": ["signs_joint_items"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The organisers of an event: an editor picks among the bodies they work for. The
        # issuing bodies of a news item: those and any body that signs off joint items (it is
        # asked before the item goes public, news/signing.py).
        looked_up = (request.GET.get("app_label"), request.GET.get("model_name"))
        if looked_up == ("news", "eventorganiser") and not edits_all(request.user):
            queryset = queryset.filter(pk__in=own_structures(request.user))
        if looked_up == ("news", "issuingbody") and not edits_all(request.user):
            queryset = queryset.filter(
                Q(pk__in=own_structures(request.user)) | Q(signs_joint_items=True)
            )
        return queryset, may_have_duplicates


admin.site.unregister(Structure)
admin.site.register(Structure, IssuerStructureAdmin)


class CountryWithAliasesAdmin(CountryAdmin):
    search_fields = [*CountryAdmin.search_fields, "aliases__label"]
    inlines = [*CountryAdmin.inlines, CountryAliasInline]


admin.site.unregister(Country)
admin.site.register(Country, CountryWithAliasesAdmin)

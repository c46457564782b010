"""The taxonomy as the news uses it: fields of work, tags, and structures as issuing bodies."""

from django.contrib import admin
from taggit.models import Tag

from structures.admin import StructureAdmin
from structures.models import Structure

from ..models import FieldOfWork
from ..permissions import edits_all, own_structures, visible_tags


@admin.register(FieldOfWork)
class FieldOfWorkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_topical", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


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

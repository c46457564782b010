from django.contrib import admin

from .models import FormerName, Structure


class FormerNameInline(admin.TabularInline):
    model = FormerName
    extra = 0
    fields = ["name", "valid_from", "valid_until"]


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["issuing_label", "kind", "country", "city", "established_year", "closed_year"]
    list_filter = ["kind"]
    list_select_related = ["country"]
    # Former names are searchable, so an editor typing "Office in Tajikistan" finds Dushanbe.
    search_fields = ["name", "issuing_label", "acronym", "slug", "former_names__name"]
    autocomplete_fields = ["parent", "country", "successor"]
    inlines = [FormerNameInline]
    fieldsets = [
        (None, {"fields": ["name", "issuing_label", "acronym", "slug", "kind", "parent"]}),
        ("Where", {"fields": ["country", "territory", "city"]}),
        ("History", {"fields": ["established_year", "closed_year", "successor"]}),
        (None, {"fields": ["description", "position"]}),
    ]
    prepopulated_fields = {"slug": ["name"]}

from django.contrib import admin

from .models import Chairpersonship, Country


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "status", "joined_year", "position"]
    list_filter = ["status"]
    search_fields = ["name", "sort_name", "code", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["position", "sort_name"]


@admin.register(Chairpersonship)
class ChairpersonshipAdmin(admin.ModelAdmin):
    list_display = ["year", "country_name", "country"]
    list_select_related = ["country"]
    autocomplete_fields = ["country"]
    search_fields = ["country_name"]

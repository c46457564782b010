"""People of the back office, with the issuing bodies each of them edits for."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from ..models import EditorProfile


class EditorProfileInline(admin.StackedInline):
    model = EditorProfile
    can_delete = False
    autocomplete_fields = ["structures"]
    verbose_name_plural = _("Issuing bodies this person edits for")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class EditorUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, EditorProfileInline]

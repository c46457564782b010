"""Email alerts in the back office, for managers only (the Manager group's permissions,
news/permissions.py): the lists and how many confirmed subscribers each has, the addresses (to
answer their owners), and the messages with their outcome (to see what failed and why). Nothing
is added or changed here: subscribers do that from their messages."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .lists import describe_list
from .models import AlertList, Message, Subscriber, Subscription


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AlertList)
class AlertListAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "content_language", "confirmed", "created_at"]
    list_filter = ["kind", "content_language"]
    search_fields = ["query"]

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed=Count(
                    "subscriptions", filter=Q(subscriptions__confirmed_at__isnull=False)
                )
            )
        )

    @admin.display(description=_("filter"))
    def name(self, obj):
        return describe_list(obj)

    @admin.display(description=_("confirmed subscribers"), ordering="confirmed")
    def confirmed(self, obj):
        return obj.confirmed


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    fields = ["alert_list", "frequency", "language", "created_at", "confirmed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnlyAdmin):
    list_display = ["email", "subscriptions_count", "created_at"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    inlines = [SubscriptionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(subscriptions_count=Count("subscriptions"))

    def get_deleted_objects(self, objs, request):
        """Erasing an address takes its subscriptions and the record of its messages with it:
        no permission to delete those one by one is needed (nor given: a message record
        deleted alone would let its items be sent again)."""
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    @admin.display(description=_("subscriptions"), ordering="subscriptions_count")
    def subscriptions_count(self, obj):
        return obj.subscriptions_count


class MessageState(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("waiting", _("Waiting to be sent")),
            ("sent", _("Sent")),
            ("failed", _("Failed")),
            ("dropped", _("Not sent: nothing left")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "waiting":
            return queryset.filter(sent_at__isnull=True, ended_at__isnull=True)
        if value == "sent":
            return queryset.filter(sent_at__isnull=False)
        if value == "failed":
            return queryset.filter(sent_at__isnull=True, ended_at__isnull=False, attempts__gt=0)
        if value == "dropped":
            return queryset.filter(sent_at__isnull=True, ended_at__isnull=False, attempts=0)
        return queryset


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = [
        "kind",
        "subscriber",
        "created_at",
        "attempts",
        "sent_at",
        "ended_at",
        "outcome",
    ]
    list_filter = [MessageState, "kind"]
    list_select_related = ["subscriber"]
    search_fields = ["subscriber__email"]
    date_hierarchy = "created_at"

    def has_delete_permission(self, request, obj=None):
        return False

"""Email alerts: who asked for what, and what was sent to whom.

- `AlertList`: a filter of the news listing in its canonical form (news/listing/filters.py), in a
  content language: everyone who asks for the same filter, in whatever parameter order, is on
  the same list.
- `Subscriber`: an address, known by nobody but its owner and the organisation's managers.
- `Subscription`: a subscriber on a list, how often, and in which language; nothing is sent for
  it until its owner confirms it from the message sent to the address (double opt-in).
- `Announcement`: a news item that went public and was matched against the lists, once.
- `Delivery`: an item owed to a subscriber, once (unique), with when it is due: at once, or at
  the end of the subscription's digest period.
- `Message`: one email, unique per subscriber and what it is about (an item, a digest period, a
  confirmation), claimed and sent under a row lock (alerts/sending.py)."""

import secrets

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from languages.urls import override

# How long a confirmation link works, and an unconfirmed address is kept.
CONFIRMATION_DAYS = 7


def new_token():
    return secrets.token_urlsafe(24)


class AlertList(models.Model):
    """A filter of the news listing, or of the meetings listing, that people are subscribed to."""

    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        MEETINGS = "meetings", _("Meetings and conferences")

    kind = models.CharField(_("listing"), max_length=10, choices=Kind.choices, default=Kind.NEWS)
    query = models.CharField(
        _("filter"),
        max_length=2000,
        blank=True,
        help_text=_("The listing's filters in canonical form (sorted, no defaults)."),
    )
    content_language = models.CharField(_("content language"), max_length=12, default="en")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "query", "content_language"]
        verbose_name = _("alert list")
        verbose_name_plural = _("alert lists")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "query", "content_language"], name="alerts_one_list_per_filter"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.content_language}: {self.query or '(all)'}"

    def get_absolute_url(self):
        """The listing the list follows, in its content language."""
        with override(self.content_language):
            path = reverse("news:event_list" if self.is_meetings else "news:list")
        return f"{path}?{self.query}" if self.query else path

    @property
    def is_meetings(self):
        return self.kind == self.Kind.MEETINGS


class Subscriber(models.Model):
    email = models.EmailField(_("email address"), unique=True)
    # The key of the links in every message to manage or leave every list: unguessable, and
    # gone with the subscriber when the address is erased.
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["email"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")

    def __str__(self):
        return self.email

    def get_absolute_url(self):
        return reverse("alerts:manage", kwargs={"token": self.token})


class Subscription(models.Model):
    class Frequency(models.TextChoices):
        IMMEDIATELY = "immediately", _("As soon as an item is published")
        DAILY = "daily", _("Once a day")
        WEEKLY = "weekly", _("Once a week")

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    alert_list = models.ForeignKey(
        AlertList,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("alert list"),
    )
    frequency = models.CharField(
        _("frequency"), max_length=12, choices=Frequency.choices, default=Frequency.IMMEDIATELY
    )
    language = models.CharField(_("language of the emails"), max_length=12, default="en")
    # The confirmation link carries this; it is emptied when the link is used (single use).
    confirmation_nonce = models.CharField(max_length=40, blank=True, default=new_token)
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "alert_list"], name="alerts_one_subscription_per_list"
            )
        ]
        indexes = [
            models.Index(fields=["alert_list", "confirmed_at"], name="alerts_list_confirmed_idx"),
            models.Index(fields=["confirmed_at", "created_at"], name="alerts_unconfirmed_idx"),
        ]

    def __str__(self):
        return f"{self.subscriber} – {self.alert_list}"

    def get_absolute_url(self):
        return reverse("alerts:unsubscribe", kwargs={"token": self.token})

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None


class Announcement(models.Model):
    """A news item matched against the lists when it went public. Once per item: an item
    edited, withdrawn and published again is not announced again."""

    item = models.OneToOneField(
        "news.NewsItem", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    announced_at = models.DateTimeField()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self):
        return str(self.item_id)


class EventAnnouncement(models.Model):
    """An event matched against the meetings lists when it was first public and still ahead.
    Once per event, as for news items."""

    event = models.OneToOneField(
        "news.Event", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    announced_at = models.DateTimeField()

    class Meta:
        verbose_name = _("event announcement")
        verbose_name_plural = _("event announcements")

    def __str__(self):
        return str(self.event_id)


class Message(models.Model):
    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation")
        ALREADY_SUBSCRIBED = "already_subscribed", _("Already subscribed")
        IMMEDIATE = "immediate", _("Alert")
        DAILY = "daily", _("Daily digest")
        WEEKLY = "weekly", _("Weekly digest")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What it is about: the item (alerts), the end of the period and the language (digests), the
    # confirmation's nonce (confirmations). With the subscriber and the kind, unique: a second
    # worker cannot make the same message again.
    key = models.CharField(max_length=80)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=12, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Given up: after the last retry (failed), or nothing left to send (every item withdrawn).
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "kind", "key"], name="alerts_one_message_per_subject"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(sent_at__isnull=True, ended_at__isnull=True),
                name="alerts_message_due_idx",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.key} to {self.subscriber_id}"


class Delivery(models.Model):
    """A news item, or an event, owed to a subscriber: once, whatever number of their lists it
    matches."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    item = models.ForeignKey(
        "news.NewsItem", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey(
        "news.Event", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The list it came by (the most frequent of the subscriber's lists it matched).
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField()
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "item"], name="alerts_one_delivery_per_item"
            ),
            models.UniqueConstraint(
                fields=["subscriber", "event"], name="alerts_one_delivery_per_event"
            ),
            models.CheckConstraint(
                condition=models.Q(item__isnull=True) ^ models.Q(event__isnull=True),
                name="alerts_delivery_of_an_item_or_an_event",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(message__isnull=True),
                name="alerts_delivery_due_idx",
            )
        ]

    def __str__(self):
        return f"{self.item_id or f'event {self.event_id}'} to {self.subscriber_id}"

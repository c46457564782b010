"""The organisation's meetings and conferences: the series of its "Meetings and conferences" menu
and their events (each edition of a series, or a one-off), with their documents and organisers.
News items link to the event they are about (`NewsItem.event`)."""

import uuid
import zoneinfo
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from languages.models import TranslatedNames
from languages.urls import reverse_slug

from ..sanitise import clean_body
from .taxonomy import FieldOfWork

EDIT_ALL_EVENTS = "news.edit_all_events"
# Addresses under /meetings/ that belong to the site itself, not to an event.
RESERVED_EVENT_SLUGS = {"atom", "series", "calendar"}


def validate_free_event_slug(value):
    if value in RESERVED_EVENT_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is the address of a site page; choose another slug."),
            params={"slug": value},
        )


@cache
def time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(zone)s” is not a time zone; give one such as Europe/Vienna."),
            params={"zone": value},
        )


class MeetingSeries(TranslatedNames):
    """A series of the menu ("Ministerial Council meetings"), in the menu's order."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("menu position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_slug("news:series_detail", self.slug)

    @property
    def local_name(self):
        return self.translated("name")


class EventQuerySet(models.QuerySet):
    def published(self):
        """The one definition of a public event: any but a draft. A cancelled or postponed
        event stays public, saying so, as calendars that hold it must learn it."""
        return self.exclude(status=self.model.Status.DRAFT)

    def upcoming(self, now=None):
        """Not over yet (running ones included), soonest first."""
        return self.filter(end__gte=now or timezone.now()).order_by("start", "pk")

    def past(self, now=None):
        """Over, newest first."""
        return self.filter(end__lt=now or timezone.now()).order_by("-start", "-pk")

    def editable_by(self, user):
        """The events `user` may see and edit in the back office: every event for managers,
        else those organised by a body the user works for (as for news)."""
        if user.is_active and (user.is_superuser or user.has_perm(EDIT_ALL_EVENTS)):
            return self
        organisers = EventOrganiser.objects.filter(
            event=OuterRef("pk"), structure__editors__user=user
        )
        return self.filter(Exists(organisers))

    def for_listing(self):
        return self.select_related("series", "country").prefetch_related("organisers__structure")


class Event(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        POSTPONED = "postponed", _("Postponed")
        CANCELLED = "cancelled", _("Cancelled")

    class Attendance(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=255,
        unique=True,
        validators=[validate_free_event_slug],
        help_text=_("Part of the web address. Do not change it once the event is published."),
    )
    series = models.ForeignKey(
        MeetingSeries,
        verbose_name=_("series"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    edition = models.CharField(
        _("edition"), max_length=40, blank=True, help_text=_("As the series counts it: “31st”.")
    )
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("time zone of the venue"),
        max_length=64,
        default="Europe/Vienna",
        choices=time_zone_choices,
        validators=[validate_time_zone],
        help_text=_("Times are entered and shown in this zone."),
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.ForeignKey(
        "countries.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    attendance = models.CharField(
        _("attendance"), max_length=20, choices=Attendance.choices, default=Attendance.IN_PERSON
    )
    organised_by = models.ManyToManyField(
        "structures.Structure",
        verbose_name=_("organised by"),
        through="news.EventOrganiser",
        related_name="events",
    )
    fields_of_work = models.ManyToManyField(
        FieldOfWork, verbose_name=_("fields of work"), related_name="events", blank=True
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("Cleaned of scripts and unsafe markup when saved."),
    )
    registration_url = models.URLField(_("registration link"), max_length=500, blank=True)
    registration_deadline = models.DateTimeField(_("registration deadline"), null=True, blank=True)
    livestream_url = models.URLField(_("livestream link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    status_note = models.TextField(
        _("status note"),
        blank=True,
        help_text=_("Shown with a postponed or cancelled event: why, and what happens instead."),
    )
    # The event's UID in calendars: never changes, whatever is edited.
    uid = models.UUIDField(_("calendar UID"), default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Counts saves: calendars learn of a change by it (SEQUENCE)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["status", "start"], name="news_event_status_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="event_ends_after_start"
            )
        ]
        permissions = [
            ("publish_event", _("Can publish, postpone and cancel events")),
            ("edit_all_events", _("Can edit events of every organiser")),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.description = clean_body(self.description)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse_slug("news:event_detail", self.slug)

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("An event cannot end before it starts.")})

    @property
    def zone(self):
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def local_start(self):
        """The start in the venue's time."""
        return timezone.localtime(self.start, self.zone)

    @property
    def local_end(self):
        return timezone.localtime(self.end, self.zone)

    @property
    def is_public(self):
        return self.status != self.Status.DRAFT

    @property
    def is_whole_days(self):
        """Whole days in the venue's time (00:00 to 23:59), as editions known only by their
        dates are entered: shown and put in calendars as days, without times."""
        start, end = self.local_start, self.local_end
        return (start.hour, start.minute, start.second) == (0, 0, 0) and (
            end.hour,
            end.minute,
        ) == (23, 59)

    def is_live(self, now=None):
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.start <= now <= self.end

    def registration_open(self, now=None):
        now = now or timezone.now()
        if not self.registration_url or self.status != self.Status.PUBLISHED or now > self.end:
            return False
        return self.registration_deadline is None or now <= self.registration_deadline

    def organising_structures(self):
        """The organisers in the order given (`organisers` prefetched, with their structures)."""
        return [link.structure for link in self.organisers.all()]


class EventOrganiser(models.Model):
    """The ordered link between an event and the structures that organise it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="organisers")
    structure = models.ForeignKey(
        "structures.Structure", on_delete=models.PROTECT, related_name="organised_events"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("organiser")
        verbose_name_plural = _("organisers")
        constraints = [
            models.UniqueConstraint(fields=["event", "structure"], name="one_link_per_organiser")
        ]

    def __str__(self):
        return str(self.structure)


def validate_pdf(upload):
    """A document upload is a PDF by its content, not just its name."""
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationError(_("The file is not a PDF."))


class EventDocument(models.Model):
    """A document of an event: a titled link, or an uploaded PDF."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(
        _("PDF file"),
        upload_to="events/%Y/",
        blank=True,
        validators=[FileExtensionValidator(["pdf"]), validate_pdf],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="document_is_a_link_or_a_file",
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if bool(self.url) == bool(self.file):
            raise ValidationError(_("Give either a link or a PDF file, not both."))

    @property
    def href(self):
        return self.url or (self.file.url if self.file else "")

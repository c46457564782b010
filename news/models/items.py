"""News items, their issuing bodies and their tags."""

import datetime
import uuid
import zoneinfo

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from languages import registry as languages
from languages.urls import reverse_slug_in
from structures import prefetch

from ..querysets import NewsItemQuerySet
from ..sanitise import clean_body
from .taxonomy import FieldOfWork

# Addresses under /news/ that belong to the site itself, not to an item.
RESERVED_SLUGS = {"rss", "atom"}


def validate_time_zone(value):
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(zone)s” is not a time zone."), params={"zone": value})


def validate_free_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is the address of a site page; choose another slug."),
            params={"slug": value},
        )


def storable_time(value):
    """Whether an aware date-time can be stored and read back: PostgreSQL keeps it in UTC, and a
    time that is in the year 0 or 10000 there (midnight of 1 January of the year 1 in Vienna,
    say) is stored, then fails every page that reads it."""
    try:
        value.astimezone(datetime.UTC)
    except OverflowError:
        return False
    return True


class TaggedNewsItem(TaggedItemBase):
    content_object = models.ForeignKey(
        "news.NewsItem", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("tagged news item")
        verbose_name_plural = _("tagged news items")


class NewsItem(models.Model):
    class Type(models.TextChoices):
        NEWS = "news", _("News item")
        PRESS_RELEASE = "press_release", _("Press release")
        PRESS_STATEMENT = "press_statement", _("Press statement")
        DAILY_REPORT = "daily_report", _("Daily report")
        SPOT_REPORT = "spot_report", _("Spot report")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        # Published by one issuing body, waiting for the others' sign-off (news/signing.py).
        AWAITING = "awaiting", _("Awaiting sign-off")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(
        _("language"),
        max_length=12,
        choices=languages.choices,
        default=languages.DEFAULT,
        help_text=_("The language the item is written in."),
    )
    # The items that translate each other share a key: at most one item per language in a group.
    translation_key = models.UUIDField(
        _("translation group"), default=uuid.uuid4, editable=False, db_index=False
    )
    translated_from = models.ForeignKey(
        "self",
        verbose_name=_("translated from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    source_version = models.PositiveIntegerField(
        _("source version"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The version of the source the translation was last saved against."),
    )
    # Above source_version: the source was saved since (querysets.py, source_changed), found
    # from an index rather than by comparing each translation with its source's row.
    source_version_now = models.PositiveIntegerField(
        _("source's version now"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "The version of the source as it stands, kept by the database itself "
            "(news/migrations/0021_desk_indexes.py)."
        ),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=255,
        unique=True,
        validators=[validate_free_slug],
        help_text=_("Part of the web address. Do not change it once the item is published."),
    )
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.NEWS)
    lead = models.TextField(
        _("lead"), blank=True, help_text=_("One or two sentences that sum up the news.")
    )
    body = models.TextField(
        _("body"), blank=True, help_text=_("Cleaned of scripts and unsafe markup when saved.")
    )
    published_at = models.DateTimeField(
        _("issued on"),
        null=True,
        blank=True,
        help_text=_("The item goes public at this time once it is published."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    withdrawn_reason = models.TextField(
        _("reason for withdrawal"),
        blank=True,
        help_text=_("Kept for the record; never shown to the public."),
    )
    issued_by = models.ManyToManyField(
        "structures.Structure",
        verbose_name=_("issued by"),
        through="news.IssuingBody",
        related_name="news_items",
    )
    fields_of_work = models.ManyToManyField(
        FieldOfWork, verbose_name=_("fields of work"), related_name="news_items", blank=True
    )
    countries = models.ManyToManyField(
        "countries.Country", verbose_name=_("countries"), related_name="news_items", blank=True
    )
    event = models.ForeignKey(
        "news.Event",
        verbose_name=_("part of the event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="news_items",
        help_text=_("The meeting or conference the item is about, if any."),
    )
    tags = TaggableManager(
        verbose_name=_("tags"),
        through=TaggedNewsItem,
        blank=True,
        help_text=_("Free keywords beside the fields of work, separated by commas."),
    )
    image = models.ImageField(_("image"), upload_to="news/%Y/%m/", blank=True)
    image_alt = models.CharField(
        _("image alt text"),
        max_length=300,
        blank=True,
        help_text=_("What the photo shows, for people who cannot see it. Needed with a photo."),
    )
    image_caption = models.CharField(_("image caption"), max_length=500, blank=True)
    image_credit = models.CharField(_("image credit"), max_length=200, blank=True)
    image_renditions = models.JSONField(
        _("image renditions"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("The resized copies made when the photo was uploaded (news/images.py)."),
    )
    search_config = models.CharField(
        _("search configuration"),
        max_length=40,
        default="english",
        editable=False,
        help_text=_("PostgreSQL's text search configuration for the item's language."),
    )
    search_document = SearchVectorField(
        null=True,
        editable=False,
        help_text=_("Kept up to date by the database itself (news/migrations/0004_search.py)."),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Counts saves, so that two editors cannot overwrite each other unawares."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Not updated_at: that moves with every save, a change of status or a sign-off included;
    # a reader cares only whether what they read has changed (news/publishing.py, mark_revised).
    revised_at = models.DateTimeField(
        _("content revised at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When its title, lead, body or photo last changed. Changed after the item was "
            "issued, its page says “Last updated”."
        ),
    )
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

    # An editor's draft sent to the publishers of its bodies ("Submit for publishing"); cleared
    # when it is saved as a draft again, published or withdrawn (news/admin/form_actions.py).
    submitted_at = models.DateTimeField(
        _("submitted for publishing"), null=True, blank=True, editable=False
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = NewsItemQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        indexes = [
            GinIndex(fields=["search_document"], name="news_search_document_idx"),
            models.Index(fields=["status", "-published_at"], name="news_status_published_idx"),
            models.Index(
                fields=["type", "status", "-published_at"], name="news_type_published_idx"
            ),
            # The back office's list, newest first whatever the status, and its years.
            models.Index(fields=["-published_at", "-id"], name="news_published_order_idx"),
            # The publishers' desk: drafts an editor submitted for publishing.
            models.Index(
                fields=["-submitted_at"],
                name="news_submitted_idx",
                condition=models.Q(status="draft", submitted_at__isnull=False),
            ),
            # The desk (news/desk.py): a person's drafts, and the translations to check.
            models.Index(
                fields=["created_by"],
                condition=models.Q(status="draft"),
                name="news_draft_creator_idx",
            ),
            models.Index(
                fields=["updated_by"],
                condition=models.Q(status="draft"),
                name="news_draft_saver_idx",
            ),
            models.Index(
                fields=["id"],
                condition=models.Q(source_version_now__gt=models.F("source_version")),
                name="news_source_changed_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="published", published_at__isnull=True),
                name="published_item_has_date",
            ),
            models.UniqueConstraint(
                fields=["translation_key", "language"], name="one_item_per_language_in_group"
            ),
        ]
        permissions = [
            ("publish_newsitem", _("Can publish and withdraw news items")),
            ("edit_all_newsitems", _("Can edit news items of every issuing body")),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Editors and importers are untrusted: only sanitised HTML is ever stored.
        self.body = clean_body(self.body)
        self.search_config = languages.search_config(self.language)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "language" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_config"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """In the item's own language, whatever page links to it: /ru/news/… for Russian."""
        return reverse_slug_in(self.language, "news:detail", self.slug)

    @property
    def language_info(self):
        return languages.get(self.language) or languages.get(languages.DEFAULT)

    @property
    def source_changed(self):
        """A translation whose source was saved since the translation last was."""
        source = self.translated_from
        return bool(
            source is not None
            and self.source_version is not None
            and source.version > self.source_version
        )

    # One item's side of the queryset methods published() and scheduled() (news/querysets.py).
    @property
    def is_public(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def last_updated(self):
        """When its content last changed after it was issued, or None (never since)."""
        if self.revised_at and self.published_at and self.revised_at > self.published_at:
            return self.revised_at
        return None

    def rendition(self, name):
        """{"url", "webp_url", "width", "height"} of a rendition made at upload, or None."""
        rendition = self.image_renditions.get(name) if self.image else None
        if not rendition:
            return None
        return {
            "url": default_storage.url(rendition["path"]),
            "webp_url": default_storage.url(rendition["webp"]),
            "width": rendition["width"],
            "height": rendition["height"],
        }

    @property
    def thumbnail(self):
        return self.rendition("thumbnail")

    def issuers_in_force(self):
        """(structure, name in force on the item's date) pairs, in the order given."""
        day = timezone.localdate(self.published_at) if self.published_at else None
        bodies = prefetch.records(self, "issuing_bodies")
        return [(body.structure, body.structure.name_on(day)) for body in bodies]


class IssuingBody(models.Model):
    """The ordered link between a news item and the structures that issued it."""

    news_item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="issuing_bodies")
    structure = models.ForeignKey(
        "structures.Structure", on_delete=models.PROTECT, related_name="issuing_links"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("issuing body")
        verbose_name_plural = _("issuing bodies")
        constraints = [
            models.UniqueConstraint(fields=["news_item", "structure"], name="unique_issuing_body"),
        ]
        indexes = [models.Index(fields=["structure", "news_item"])]

    def __str__(self):
        return str(self.structure)


class EditorProfile(models.Model):
    """The issuing bodies an editor works for: they see and edit only those bodies' news."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="editor_profile",
    )
    structures = models.ManyToManyField(
        "structures.Structure",
        verbose_name=_("works for"),
        related_name="editors",
        blank=True,
        help_text=_("The editor may write and edit news issued by these bodies."),
    )
    # The back office shows and reads times in it (news/time_zones.py); empty: the
    # organisation's own (settings.TIME_ZONE).
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Times in the back office are shown and entered in this zone."),
    )

    class Meta:
        verbose_name = _("editor profile")
        verbose_name_plural = _("editor profiles")

    def __str__(self):
        return str(self.user)

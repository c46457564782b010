"""The news's own taxonomy: fields of work (with their sub-topics), the aliases by which old data
and old links name any entry of the taxonomy, and what `load_reference_data` last loaded."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from languages.models import TranslatedNames
from languages.urls import reverse_slug

from ..names import normalise_name

NEEDS_REVIEW_HELP = _(
    "Added by an import from a name it did not know: check the name, the slug and where it "
    "belongs, then untick."
)


class FieldOfWorkQuerySet(models.QuerySet):
    def top_level(self):
        return self.filter(parent__isnull=True)

    def in_menu_order(self):
        """Each field followed by its sub-topics (with their parents, for their labels)."""
        return self.select_related("parent").order_by(
            Coalesce("parent__position", "position"),
            F("parent").asc(nulls_first=True),
            "position",
            "name",
        )

    def with_subtopics_of(self, fields):
        """`fields` (records or ids) and their sub-topics: what a filter on them covers."""
        ids = [getattr(field, "pk", field) for field in fields]
        return self.filter(Q(pk__in=ids) | Q(parent__in=ids))


class FieldOfWork(TranslatedNames):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("sub-topic of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subtopics",
        limit_choices_to={"parent__isnull": True},
        help_text=_(
            'For a sub-topic, e.g. "Safety of journalists" under "Media freedom and '
            "development\". A filter on the field then finds the sub-topic's news too."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    is_topical = models.BooleanField(
        _("topical"),
        default=True,
        help_text=_('Untick for menu sections that are not topics, e.g. "Projects".'),
    )
    position = models.PositiveSmallIntegerField(_("menu position"), default=0)
    needs_review = models.BooleanField(
        _("added by import, needs review"), default=False, help_text=NEEDS_REVIEW_HELP
    )

    objects = FieldOfWorkQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("field of work")
        verbose_name_plural = _("fields of work")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_slug("news:field_detail", self.slug)

    @property
    def local_name(self):
        """The name in the page's language (reference data file), else English."""
        return self.translated("name")

    def clean(self):
        # One level of sub-topics, as the organisation has: a filter on a field covers its
        # sub-topics with one join, whatever the tree.
        if self.parent_id is None:
            return
        if self.parent_id == self.pk:
            raise ValidationError({"parent": _("A field of work cannot be its own sub-topic.")})
        if self.parent.parent_id is not None:
            raise ValidationError(
                {"parent": _("“%(name)s” is a sub-topic itself; choose a field of work.")
                 % {"name": self.parent.name}}
            )  # fmt: skip
        if self.pk and self.subtopics.exists():
            raise ValidationError(
                {"parent": _("This field has sub-topics of its own, so it cannot be one.")}
            )


# An alias's kind (Alias.Kind) and the link that holds its entry.
ALIAS_TARGETS = {"field": "field_of_work", "structure": "structure", "country": "country"}


def one_target():
    """Exactly the link of the alias's kind is set."""
    condition = Q()
    for kind, link in ALIAS_TARGETS.items():
        others = {f"{other}__isnull": True for other in ALIAS_TARGETS.values() if other != link}
        condition |= Q(kind=kind, **{f"{link}__isnull": False}, **others)
    return condition


class Alias(models.Model):
    """Another label for an entry of the taxonomy, as old data and old links name it
    ("Combating human trafficking" for "Combating trafficking in human beings"). The importer
    reads it as the entry's name; the public filters take its slug and send the visitor to the
    entry's own address."""

    class Kind(models.TextChoices):
        FIELD = "field", _("Field of work")
        STRUCTURE = "structure", _("Structure")
        COUNTRY = "country", _("Country")

    label = models.CharField(
        _("variant label"),
        max_length=200,
        help_text=_('As old data or old links have it, e.g. "Combating human trafficking".'),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, editable=False)
    # How the label is compared (news/names.py) and the form it takes in an address.
    key = models.CharField(_("key"), max_length=200, editable=False)
    slug = models.SlugField(_("slug"), max_length=200, editable=False, allow_unicode=False)
    field_of_work = models.ForeignKey(
        FieldOfWork,
        verbose_name=_("field of work"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="aliases",
    )
    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="aliases",
    )
    country = models.ForeignKey(
        "countries.Country",
        verbose_name=_("country"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="aliases",
    )

    TARGETS = ALIAS_TARGETS

    class Meta:
        ordering = ["kind", "label"]
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="unique_alias_label"),
            models.CheckConstraint(condition=one_target(), name="alias_has_one_target"),
        ]
        indexes = [models.Index(fields=["kind", "slug"], name="alias_slug_idx")]

    def __str__(self):
        return f"{self.label} → {self.target}"

    def save(self, *args, **kwargs):
        self.set_derived()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "kind", "key", "slug"}
        super().save(*args, **kwargs)

    @property
    def target(self):
        return getattr(self, self.TARGETS[self.kind]) if self.kind else None

    def set_derived(self):
        """Kind, key and slug from the label and the one target given."""
        # A target may be a record not saved yet (the inline on the entry's "add" page).
        given = [
            kind
            for kind, name in self.TARGETS.items()
            if getattr(self, f"{name}_id") is not None or getattr(self, name) is not None
        ]
        self.kind = given[0] if len(given) == 1 else ""
        self.key = normalise_name(self.label)
        self.slug = slugify(self.label)[:200]

    def clean(self):
        self.set_derived()
        if not self.kind:
            raise ValidationError(
                _("Choose exactly one field of work, structure or country for the label.")
            )
        if not self.key:
            raise ValidationError({"label": _("Write the label.")})
        taken = Alias.objects.filter(kind=self.kind, key=self.key).exclude(pk=self.pk).first()
        if taken is not None:
            raise ValidationError(
                {"label": _("“%(label)s” is already an alias of %(target)s.")
                 % {"label": taken.label, "target": taken.target}}
            )  # fmt: skip


class ReferenceSnapshot(models.Model):
    """What `load_reference_data` last wrote to one record of the taxonomy. A value that differs
    both from this and from the file was changed here (in the admin, say): the loader keeps it."""

    model = models.CharField(_("model"), max_length=100, help_text=_('e.g. "structures.structure"'))
    key = models.CharField(
        _("key in the file"),
        max_length=300,
        help_text=_('The slug, ISO code or year the file names the record by, e.g. "odihr".'),
    )
    object_id = models.PositiveBigIntegerField(_("record"))
    values = models.JSONField(_("values loaded"), default=dict)

    class Meta:
        ordering = ["model", "key"]
        verbose_name = _("reference data snapshot")
        verbose_name_plural = _("reference data snapshots")
        constraints = [
            models.UniqueConstraint(fields=["model", "key"], name="unique_reference_snapshot"),
        ]

    def __str__(self):
        return f"{self.model} {self.key}"

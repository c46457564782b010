from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from languages.models import TranslatedNames
from languages.urls import reverse_slug

from . import prefetch


class StructureQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_year__isnull=True)

    def closed(self):
        return self.filter(closed_year__isnull=False)

    def of_kind(self, *kinds):
        return self.filter(kind__in=kinds)


class Structure(TranslatedNames):
    """A body of the organisation that issues news: a Secretariat unit, an institution, a field
    operation and so on. Structures form a tree (a Secretariat unit's parent is the Secretariat)."""

    class Kind(models.TextChoices):
        CHAIRPERSONSHIP = "chairpersonship", _("Chairpersonship")
        CHAIRPERSONSHIP_BODY = "chairpersonship-body", _("Chairpersonship body")
        DECISION_MAKING_BODY = "decision-making-body", _("Decision-making body")
        SECRETARIAT = "secretariat", _("Secretariat")
        SECRETARIAT_UNIT = "secretariat-unit", _("Secretariat unit")
        INSTITUTION = "institution", _("Institution")
        FIELD_OPERATION = "field-operation", _("Field operation")
        CLOSED_FIELD_ACTIVITY = "closed-field-activity", _("Closed field activity")
        PARLIAMENTARY_ASSEMBLY = "parliamentary-assembly", _("Parliamentary Assembly")
        COURT = "court", _("Court")
        PARTNERSHIP = "partnership", _("Partnership")
        OTHER_BODY = "other-body", _("Other body")

    name = models.CharField(
        _("name"), max_length=200, help_text=_('The name as in the menu, e.g. "Secretariat".')
    )
    issuing_label = models.CharField(
        _("issuing label"),
        max_length=200,
        help_text=_('The name shown under "Issued by", e.g. "OSCE Secretariat".'),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("Part of the web address. Keep it when the structure is renamed."),
    )
    acronym = models.CharField(_("acronym"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    country = models.ForeignKey(
        "countries.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="structures",
        help_text=_("For a field operation: the country it works in. For others: its seat."),
    )
    territory = models.CharField(
        _("territory"),
        max_length=200,
        blank=True,
        help_text=_("Where no single country fits, the territory the mandate covered."),
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    established_year = models.PositiveSmallIntegerField(_("established"), null=True, blank=True)
    closed_year = models.PositiveSmallIntegerField(
        _("closed"), null=True, blank=True, help_text=_("Leave empty while the structure works.")
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="predecessors",
    )
    position = models.PositiveSmallIntegerField(_("menu position"), default=0)
    needs_review = models.BooleanField(
        _("added by import, needs review"),
        default=False,
        help_text=_(
            "Added by an import from a name it did not know: check the name, the kind and "
            "where it belongs, then untick."
        ),
    )

    # The press office of the body, shown on the news it issues. The reference data names none
    # yet: a `press: {name, email, phone}` entry of a structure in osce.yaml is loaded here.
    press_contact = models.CharField(
        _("press contact"),
        max_length=200,
        blank=True,
        help_text=_("Who answers the press, e.g. “Press and Public Information Unit”."),
    )
    press_email = models.EmailField(_("press e-mail"), blank=True)
    press_phone = models.CharField(_("press telephone"), max_length=50, blank=True)

    signs_joint_items = models.BooleanField(
        _("signs off joint items"),
        default=True,
        help_text=_(
            "A joint item goes public only once each body that signs off joint items has signed "
            "it. Untick for a body others may name without its sign-off (a Secretariat unit the "
            "Secretariat signs for, say)."
        ),
    )

    objects = StructureQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        indexes = [models.Index(fields=["kind", "position"])]

    def __str__(self):
        if self.is_open:
            return self.issuing_label
        return gettext("%(name)s (closed)") % {"name": self.issuing_label}

    # In the page's language (reference data file), else English.
    @property
    def local_name(self):
        return self.translated("name")

    @property
    def local_label(self):
        return self.translated("issuing_label")

    def get_absolute_url(self):
        return reverse_slug("structures:detail", self.slug)

    @property
    def is_open(self):
        return self.closed_year is None

    def name_history(self):
        """(former names, other predecessors) of the body's page, each fact once. A closed body
        whose successor this is may be this very body under a former name (the "Centre in
        Dushanbe" of 2002-2008 is the Programme Office in Dushanbe, then so named): it is shown
        as that former name, linked to its page, and not again as a predecessor. Former names
        come as (former name, the closed body's record or None)."""
        predecessors = {}
        for predecessor in prefetch.records(self, "predecessors"):
            for name in (predecessor.name, predecessor.issuing_label):
                predecessors.setdefault(plain_name(name), predecessor)
        former_names = []
        for former in prefetch.records(self, "former_names"):
            former_names.append((former, predecessors.get(plain_name(former.name))))
        named = {record.pk for _former, record in former_names if record is not None}
        others = [p for p in prefetch.records(self, "predecessors") if p.pk not in named]
        return former_names, others

    def name_on(self, day):
        """The issuing label in force on `day` (a date): a former name if one covered that day,
        otherwise today's label. Uses prefetched former names when they are there."""
        if day is None:
            return self.local_label
        former_names = prefetch.records(self, "former_names")
        candidates = [former for former in former_names if former.covers(day)]
        if not candidates:
            return self.local_label
        # Renames known only to the year overlap at the boundary; the newer name wins.
        return max(candidates, key=lambda former: former.valid_from or day.min).local_name


def plain_name(name):
    """A body's name as compared with another: "OSCE Centre in Dushanbe" is "centre in dushanbe"."""
    return name.removeprefix("OSCE ").casefold().strip()


class FormerName(TranslatedNames):
    structure = models.ForeignKey(
        Structure,
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        related_name="former_names",
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_('As it appeared under "Issued by" at the time.')
    )
    valid_from = models.DateField(
        _("in use from"), null=True, blank=True, help_text=_("Empty when not known.")
    )
    valid_until = models.DateField(
        _("in use until"), null=True, blank=True, help_text=_("Empty when not known.")
    )

    class Meta:
        ordering = ["valid_from", "name"]
        verbose_name = _("former name")
        verbose_name_plural = _("former names")
        constraints = [
            models.UniqueConstraint(fields=["structure", "name"], name="unique_former_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def local_name(self):
        return self.translated("name")

    def covers(self, day):
        if self.valid_from is None and self.valid_until is None:
            return False
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


# The groups of the "Structures and institutions" menu and index, in the organisation's order:
# (anchor, heading, kinds).
STRUCTURE_GROUPS = [
    (
        "chairpersonship",
        Structure.Kind.CHAIRPERSONSHIP.label,
        [Structure.Kind.CHAIRPERSONSHIP, Structure.Kind.CHAIRPERSONSHIP_BODY],
    ),
    (
        "decision-making-bodies",
        _("Decision-making bodies"),
        [Structure.Kind.DECISION_MAKING_BODY],
    ),
    (
        "secretariat",
        Structure.Kind.SECRETARIAT.label,
        [Structure.Kind.SECRETARIAT, Structure.Kind.SECRETARIAT_UNIT],
    ),
    ("institutions", _("Institutions"), [Structure.Kind.INSTITUTION]),
    ("field-operations", _("Field operations"), [Structure.Kind.FIELD_OPERATION]),
    (
        "closed-field-activities",
        _("Closed field activities"),
        [Structure.Kind.CLOSED_FIELD_ACTIVITY],
    ),
    (
        "parliamentary-assembly",
        Structure.Kind.PARLIAMENTARY_ASSEMBLY.label,
        [Structure.Kind.PARLIAMENTARY_ASSEMBLY],
    ),
    ("court", _("Court of Conciliation and Arbitration"), [Structure.Kind.COURT]),
    ("partnerships", _("Partnerships"), [Structure.Kind.PARTNERSHIP]),
    ("other-bodies", _("Other bodies"), [Structure.Kind.OTHER_BODY]),
]
# Kinds that are one body: the body heads its group in the menu (the Secretariat, its units below).
SINGLE_BODY_KINDS = {
    Structure.Kind.CHAIRPERSONSHIP,
    Structure.Kind.SECRETARIAT,
    Structure.Kind.PARLIAMENTARY_ASSEMBLY,
    Structure.Kind.COURT,
}


def group_structures(structures):
    """Structures (in menu order) in the menu's groups: [(anchor, heading, [structure, …]), …],
    empty groups left out. Shared by the menu and the structures index page."""
    by_kind = {}
    for structure in structures:
        by_kind.setdefault(structure.kind, []).append(structure)
    groups = []
    for anchor, heading, kinds in STRUCTURE_GROUPS:
        members = [structure for kind in kinds for structure in by_kind.get(kind, [])]
        if members:
            groups.append((anchor, str(heading), members))
    return groups

"""The issuing bodies, fields of work, countries and chairpersonships the corpus draws on,
read once from the database (the reference data `load_reference_data` loads), with how much
each body publishes and what about."""

import datetime
from dataclasses import dataclass

from countries.models import Chairpersonship, Country
from news.models import FieldOfWork
from structures.models import Structure

from .corpus import CORPUS_START, CorpusError
from .vocabulary import FIELD_VOCABULARY

FIELD_OPERATION_KINDS = {Structure.Kind.FIELD_OPERATION, Structure.Kind.CLOSED_FIELD_ACTIVITY}
SMM = "special-monitoring-mission-to-ukraine"

# fmt: off
# What each body mostly writes about; bodies not named here write about every topical field.
BODY_FIELDS = {
    "odihr": ("elections", "democratization", "human-rights", "tolerance-and-non-discrimination",
              "roma-and-sinti", "gender-equality", "rule-of-law"),
    "hcnm": ("national-minority-issues", "education", "conflict-prevention-and-resolution"),
    "rfom": ("media-freedom-and-development",),
    "parliamentary-assembly": ("elections", "democratization", "human-rights", "migration",
                               "conflict-prevention-and-resolution"),
    "oceea": ("economic-activities", "environmental-activities", "good-governance", "migration"),
    "transnational-threats-department": ("policing", "countering-terrorism", "border-management",
                                         "cyber-ict-security"),
    "conflict-prevention-centre": ("conflict-prevention-and-resolution", "arms-control",
                                   "reform-and-co-operation-in-the-security-sector"),
    "office-of-the-special-representative-cthb": ("combating-trafficking-in-human-beings",),
    "gender-issues-programme": ("gender-equality",),
    "opportunities-for-youth": ("youth",),
    SMM: ("conflict-prevention-and-resolution", "human-rights"),
    "observer-mission-gukovo-donetsk": ("conflict-prevention-and-resolution", "border-management"),
    "kosovo-verification-mission": ("conflict-prevention-and-resolution", "human-rights"),
    "court-of-conciliation-and-arbitration": ("conflict-prevention-and-resolution", "rule-of-law"),
    "forum-for-security-co-operation": ("arms-control",
                                        "reform-and-co-operation-in-the-security-sector"),
    "permanent-council": ("conflict-prevention-and-resolution", "human-rights"),
    "ministerial-council": ("conflict-prevention-and-resolution",),
    "troika": ("conflict-prevention-and-resolution",),
    "minsk-group": ("conflict-prevention-and-resolution",),
    "minsk-group-co-chairs": ("conflict-prevention-and-resolution",),
    "asian-partners-for-co-operation": ("economic-activities", "environmental-activities",
                                        "countering-terrorism"),
    "mediterranean-partners-for-co-operation": ("migration", "economic-activities",
                                                "environmental-activities"),
}

# How much each body publishes: roughly Zipf-like, the Secretariat, ODIHR, the Mission in Kosovo
# and the SMM (in its years) first. Bodies not named here publish little (DEFAULT_BODY_WEIGHT).
BODY_WEIGHTS = {
    SMM: 14, "secretariat": 10, "odihr": 8, "mission-in-kosovo": 7, "chairpersonship": 6,
    "rfom": 4.5, "secretary-general": 4, "mission-to-bosnia-and-herzegovina": 4,
    "parliamentary-assembly": 3.5, "hcnm": 3, "mission-to-serbia": 3, "mission-to-skopje": 3,
    "programme-office-in-dushanbe": 2.5, "mission-to-moldova": 2.5,
    "programme-office-in-bishkek": 2.5, "presence-in-albania": 2.2,
    "programme-office-in-astana": 2, "project-co-ordinator-in-ukraine": 2, "oceea": 2,
    "transnational-threats-department": 1.8, "project-co-ordinator-in-uzbekistan": 1.6,
    "mission-to-montenegro": 1.5, "office-of-the-special-representative-cthb": 1.5,
    "office-in-yerevan": 1.5, "mission-to-croatia-office-in-zagreb": 1.5,
    "mission-to-georgia": 1.5, "conflict-prevention-centre": 1.2, "centre-in-ashgabat": 1.2,
    "project-co-ordinator-in-baku": 1.2,
    "observer-mission-gukovo-donetsk": 1, "kosovo-verification-mission": 1,
    "gender-issues-programme": 0.8, "office-in-minsk": 0.8, "opportunities-for-youth": 0.4,
}
DEFAULT_BODY_WEIGHT = 0.3
# fmt: on


@dataclass(eq=False)
class Body:
    """An issuing structure with what the generator needs to know about it."""

    structure: Structure
    weight: float
    first_year: int
    last_year: int | None
    field_slugs: tuple
    former_names: list

    @property
    def slug(self):
        return self.structure.slug

    @property
    def is_field_operation(self):
        return self.structure.kind in FIELD_OPERATION_KINDS

    def active_in(self, year):
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)


def former_names(structure):
    """In a fixed order whatever the database's way of sorting empty dates."""
    return sorted(
        structure.former_names.all(), key=lambda f: (f.valid_from or datetime.date.min, f.name)
    )


def first_year(structure):
    """The year a body starts publishing: its establishment, or earlier under a predecessor's name
    (the Mission to Montenegro's items of 2002-2005 are the Office in Podgorica's)."""
    years = [f.valid_from.year for f in structure.former_names.all() if f.valid_from]
    if structure.established_year:
        years.append(structure.established_year)
    return max(min(years, default=CORPUS_START.year), CORPUS_START.year)


class Taxonomy:
    """Bodies, fields of work, countries and chairpersonships, read once and in a fixed order."""

    def __init__(self):
        structures = Structure.objects.select_related("country").prefetch_related("former_names")
        topical = list(FieldOfWork.objects.filter(is_topical=True).order_by("position", "slug"))
        self.fields = {f.slug: f for f in FieldOfWork.objects.order_by("position", "slug")}
        # Sub-topics by their field's slug: an item on a field now and then carries one too, as
        # the organisation's items carry both ("Environmental activities, Climate change").
        by_pk = {field.pk: field for field in self.fields.values()}
        self.subtopics = {}
        for field in self.fields.values():
            if field.parent_id is not None:
                self.subtopics.setdefault(by_pk[field.parent_id].slug, []).append(field.slug)
        all_topical = tuple(f.slug for f in topical if f.slug in FIELD_VOCABULARY)
        self.bodies = [
            Body(
                structure=structure,
                weight=BODY_WEIGHTS.get(structure.slug, DEFAULT_BODY_WEIGHT),
                first_year=first_year(structure),
                last_year=structure.closed_year,
                field_slugs=tuple(
                    s for s in BODY_FIELDS.get(structure.slug, all_topical) if s in self.fields
                )
                or all_topical,
                former_names=former_names(structure),
            )
            for structure in structures.order_by("position", "slug")
        ]
        self.by_slug = {body.slug: body for body in self.bodies}
        self.countries = list(Country.objects.order_by("position", "code"))
        self.countries_by_year = {}
        self.chairs = {c.year: c.country for c in Chairpersonship.objects.select_related("country")}
        if not self.bodies or not all_topical:
            raise CorpusError("the taxonomy is not loaded: run `manage.py load_reference_data`")

    def countries_in(self, year):
        """Participating States and Partners to write about in a year (not yet-to-join ones)."""
        if year not in self.countries_by_year:
            self.countries_by_year[year] = [
                c
                for c in self.countries
                if c.status != Country.Status.OTHER and (c.joined_year or 0) <= year
            ]
        return self.countries_by_year[year]

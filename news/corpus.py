"""A deterministic synthetic news corpus for benchmarks (`manage.py generate_news`).

It looks like the real archive: items from 1997 to a fixed end date, more of them in later years,
issued in Vienna working hours by bodies that publish at very different rates (the Secretariat,
ODIHR, the Mission in Kosovo and, in 2014-2022, the Special Monitoring Mission to Ukraine most of
all). A field operation writes about its own country and only in the years it worked, under the
name it had on the day, so every former name of a structure appears on some items.

Everything is drawn from one `random.Random(seed)` and the taxonomy in the database, never from the
clock: the same count and seed give byte-identical `export_news` output on any machine. Hence the
fixed end date (`CORPUS_END`) rather than "yesterday", and the few scheduled items dated in
`SCHEDULED_YEAR` (2099), far enough ahead to stay scheduled whenever the corpus is used.

Generated items carry the tag `generated` and the slug `gen-<seed>-<number>-<title words>`, so
they never collide with real items and `--replace` can find them again."""

import datetime
import random
from dataclasses import dataclass
from html import escape
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.utils.text import slugify

from countries.models import Chairpersonship, Country
from structures.models import Structure

from .corpus_words import FIELD_VOCABULARY
from .html import clean_body
from .jsonl import ParsedLine
from .models import FieldOfWork, NewsItem

CORPUS_START = datetime.date(1997, 1, 1)
CORPUS_END = datetime.date(2026, 10, 31)  # the day before the fixed anchor, 1 November 2026
SCHEDULED_YEAR = 2099
VIENNA = ZoneInfo("Europe/Vienna")
SLUG_PREFIX = "gen-"
SLUG_PATTERN = r"^gen-[0-9]+-[0-9]+-"  # what `--replace` deletes: only slugs made here
GENERATED_TAG = "generated"
MAX_COUNT = 2_000_000

FIELD_OPERATION_KINDS = {Structure.Kind.FIELD_OPERATION, Structure.Kind.CLOSED_FIELD_ACTIVITY}
SMM = "special-monitoring-mission-to-ukraine"

# fmt: off
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

# Who else signs an item of a body of this kind, and how often.
CO_ISSUERS = {
    Structure.Kind.FIELD_OPERATION: (0.12, (
        "oceea", "transnational-threats-department", "office-of-the-special-representative-cthb",
        "conflict-prevention-centre", "odihr", "hcnm", "rfom", "secretariat")),
    Structure.Kind.SECRETARIAT_UNIT: (0.12, ("secretariat", "chairpersonship")),
    Structure.Kind.INSTITUTION: (0.08, ("chairpersonship", "odihr", "hcnm", "rfom")),
    Structure.Kind.CHAIRPERSONSHIP: (0.15, ("secretary-general", "secretariat")),
    Structure.Kind.SECRETARIAT: (0.08, ("chairpersonship", "secretary-general")),
}

# Item types per kind of body: (types, weights). The SMM published daily and spot reports.
TYPES_BY_KIND = {
    Structure.Kind.CHAIRPERSONSHIP: (("press_release", "press_statement", "news"), (55, 30, 15)),
    Structure.Kind.INSTITUTION: (("news", "press_release", "press_statement"), (45, 40, 15)),
    Structure.Kind.PARLIAMENTARY_ASSEMBLY: (("press_release", "news", "press_statement"),
                                            (60, 30, 10)),
    Structure.Kind.COURT: (("press_release", "news"), (60, 40)),
}
DEFAULT_TYPES = (("news", "press_release", "press_statement"), (58, 34, 8))
SMM_TYPES = (("daily_report", "spot_report", "press_release", "news"), (55, 12, 18, 15))

HEADS = {
    "chairpersonship": "OSCE Chairperson-in-Office", "secretariat": "OSCE Secretary General",
    "secretary-general": "OSCE Secretary General", "odihr": "ODIHR Director",
    "hcnm": "OSCE High Commissioner on National Minorities",
    "rfom": "OSCE Representative on Freedom of the Media",
    "parliamentary-assembly": "OSCE PA President",
    "office-of-the-special-representative-cthb":
        "OSCE Special Representative for Combating Trafficking in Human Beings",
}

# Cities to write about, by country code; the first is the capital or seat.
CITIES = {
    "AL": ("Tirana", "Shkodra", "Durrës", "Vlora"), "AM": ("Yerevan", "Gyumri"),
    "AT": ("Vienna", "Graz"), "AZ": ("Baku", "Ganja"), "BA": ("Sarajevo", "Banja Luka", "Mostar",
    "Tuzla", "Brčko"), "BE": ("Brussels",), "BG": ("Sofia",), "BY": ("Minsk", "Brest"),
    "CA": ("Ottawa",), "CH": ("Bern", "Geneva"), "CY": ("Nicosia",), "CZ": ("Prague",),
    "DE": ("Berlin", "Hamburg"), "DK": ("Copenhagen",), "EE": ("Tallinn", "Narva"),
    "ES": ("Madrid",), "FI": ("Helsinki",), "FR": ("Paris", "Strasbourg"), "GB": ("London",),
    "GE": ("Tbilisi", "Batumi"), "GR": ("Athens",), "HR": ("Zagreb", "Vukovar"),
    "HU": ("Budapest",), "IE": ("Dublin",), "IS": ("Reykjavik",), "IT": ("Rome",),
    "KG": ("Bishkek", "Osh", "Jalal-Abad", "Karakol"), "KZ": ("Astana", "Almaty", "Shymkent"),
    "LT": ("Vilnius",), "LV": ("Riga", "Daugavpils"), "MD": ("Chisinau", "Tiraspol", "Comrat",
    "Bălți"), "ME": ("Podgorica", "Nikšić", "Bar"), "MK": ("Skopje", "Tetovo", "Ohrid",
    "Kumanovo"), "MN": ("Ulaanbaatar",), "MT": ("Valletta",), "NL": ("The Hague", "Amsterdam"),
    "NO": ("Oslo",), "PL": ("Warsaw", "Kraków"), "PT": ("Lisbon",), "RO": ("Bucharest",),
    "RS": ("Belgrade", "Novi Sad", "Niš", "Bujanovac"), "RU": ("Moscow",), "SE": ("Stockholm",),
    "SI": ("Ljubljana",), "SK": ("Bratislava",), "TJ": ("Dushanbe", "Khujand", "Khorog", "Kulob"),
    "TM": ("Ashgabat", "Mary", "Turkmenbashi"), "TR": ("Ankara", "Istanbul"),
    "UA": ("Kyiv", "Kharkiv", "Odesa", "Lviv", "Dnipro", "Kramatorsk"), "US": ("Washington",),
    "UZ": ("Tashkent", "Samarkand", "Termez", "Nukus"),
    "XK": ("Prishtinë/Priština", "Mitrovicë/Mitrovica", "Prizren", "Pejë/Peć"),
}
SMM_PLACES = ("Donetsk", "Luhansk", "Mariupol", "Avdiivka", "Horlivka", "Shchastia", "Popasna",
              "Stanytsia Luhanska", "Zolote", "Shyrokyne", "Debaltseve", "Marinka", "Yasynuvata")
SMM_INCIDENTS = ("civilian casualties after shelling", "damage to a water pumping station",
                 "shelling damages residential houses", "SMM patrol restricted at a checkpoint",
                 "SMM unmanned aerial vehicle lost", "damage to a school")

EVENTS = (("training course", "training"), ("workshop", "workshop"), ("roundtable", "roundtable"),
          ("conference", "conference"), ("study visit", "study visit"), ("seminar", "seminar"),
          ("expert meeting", "expert meeting"), ("public discussion", "civil society"),
          ("summer school", "young people"), ("simulation exercise", "training"))
TAGS = ("capacity building", "civil society", "women", "young people", "legislation",
        "regional co-operation", "equipment", "anniversary", "field visit", "project", "handbook")
DURATIONS = ("one-day", "two-day", "three-day", "week-long", "five-day")
WITHDRAWN_REASONS = ("Published in error.", "Superseded by a corrected version.",
                     "Withdrawn at the request of the issuing body.", "Duplicate of another item.")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
HOURS = (8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18)
HOUR_WEIGHTS = (2, 5, 8, 9, 9, 6, 8, 8, 6, 4, 2)
# fmt: on


class CorpusError(Exception):
    """The corpus cannot be made; the message says why."""


def year_weight(year):
    """Later years are denser: about seven times as many items a day in 2026 as in 1997."""
    return year - 1992


def spoken_date(day):
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def capitalised(text):
    return text[:1].upper() + text[1:]


# --- the taxonomy, read once --------------------------------------------------------------------


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
    def __init__(self):
        structures = Structure.objects.select_related("country").prefetch_related("former_names")
        topical = list(FieldOfWork.objects.filter(is_topical=True).order_by("position", "slug"))
        self.fields = {f.slug: f for f in FieldOfWork.objects.order_by("position", "slug")}
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


# --- when, by whom, about what: the plan of each item ------------------------------------------


@dataclass(eq=False, slots=True)
class Plan:
    published_at: datetime.datetime
    bodies: list
    type: str
    status: str
    countries: list
    fields: list

    @property
    def day(self):
        return self.published_at.astimezone(VIENNA).date()


DRAFT_SHARE, WITHDRAWN_SHARE, SCHEDULED_SHARE = 0.01, 0.005, 0.0015
SCHEDULED = "scheduled"  # published, dated in SCHEDULED_YEAR


class Planner:
    """Decides each item's date, issuing bodies, type, status, countries and fields of work."""

    def __init__(self, taxonomy, rng, *, until):
        self.taxonomy, self.rng, self.until = taxonomy, rng, until
        self.years = list(range(CORPUS_START.year, until.year + 1))
        self.year_cum = []
        total = 0
        for year in self.years:
            first, last = self.year_span(year)
            total += year_weight(year) * ((last - first).days + 1)
            self.year_cum.append(total)
        self.candidates = {}
        for year in [*self.years, SCHEDULED_YEAR]:
            bodies = [b for b in taxonomy.bodies if b.active_in(min(year, until.year))]
            if year == SCHEDULED_YEAR:
                bodies = [b for b in bodies if b.last_year is None]
            self.candidates[year] = (bodies, list(accumulate(b.weight for b in bodies)))
        self.all_topical = tuple(s for s in taxonomy.fields if s in FIELD_VOCABULARY)

    def year_span(self, year):
        return max(datetime.date(year, 1, 1), CORPUS_START), min(
            datetime.date(year, 12, 31), self.until
        )

    def plans(self, count):
        """`count` plans, oldest first (drafts by their planned date). Dates are drawn and sorted
        first and the rest is decided item by item, so that memory holds small tuples only."""
        slots = self.former_name_slots(count) if count >= 10 else []
        for status in self.statuses(count - len(slots)):
            day = self.scheduled_day() if status == SCHEDULED else self.day()
            slots.append((self.moment(day), status, None))
        ordered = sorted(
            (moment, order, status, body) for order, (moment, status, body) in enumerate(slots)
        )
        del slots
        for moment, _order, status, body in ordered:
            yield self.finish(moment, body or self.body(moment.year), status)

    def statuses(self, count):
        """Fixed shares rather than a roll per item, so that a corpus of a few hundred items
        surely has its drafts, withdrawn and scheduled items."""
        special = {
            SCHEDULED: round(count * SCHEDULED_SHARE),
            NewsItem.Status.DRAFT: round(count * DRAFT_SHARE),
            NewsItem.Status.WITHDRAWN: round(count * WITHDRAWN_SHARE),
        }
        statuses = [status for status, n in special.items() for _ in range(n)]
        statuses += [NewsItem.Status.PUBLISHED] * (count - len(statuses))
        self.rng.shuffle(statuses)
        return statuses

    def former_name_slots(self, count):
        """Items under each former name, dated where `name_on` gives that name: a few for every
        name in use after CORPUS_START (names that ended before it, such as ODIHR's "Office for
        Free Elections" of 1991-1992, cannot appear)."""
        per_name = max(1, count // 5000)
        slots = []
        for body in self.taxonomy.bodies:
            for former in body.former_names:
                first = max(former.valid_from or CORPUS_START, CORPUS_START)
                last = min(former.valid_until or self.until, self.until)
                if first > last or len(slots) + per_name > count // 2:
                    continue
                for _ in range(per_name):
                    day = self.day_named(body, former.name, first, last)
                    if day is not None:
                        slots.append((self.moment(day), NewsItem.Status.PUBLISHED, body))
        return slots

    def day_named(self, body, name, first, last):
        for _ in range(200):
            day = first + datetime.timedelta(self.rng.randrange((last - first).days + 1))
            if body.structure.name_on(day) == name and body.active_in(day.year):
                return day
        return None

    def scheduled_day(self):
        return datetime.date(SCHEDULED_YEAR, 1, 1) + datetime.timedelta(self.rng.randrange(365))

    def moment(self, day):
        """A time in Vienna working hours on `day`."""
        hour = self.rng.choices(HOURS, weights=HOUR_WEIGHTS)[0]
        return datetime.datetime(
            day.year, day.month, day.day, hour, self.rng.randrange(60), tzinfo=VIENNA
        )

    def day(self):
        """A day: later years weigh more; weekends are rare."""
        year = self.rng.choices(self.years, cum_weights=self.year_cum)[0]
        first, last = self.year_span(year)
        for _ in range(5):
            day = first + datetime.timedelta(self.rng.randrange((last - first).days + 1))
            if day.weekday() < 5 or self.rng.random() < 0.15:
                break
        return day

    def body(self, year):
        bodies, cum_weights = self.candidates[year]
        return self.rng.choices(bodies, cum_weights=cum_weights)[0]

    def finish(self, moment, body, status):
        year = moment.year
        types, weights = (
            SMM_TYPES if body.slug == SMM else TYPES_BY_KIND.get(body.structure.kind, DEFAULT_TYPES)
        )
        item_type = self.rng.choices(types, weights=weights)[0]
        bodies = [body]
        share, partners = CO_ISSUERS.get(body.structure.kind, (0, ()))
        if item_type not in ("daily_report", "spot_report") and self.rng.random() < share:
            partner = self.taxonomy.by_slug.get(self.rng.choice(partners))
            if partner and partner is not body and partner.active_in(min(year, self.until.year)):
                bodies.append(partner)
        return Plan(
            published_at=moment,
            bodies=bodies,
            type=item_type,
            status=NewsItem.Status.PUBLISHED if status == SCHEDULED else status,
            countries=self.countries(body, year),
            fields=[self.taxonomy.fields[slug] for slug in self.field_slugs(body, item_type)],
        )

    def countries(self, body, year):
        """A field operation's own country (now and then one more); 0-3 for other bodies."""
        pool = self.taxonomy.countries_in(year)
        if body.is_field_operation:
            own = body.structure.country
            chosen = [own] if own else []
            if own and self.rng.random() < 0.1:
                chosen.append(self.rng.choice(pool))
            return list(dict.fromkeys(chosen))
        chosen = []
        chair = self.taxonomy.chairs.get(year)
        if body.slug == "chairpersonship" and chair and self.rng.random() < 0.6:
            chosen.append(chair)
        wanted = self.rng.choices((0, 1, 2, 3), weights=(35, 40, 15, 10))[0]
        while len(chosen) < wanted:
            country = self.rng.choice(pool)
            if country not in chosen:
                chosen.append(country)
        return chosen

    def field_slugs(self, body, item_type):
        """1-3 fields: the body's own first, now and then one beyond them or "Projects" (never
        for the SMM's reports, whose words are all about the conflict)."""
        slugs = [self.rng.choice(body.field_slugs)]
        wide = item_type not in ("daily_report", "spot_report")
        for _ in range(self.rng.choices((0, 1, 2), weights=(55, 33, 12))[0]):
            pool = self.all_topical if wide and self.rng.random() < 0.3 else body.field_slugs
            slug = self.rng.choice(pool)
            if slug not in slugs:
                slugs.append(slug)
        if (
            wide
            and len(slugs) < 3
            and self.rng.random() < 0.05
            and "projects" in self.taxonomy.fields
        ):
            slugs.append("projects")
        return slugs


# --- the words ----------------------------------------------------------------------------------

# fmt: off
TITLES = {
    "news": (
        "{Actors} from {place} trained on {topic}", "{label} supports work on {topic} in {place}",
        "{Event} in {city} looks at {topic}", "OSCE-supported {event} on {topic} held in {city}",
        "{Actors} discuss {topic} at OSCE {event} in {city}",
        "{label} brings together {actors} to discuss {topic}",
    ),
    "press_release": (
        "{label} launches project on {topic} in {place}",
        "{label} hands over equipment to {actors} in {place}",
        "{label} and authorities in {place} agree to step up co-operation on {topic}",
        "{label} opens regional {event} on {topic} in {city}",
        "{label} publishes report on {topic}",
    ),
    "press_statement": (
        "{head} welcomes progress on {topic} in {place}",
        "{head} concerned about {topic} in {place}", "{head} visits {city}, discusses {topic}",
        "{head} calls for further work on {topic} in {place}",
    ),
}
LEADS = (
    "{The_label} {verb} a {duration} {event} on {topic} for {n} {actors} from {place}, which ended "
    "in {city} on {date}.",
    "Some {n} {actors} from {place} took part in a {duration} {event} on {topic}, organized by "
    "{the_label} in {city} on {date}.",
    "{Actors} from {place} discussed {topic} and {topic2} at a {duration} {event} held by "
    "{the_label} in {city} on {date}.",
)
STATEMENT_LEADS = (
    "{The_head} today called for continued attention to {topic} in {place} and underlined the "
    "importance of {topic2}.",
    "Speaking in {city} on {date}, {the_head} welcomed the steps taken on {topic} and offered the "
    "support of {the_label}.",
)
INTROS = (
    "The {event} brought together {actors} and {actors2} from {place}. It was organized by "
    "{the_label}{partner} and focused on {topic} and {topic2}.",
    "Participants of the {event} in {city} worked on {topic}, with a particular focus on {topic2}. "
    "The {event} was organized by {the_label}{partner}.",
)
DISCUSSIONS = (
    "Participants discussed {topic3}, exchanged experience of {topic4} and looked at practical "
    "ways of addressing {topic5}. Experts from {country2} presented examples of good practice.",
    "Sessions covered {topic3} and {topic4}. {Actors2} shared their experience, and the "
    "participants agreed on recommendations for the authorities on {topic5}.",
)
QUOTES = (
    "“Progress on {topic} depends on the {actors} who deal with it every day, and this {event} "
    "was about them,” said the {head}.",
    "“{Topic} is a shared responsibility across the OSCE area,” said the {head}. “We will "
    "continue to support {place} in this work.”",
)
CLOSINGS = (
    "The {event} is part of {the_label}’s long-term support to {place} in its work on {topic5}.",
    "The {event} was organized within a project on {topic4}, funded by extra-budgetary "
    "contributions.",
)
HEADINGS = ("Background", "Next steps", "About the project", "The programme")
PARTNERS = ("Ministry of Internal Affairs", "Ministry of Justice", "Ministry of Foreign Affairs",
            "Ombudsperson’s Office", "national parliament", "Central Election Commission")
VERBS = ("organized", "held", "supported", "co-organized")
PEER_COUNTRIES = ("Finland", "Germany", "Austria", "Norway", "Sweden", "Switzerland", "Lithuania",
                  "Estonia", "Slovenia", "Italy", "France", "Poland", "The Netherlands")
# fmt: on


class Writer:
    """Titles, leads and bodies from the plan: words of the item's fields of work, places of its
    countries, the issuing body under the name it had on the day."""

    def __init__(self, rng, seed):
        self.rng, self.seed = rng, seed

    def line(self, plan, number):
        if plan.type == "daily_report":
            title, lead, body, tags = self.daily_report(plan)
        elif plan.type == "spot_report":
            title, lead, body, tags = self.spot_report(plan)
        else:
            title, lead, body, tags = self.story(plan, number)
        head = slugify(" ".join(title.split()[:7]))[:60].strip("-")
        draft = plan.status == NewsItem.Status.DRAFT
        withdrawn = plan.status == NewsItem.Status.WITHDRAWN
        values = {
            "title": title,
            "lead": lead,
            "body": clean_body(body),
            "type": plan.type,
            "status": plan.status,
            "withdrawn_reason": self.rng.choice(WITHDRAWN_REASONS) if withdrawn else "",
            "published_at": None if draft else plan.published_at,
            **dict.fromkeys(("image", "image_alt", "image_caption", "image_credit"), ""),
        }
        return ParsedLine(
            slug=f"{SLUG_PREFIX}{self.seed}-{number:07d}-{head}",
            values=values,
            structures=[body.structure for body in plan.bodies],
            fields=plan.fields,
            countries=plan.countries,
            tags=list(dict.fromkeys([GENERATED_TAG, *tags])),
        )

    def context(self, plan):
        """The words one story is made of."""
        rng, primary, day = self.rng, plan.bodies[0], plan.day
        topical = [f.slug for f in plan.fields if f.slug in FIELD_VOCABULARY]
        topics = [t for slug in topical for t in FIELD_VOCABULARY[slug][0]]
        actors = list(dict.fromkeys(a for slug in topical for a in FIELD_VOCABULARY[slug][1]))
        first_topics, first_actors = FIELD_VOCABULARY[topical[0]]
        topic, actor = rng.choice(first_topics), rng.choice(first_actors)
        # One topic of each further field first, so that every field of work has words in the body.
        others = [rng.choice(FIELD_VOCABULARY[slug][0]) for slug in topical[1:]]
        others = list(dict.fromkeys(t for t in others if t != topic))
        others += rng.sample([t for t in topics if t != topic and t not in others], 4 - len(others))
        country = plan.countries[0] if plan.countries else None
        place = country.name if country else "the OSCE area"
        cities = CITIES.get(country.code, (country.name,)) if country else ()
        city = rng.choice(cities) if cities else (primary.structure.city or "Vienna")
        label = primary.structure.name_on(day)
        partner = ""
        if len(plan.bodies) > 1:
            partner = f" together with the {plan.bodies[1].structure.name_on(day)}"
        elif country and rng.random() < 0.3:
            partner = f" in co-operation with the {rng.choice(PARTNERS)} of {country.name}"
        event, event_tag = rng.choice(EVENTS)
        words = {
            "label": label, "the_label": f"the {label}", "The_label": f"The {label}",
            "head": HEADS.get(primary.slug, f"Head of the {label}"), "place": place, "city": city,
            "topic": topic, "Topic": capitalised(topic), "topic2": others[0],
            "topic3": others[1], "topic4": others[2], "topic5": others[3],
            "actors": actor, "Actors": capitalised(actor),
            "actors2": rng.choice([a for a in actors if a != actor] or [actor]),
            "event": event, "Event": capitalised(event), "partner": partner,
            "duration": rng.choice(DURATIONS), "verb": rng.choice(VERBS),
            "n": rng.randrange(12, 61), "date": spoken_date(day),
            "country2": rng.choice(PEER_COUNTRIES),
        }  # fmt: skip
        words["Actors2"] = capitalised(words["actors2"])
        words["the_head"] = f"the {words['head']}"
        words["The_head"] = f"The {words['head']}"
        return words, event_tag

    def story(self, plan, number):
        rng = self.rng
        words, event_tag = self.context(plan)
        titles = TITLES[plan.type]
        if not plan.countries:  # "…in the OSCE area" is a poor headline
            titles = [t for t in titles if "{place}" not in t]
        title = capitalised(rng.choice(titles).format(**words))
        leads = STATEMENT_LEADS if plan.type == "press_statement" else LEADS
        lead = rng.choice(leads).format(**words)
        html = {key: escape(str(value), quote=False) for key, value in words.items()}
        paragraphs = [rng.choice(INTROS), rng.choice(DISCUSSIONS)]
        if rng.random() < 0.35:
            paragraphs.append(f"<h2>{rng.choice(HEADINGS)}</h2>")
        if rng.random() < 0.35:
            paragraphs.append("The programme covered:")
            paragraphs.append("<ul><li>{topic2};</li><li>{topic3};</li><li>{topic4}.</li></ul>")
        paragraphs += [rng.choice(QUOTES), rng.choice(CLOSINGS)]
        if rng.random() < 0.3:
            url = f"https://example.org/{plan.fields[0].slug}/{self.seed}/{number}"
            paragraphs.append(f'More information is on <a href="{url}">the project page</a>.')
        body = "".join(
            p.format(**html) if p.startswith("<") else f"<p>{p.format(**html)}</p>"
            for p in paragraphs
        )
        tags = [event_tag] if rng.random() < 0.5 else []
        tags += rng.sample(TAGS, rng.choices((0, 1, 2), weights=(40, 45, 15))[0])
        return title, lead, body, tags

    def daily_report(self, plan):
        rng, day = self.rng, plan.day
        label = plan.bodies[0].structure.name_on(day)
        before = spoken_date(day - datetime.timedelta(days=1))
        title = (
            f"Latest from the {label} (SMM), based on information received as of 19:30, {before}"
        )
        donetsk, luhansk = rng.randrange(0, 1500), rng.randrange(0, 600)
        weapons, places = rng.randrange(0, 40), rng.sample(SMM_PLACES, 4)
        cities = rng.sample(CITIES["UA"], 3)
        lead = (
            f"The SMM recorded {donetsk} ceasefire violations in Donetsk region and {luhansk} in "
            f"Luhansk region. It saw {weapons} weapons in violation of withdrawal lines near "
            f"{places[0]}."
        )
        restrictions = "".join(
            f"<li>At a checkpoint near {place}, armed members of the armed formations denied the "
            "SMM passage.</li>"
            for place in places[: rng.randrange(0, 3)]
        )
        body = (
            f"<p>In Donetsk region, the SMM recorded {donetsk} ceasefire violations, including "
            f"{donetsk // rng.randrange(2, 9)} explosions. In the previous reporting period, it "
            f"recorded {rng.randrange(0, 1500)} ceasefire violations in the region.</p>"
            f"<p>In Luhansk region, the Mission recorded {luhansk} ceasefire violations, including "
            f"{luhansk // rng.randrange(2, 9)} explosions.</p>"
            f"<h2>Disengagement areas near {places[1]}, {places[2]} and {places[3]}</h2>"
            "<p>The SMM continued to monitor the disengagement process and to pursue full access "
            "to the disengagement areas.</p>"
            f"<p>The Mission saw {weapons} weapons in violation of withdrawal lines near "
            f"{places[0]} and recorded damage to civilian infrastructure and houses.</p>"
            + (f"<p>Restrictions of the SMM’s freedom of movement:</p><ul>{restrictions}</ul>"
               if restrictions else "")
            + f"<p>The SMM continued monitoring in {cities[0]}, {cities[1]} and {cities[2]}.</p>"
        )  # fmt: skip
        return title, lead, body, rng.sample(("ceasefire", "freedom of movement"), rng.randrange(2))

    def spot_report(self, plan):
        rng, day = self.rng, plan.day
        label = plan.bodies[0].structure.name_on(day)
        incident, place = rng.choice(SMM_INCIDENTS), rng.choice(SMM_PLACES)
        title = f"Spot report by the {label} (SMM): {capitalised(incident)} near {place}"
        lead = f"On {spoken_date(day)}, the SMM followed up on reports of {incident} near {place}."
        body = (
            f"<p>On {spoken_date(day)}, the SMM followed up on reports of {incident} near {place}. "
            f"At the site, the SMM spoke to {rng.randrange(2, 12)} residents and saw fresh damage "
            "consistent with shelling.</p>"
            "<p>The SMM continued to follow up on the incident with the Joint Centre for Control "
            "and Co-ordination and the local authorities.</p>"
        )
        return title, lead, body, ["ceasefire"]


def generate(count, seed, *, until=CORPUS_END):
    """`count` parsed lines of a synthetic corpus, oldest first, made one at a time: hand them to
    `news.jsonl.create_all` in batches."""
    taxonomy = Taxonomy()
    rng = random.Random(seed)
    writer = Writer(rng, seed)
    for number, plan in enumerate(Planner(taxonomy, rng, until=until).plans(count), start=1):
        yield writer.line(plan, number)

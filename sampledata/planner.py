"""When, by whom, about what: the plan of each item (its date, issuing bodies, type, status,
countries and fields of work), decided before a word of it is written."""

import datetime
from dataclasses import dataclass
from itertools import accumulate

from news.models import NewsItem
from structures.models import Structure

from .corpus import CORPUS_START, SCHEDULED_YEAR, VIENNA
from .taxonomy import SMM
from .vocabulary import FIELD_VOCABULARY

# fmt: off
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

# Items are issued in Vienna working hours, fewest at either end of the day.
HOURS = (8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18)
HOUR_WEIGHTS = (2, 5, 8, 9, 9, 6, 8, 8, 6, 4, 2)
# How often an item on a field with sub-topics carries one of them too.
SUBTOPIC_SHARE = 0.4
# fmt: on


def year_weight(year):
    """Later years are denser: about seven times as many items a day in 2026 as in 1997."""
    return year - 1992


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
        subtopics = self.taxonomy.subtopics.get(slugs[0])
        if subtopics and self.rng.random() < SUBTOPIC_SHARE:
            slugs.append(self.rng.choice(subtopics))
        return slugs

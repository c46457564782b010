"""The words of each item: its title, lead, body and tags written from its plan, as a line
ready for `news.jsonl_store.create_all`."""

import datetime
from html import escape

from django.utils.text import slugify

from news.jsonl import ParsedLine
from news.models import NewsItem

from .corpus import GENERATED_TAG, SLUG_PREFIX
from .vocabulary import (
    CITIES,
    CLOSINGS,
    DISCUSSIONS,
    DURATIONS,
    EVENTS,
    FIELD_VOCABULARY,
    HEADINGS,
    HEADS,
    INTROS,
    LEADS,
    MONTHS,
    PARTNERS,
    PEER_COUNTRIES,
    QUOTES,
    SMM_INCIDENTS,
    SMM_PLACES,
    STATEMENT_LEADS,
    TAGS,
    TITLES,
    VERBS,
    WITHDRAWN_REASONS,
)


def spoken_date(day):
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def capitalised(text):
    return text[:1].upper() + text[1:]


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
            "body": body,  # cleaned once, as it is stored (news.jsonl_store.new_item)
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

"""Russian versions of some generated items: the field operations of Central Asia and the
Secretariat publish in Russian too, so a share of their stories gets a Russian sibling, written
from the same plan with the Russian names of the taxonomy (the reference data file's)."""

import dataclasses
from html import escape

from news.models import NewsItem
from structures.models import Structure

# Russian versions are written for stories of bodies that work in Russian as well as English.
RUSSIAN_SPEAKING_COUNTRIES = {"TJ", "KG", "KZ", "UZ", "TM", "AZ", "AM", "GE", "MD"}
RUSSIAN_SHARE = 0.6  # of the stories of those bodies
STORY_TYPES = {"news", "press_release", "press_statement"}

MONTHS = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
TITLES = (
    "{body} провел семинар по теме «{field}» для специалистов из страны: {country}",
    "Специалисты изучили опыт стран ОБСЕ в области «{field}»",
    "{body} поддержал обучение по теме «{field}»",
    "Эксперты обсудили вопросы направления «{field}» на встрече в Вене",
    "Новый учебный курс по теме «{field}» завершился при поддержке ОБСЕ",
)
LEADS = (
    "{date} {body} провел мероприятие для {n} участников, посвященное направлению «{field}».",
    "В мероприятии, организованном {date}, приняли участие {n} представителей государственных "
    "органов и гражданского общества.",
    "Участники обсудили передовой опыт государств-участников ОБСЕ и дальнейшие шаги.",
)
PARAGRAPHS = (
    "Мероприятие было организовано в рамках проекта, направленного на укрепление потенциала "
    "национальных учреждений.",
    "Участники рассмотрели практические примеры и обменялись опытом с коллегами из соседних стран.",
    "Особое внимание было уделено сотрудничеству между ведомствами, управлению границами и "
    "защите прав человека.",
    "По словам организаторов, полученные знания помогут участникам в их повседневной работе.",
    "ОБСЕ продолжит оказывать содействие в этой области в соответствии со своим мандатом.",
)


def wants_russian(plan, rng):
    primary = plan.bodies[0].structure
    return (
        plan.type in STORY_TYPES
        and plan.status == NewsItem.Status.PUBLISHED
        and (
            primary.kind == Structure.Kind.SECRETARIAT
            or (primary.country_id and primary.country.code in RUSSIAN_SPEAKING_COUNTRIES)
        )
        and rng.random() < RUSSIAN_SHARE
    )


def russian_text(plan, rng):
    """(title, lead, body HTML) of the plan in Russian."""
    day = plan.day
    primary = plan.bodies[0].structure
    words = {
        "body": primary.translated("issuing_label", "ru"),
        "field": plan.fields[0].translated("name", "ru"),
        "country": plan.countries[0].translated("name", "ru") if plan.countries else "ОБСЕ",
        "date": f"{day.day} {MONTHS[day.month - 1]} {day.year} года",
        "n": rng.randrange(12, 61),
    }
    title = rng.choice(TITLES).format(**words)
    lead = rng.choice(LEADS).format(**words)
    paragraphs = rng.sample(PARAGRAPHS, 3)
    body = "".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs)
    return title, lead, body


def russian_line(line, plan, rng):
    """The Russian version of an English line: the same plan, slug + "-ru", its own words."""
    title, lead, body = russian_text(plan, rng)
    values = {**line.values, "title": title, "lead": lead, "body": body}
    return dataclasses.replace(
        line,
        slug=f"{line.slug[:250]}-ru",
        values=values,
        language="ru",
        translation_of=line.slug,
        tags=list(line.tags),
        warnings=[],
    )

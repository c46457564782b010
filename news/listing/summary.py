"""Active filters in plain words: "12 news items about Border management in Tajikistan, issued
by the OSCE Programme Office in Dushanbe, 2013", and the links that remove one filter each.

The sentence is made of whole translatable phrases, never of English words glued together. Eight
filters combine freely, so one pattern per combination (2⁸ of them, each with its plural forms
for each item type) would bury translators; instead there are three layers of small patterns,
each a whole phrase with named placeholders, so that a language may reorder every part of it:

1. the subject: the count and the noun of the item type in the plural form the count asks for,
   "%(count)s press releases" (npgettext); a feed's title takes the same noun without a count,
   "press releases", because a language may inflect a noun otherwise after a number;
2. what and where: one pattern for each way of combining them around the subject,
   "%(items)s about %(fields)s in %(countries)s", "%(items)s about %(fields)s",
   "%(items)s in %(countries)s";
3. each further filter, a clause of its own ("written in %(languages)s", "issued by %(bodies)s",
   "tagged %(tags)s", "matching %(words)s", "since %(start)s", …), added by one pattern,
   "%(sentence)s, %(clause)s", so that a language may join clauses in its own way.

Lists of values are "%(list)s or %(last)s" with a translatable separator; a body, a tag and the
search words each have their own pattern ("the %(body)s", "“%(tag)s”"), so that articles and
quotation marks follow the language. Counts and dates are written in the locale's formats.
Names are those of the page's language: fields of work, countries and bodies from the reference
data (`local_name`, `local_label`), the languages of the news from CLDR (Babel)."""

import datetime
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from django.utils.formats import date_format, number_format
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext, npgettext, pgettext, pgettext_lazy

from languages import registry as languages

from ..models import NewsItem
from .filters import canonical_params

# For each item type (None: several types, or none chosen), the noun with a count, in the plural
# form the count asks for, and without one (a feed's title).
NOUNS = {
    None: (
        lambda n: npgettext(
            "summary: items of any type", "%(count)s news item", "%(count)s news items", n
        ),
        pgettext_lazy("summary without a count: items of any type", "news items"),
    ),
    NewsItem.Type.NEWS: (
        lambda n: npgettext(
            "summary: items of the type News item", "%(count)s news item", "%(count)s news items", n
        ),
        pgettext_lazy("summary without a count: items of the type News item", "news items"),
    ),
    NewsItem.Type.PRESS_RELEASE: (
        lambda n: npgettext("summary", "%(count)s press release", "%(count)s press releases", n),
        pgettext_lazy("summary without a count", "press releases"),
    ),
    NewsItem.Type.PRESS_STATEMENT: (
        lambda n: npgettext(
            "summary", "%(count)s press statement", "%(count)s press statements", n
        ),
        pgettext_lazy("summary without a count", "press statements"),
    ),
    NewsItem.Type.DAILY_REPORT: (
        lambda n: npgettext("summary", "%(count)s daily report", "%(count)s daily reports", n),
        pgettext_lazy("summary without a count", "daily reports"),
    ),
    NewsItem.Type.SPOT_REPORT: (
        lambda n: npgettext("summary", "%(count)s spot report", "%(count)s spot reports", n),
        pgettext_lazy("summary without a count", "spot reports"),
    ),
}


@dataclass
class ActiveFilter:
    name: str  # the GET parameter
    value: str  # its canonical value
    label: str  # what a visitor reads
    remove_query: str  # the canonical query without this one value


def or_join(words):
    """Alternatives as the language lists them: "A, B or C"."""
    words = [str(word) for word in words]
    if len(words) <= 1:
        return "".join(words)
    separator = pgettext("between the values of a list, “A, B or C”", ", ")
    return pgettext("the end of a list of alternatives, “A, B or C”", "%(list)s or %(last)s") % {
        "list": separator.join(words[:-1]),
        "last": words[-1],
    }


def issuer_name(structure):
    """An issuing body as the page's language writes it; a closed one says so, as its str()."""
    if structure.is_open:
        return structure.local_label
    return gettext("%(name)s (closed)") % {"name": structure.local_label}


def language_name(code):
    """A content language as the page's language names it in a sentence: "Russian", "русский"
    (CLDR), else its English name on English pages and its own name elsewhere."""
    chrome = (get_language() or languages.DEFAULT).split("-")[0]
    try:
        name = Locale.parse(chrome).languages.get(code)
    except (UnknownLocaleError, ValueError):
        name = None
    language = languages.get(code)
    if name or language is None:
        return name or code
    return language.english_name if chrome == languages.DEFAULT else language.name


def quoted(text):
    return pgettext("a tag or search words, quoted", "“%(text)s”") % {"text": text}


def day(value):
    return date_format(value)


def date_phrase(start, end):
    """The dates a listing covers: a year ("2013") or a span of whole years, "from 4 March 2010
    to 6 May 2014", "since …", "until …", or "" without dates."""
    if start and end:
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
            if start.year == end.year:
                return pgettext("summary: the items of one whole year", "%(year)s") % {
                    "year": start.year
                }
            return pgettext("summary: the items of whole years", "%(start)s–%(end)s") % {
                "start": start.year,
                "end": end.year,
            }
        return pgettext("summary: between two days", "from %(start)s to %(end)s") % {
            "start": day(start),
            "end": day(end),
        }
    if start:
        return pgettext("summary: from a day on", "since %(start)s") % {"start": day(start)}
    if end:
        return pgettext("summary: up to a day", "until %(end)s") % {"end": day(end)}
    return ""


def subject(data, count):
    """The count and noun with what the items are about and where: "12 news items about Border
    management in Tajikistan"; without a count, "news items about …"."""
    types = data.get("type") or []
    counted, countless = NOUNS[types[0] if len(types) == 1 else None]
    items = str(countless) if count is None else counted(count) % {"count": number_format(count)}
    parts = {"items": items}
    if data.get("field"):
        parts["fields"] = or_join(field.local_name for field in data["field"])
    if data.get("country"):
        parts["countries"] = or_join(country.local_name for country in data["country"])
    if "fields" in parts and "countries" in parts:
        return pgettext("summary", "%(items)s about %(fields)s in %(countries)s") % parts
    if "fields" in parts:
        return pgettext("summary", "%(items)s about %(fields)s") % parts
    if "countries" in parts:
        return pgettext("summary", "%(items)s in %(countries)s") % parts
    return items


def clauses(data):
    """The clause of each further filter: "issued by the OSCE Secretariat", "2013"…"""
    if data.get("language"):
        chosen = set(data["language"])  # in the configured order, as the facet lists them
        names = or_join(
            language_name(language.code)
            for language in languages.all_languages()
            if language.code in chosen
        )
        yield pgettext(
            "summary: the languages chosen, “written in Russian”", "written in %(languages)s"
        ) % {"languages": names}
    if data.get("issued_by"):
        bodies = or_join(
            pgettext("summary: an issuing body, “the OSCE Secretariat”", "the %(body)s")
            % {"body": issuer_name(body)}
            for body in data["issued_by"]
        )
        yield pgettext("summary", "issued by %(bodies)s") % {"bodies": bodies}
    if data.get("tag"):
        tags = or_join(quoted(tag.name) for tag in data["tag"])
        yield pgettext("summary", "tagged %(tags)s") % {"tags": tags}
    if data.get("q"):
        yield pgettext("summary", "matching %(words)s") % {"words": quoted(data["q"])}
    when = date_phrase(data.get("from"), data.get("to"))
    if when:
        yield when


def describe(filterset, count=None):
    """The sentence for a valid filterset and its result count. Without a count, the phrase a
    feed's title uses: "news items about Border management in Tajikistan"."""
    data = filterset.form.cleaned_data
    sentence = subject(data, count)
    for clause in clauses(data):
        sentence = pgettext(
            "summary: one more filter, “…, issued by the OSCE Secretariat”",
            "%(sentence)s, %(clause)s",
        ) % {"sentence": sentence, "clause": clause}
    return sentence


def active_filters(filterset):
    """Each active filter value with the query that drops it (sort is not a filter)."""
    data = filterset.form.cleaned_data
    pairs = canonical_params(filterset)
    labels = {}
    names = {
        "field": lambda field: field.local_name,
        "country": lambda country: country.local_name,
        "issued_by": issuer_name,
        "tag": lambda tag: tag.name,
    }
    for name, label in names.items():
        for obj in data.get(name) or []:
            labels[(name, obj.slug)] = str(label(obj))
    for value in data.get("type") or []:
        labels[("type", value)] = str(NewsItem.Type(value).label)
    for code in data.get("language") or []:
        labels[("language", code)] = language_name(code)
    if data.get("q"):
        labels[("q", data["q"])] = quoted(data["q"])
    for name, label in (
        ("from", pgettext("active filter: the first day", "from %(date)s")),
        ("to", pgettext("active filter: the last day", "to %(date)s")),
    ):
        if isinstance(data.get(name), datetime.date):
            labels[(name, data[name].isoformat())] = label % {"date": day(data[name])}
    active = []
    for pair in pairs:
        if pair in labels:
            rest = [p for p in pairs if p != pair]
            active.append(ActiveFilter(pair[0], pair[1], labels[pair], urlencode(rest)))
    return active

"""Active filters in plain words: "12 news items about Border management in Tajikistan, issued
by the OSCE Programme Office in Dushanbe, 2013", and the links that remove one filter each."""

import datetime
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import NewsItem
from .filters import canonical_params

TYPE_PLURALS = {
    NewsItem.Type.NEWS: ("news item", "news items"),
    NewsItem.Type.PRESS_RELEASE: ("press release", "press releases"),
    NewsItem.Type.PRESS_STATEMENT: ("press statement", "press statements"),
    NewsItem.Type.DAILY_REPORT: ("daily report", "daily reports"),
    NewsItem.Type.SPOT_REPORT: ("spot report", "spot reports"),
}


@dataclass
class ActiveFilter:
    name: str  # the GET parameter
    value: str  # its canonical value
    label: str  # what a visitor reads
    remove_query: str  # the canonical query without this one value


def or_join(words):
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " " + _("or") + " " + words[-1]


def day(value):
    return date_format(value, "j F Y")


def date_phrase(start, end):
    if start and end:
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
            if start.year == end.year:
                return str(start.year)
            return f"{start.year}–{end.year}"
        return _("from %(start)s to %(end)s") % {"start": day(start), "end": day(end)}
    if start:
        return _("since %s") % day(start)
    if end:
        return _("until %s") % day(end)
    return ""


def noun(types, count):
    if len(types) == 1:
        singular, plural = TYPE_PLURALS[types[0]]
        return singular if count == 1 else plural
    return ngettext("news item", "news items", count)


def describe(filterset, count):
    """The sentence for a valid filterset and its result count."""
    data = filterset.form.cleaned_data
    parts = [f"{count} {noun(data.get('type') or [], count)}"]
    head = parts[0]
    if data.get("field"):
        head += " " + _("about") + " " + or_join(f.name for f in data["field"])
    if data.get("country"):
        head += " " + _("in") + " " + or_join(c.name for c in data["country"])
    parts = [head]
    if data.get("issued_by"):
        parts.append(_("issued by") + " " + or_join(f"the {s}" for s in data["issued_by"]))
    if data.get("tag"):
        parts.append(_("tagged") + " " + or_join(f"“{t.name}”" for t in data["tag"]))
    if data.get("q"):
        parts.append(_("matching") + f" “{data['q']}”")
    when = date_phrase(data.get("from"), data.get("to"))
    if when:
        parts.append(when)
    return ", ".join(str(p) for p in parts)


def active_filters(filterset):
    """Each active filter value with the query that drops it (sort is not a filter)."""
    data = filterset.form.cleaned_data
    pairs = canonical_params(filterset)
    labels = {}
    for name in ("field", "country", "issued_by", "tag"):
        for obj in data.get(name) or []:
            labels[(name, obj.slug)] = str(obj.name if name != "issued_by" else obj)
    for value in data.get("type") or []:
        labels[("type", value)] = str(NewsItem.Type(value).label)
    if data.get("q"):
        labels[("q", data["q"])] = f"“{data['q']}”"
    for name in ("from", "to"):
        if isinstance(data.get(name), datetime.date):
            prefix = _("from") if name == "from" else _("to")
            labels[(name, data[name].isoformat())] = f"{prefix} {day(data[name])}"
    active = []
    for pair in pairs:
        if pair in labels:
            rest = [p for p in pairs if p != pair]
            active.append(ActiveFilter(pair[0], pair[1], labels[pair], urlencode(rest)))
    return active

"""The meetings listing's active filters in plain words: "3 events of the series Ministerial
Council meetings about Elections in Finland, organised by the OSCE Secretariat, in 2025", and the
links that remove one filter each.

Made as the news listing's sentence is (news/listing/summary.py): whole translatable phrases with
named placeholders, in layers, so that a language may reorder every part of it: the subject (the
count and the noun), what and where around it, then one clause per further filter joined by one
pattern. Lists of values use the news listing's "A, B or C"."""

from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import npgettext, pgettext

from ..listing.filters import canonical_params
from ..listing.summary import ActiveFilter, or_join
from ..listing.summary import issuer_name as body_name
from .filters import FACETS


def names(values):
    return or_join(value.local_name for value in values)


def subject(data, count):
    """ "12 events about Elections in Finland", each part only when filtered on; without a
    count, "events about Elections in Finland" (an email alert's list)."""
    if count is None:
        events = str(pgettext("events summary without a count", "events"))
    else:
        events = npgettext("events summary", "%(count)s event", "%(count)s events", count) % {
            "count": number_format(count)
        }
    parts = {"events": events}
    if data.get("series"):
        parts["events"] = pgettext(
            "events summary: the series chosen, “3 events of the series Summit meetings”",
            "%(events)s of the series %(series)s",
        ) % {"events": events, "series": names(data["series"])}
    if data.get("field"):
        parts["fields"] = names(data["field"])
    if data.get("country"):
        parts["countries"] = names(data["country"])
    if "fields" in parts and "countries" in parts:
        return pgettext("events summary", "%(events)s about %(fields)s in %(countries)s") % parts
    if "fields" in parts:
        return pgettext("events summary", "%(events)s about %(fields)s") % parts
    if "countries" in parts:
        return pgettext("events summary", "%(events)s in %(countries)s") % parts
    return parts["events"]


def clauses(data):
    if data.get("organised_by"):
        bodies = or_join(
            pgettext("events summary: an organising body, “the OSCE Secretariat”", "the %(body)s")
            % {"body": body_name(body)}
            for body in data["organised_by"]
        )
        yield pgettext("events summary", "organised by %(bodies)s") % {"bodies": bodies}
    if data.get("year"):
        years = or_join(str(year) for year in data["year"])
        yield pgettext("events summary: the years chosen, “in 2024 or 2025”", "in %(years)s") % {
            "years": years
        }


def describe(filterset, count=None):
    """The sentence for a valid EventFilter and its number of events (or none)."""
    data = filterset.form.cleaned_data
    sentence = subject(data, count)
    for clause in clauses(data):
        sentence = pgettext(
            "events summary: one more filter, “…, organised by the OSCE Secretariat”",
            "%(sentence)s, %(clause)s",
        ) % {"sentence": sentence, "clause": clause}
    return sentence


def active_filters(filterset):
    """Each active filter value with the query that drops it."""
    data = filterset.form.cleaned_data
    labels = {}
    for name in FACETS:
        for value in data.get(name) or []:
            if name == "year":
                labels[(name, value)] = str(value)
            elif name == "organised_by":
                labels[(name, value.slug)] = str(body_name(value))
            else:
                labels[(name, value.slug)] = str(value.local_name)
    pairs = canonical_params(filterset)
    active = []
    for pair in pairs:
        if pair in labels:
            rest = [p for p in pairs if p != pair]
            active.append(ActiveFilter(pair[0], str(pair[1]), labels[pair], urlencode(rest)))
    return active

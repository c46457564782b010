"""An alert list is a listing's filter: the one place where it is read back into that
listing's FilterSet (to match new items, to describe it) and made from one (to subscribe)."""

from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from languages.urls import override
from news.events.filters import EventFilter
from news.events.summary import describe as describe_events
from news.listing.filters import NewsFilter, canonical_params
from news.listing.summary import describe


def list_query(filterset):
    """The filters of a valid listing that make an alert list: the canonical query without the
    order (an alert sends what is new, whatever the listing's order) and without the page."""
    return urlencode(
        [(name, value) for name, value in canonical_params(filterset) if name != "sort"]
    )


def filterset_of(alert_list, queryset=None):
    """The list's listing's FilterSet, bound to its filter, over `queryset` (the FilterSet's
    default when None)."""
    if alert_list.is_meetings:
        return EventFilter(QueryDict(alert_list.query), queryset=queryset)
    return NewsFilter(
        QueryDict(alert_list.query),
        queryset=queryset,
        content_language=alert_list.content_language,
    )


def describe_list(alert_list):
    """The list's filter in its listing's own words, in the language in force: "News items
    about Border management in Tajikistan, issued by the OSCE Programme Office in Dushanbe",
    "Events in Finland, organised by the OSCE Secretariat"."""
    filterset = filterset_of(alert_list)
    if not filterset.is_valid():
        return _("A filter that no longer applies (%(query)s)") % {"query": alert_list.query}
    if not alert_list.query:
        return _("All meetings and conferences") if alert_list.is_meetings else _("All news")
    with override(alert_list.content_language):
        if alert_list.is_meetings:
            return capfirst(describe_events(filterset))
        return capfirst(describe(filterset))

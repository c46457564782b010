"""The calendars (iCalendar) and the Atom feed of the meetings, for any filter of the listing
(`/meetings/calendar.ics`, `/meetings/atom/`, the GET parameters of `/meetings/`) and for one
event (`/meetings/<slug>/calendar.ics`, "Add to calendar"). A draft is in none of them; an invalid
filter is a short plain-text 400, and a value that is no choice any more a 301 to the address
without it (so that a subscription keeps working), as for the news feeds.

The listing's calendar holds the CALENDAR_LENGTH events of the filter that start latest: every
upcoming event (short of that many) and the most recent past ones, which is what a subscriber's
calendar shows; the feed, FEED_LENGTH. Each answers in a bounded number of queries whatever the
number of events: one look-up per filter given, then one query for a calendar's events (with
their series and country), four for the feed's (with organisers, their structures and fields of
work); tests/test_events_calendars.py asserts it."""

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..exports import invalid_filter_response
from ..feeds import FilterMoved, InvalidFilter, with_query, xml_text
from ..listing.filters import canonical_params
from ..listing.notices import moved
from ..models import Event
from ..page_keys import NOTHING, Reads, reads_query
from . import ical
from .filters import EVENT_LISTING_READS, EventFilter

CALENDAR_LENGTH = 300
FEED_LENGTH = 50
CALENDAR_TYPE = "text/calendar; charset=utf-8"
EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def calendar_response(cal, filename):
    response = HttpResponse(cal.to_ical(), content_type=CALENDAR_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def filter_names(filterset):
    """The chosen values of each active filter, in words: "Ministerial Council meetings, 2025"."""
    names = []
    for name in sorted(filterset.form.cleaned_data):
        value = filterset.form.cleaned_data[name]
        for entry in value or ():
            names.append(str(getattr(entry, "local_name", entry)))
    return ", ".join(names)


def listing_title(filterset):
    title = _("%(site)s: meetings and conferences") % {"site": settings.SITE_NAME}
    chosen = filter_names(filterset)
    return f"{title} ({chosen})" if chosen else title


def listing_query(filterset):
    return urlencode(canonical_params(filterset))


@reads_query(EVENT_LISTING_READS)
def listing_ics(request):
    filterset = EventFilter.for_request(request, old_links=True)
    if not filterset.is_valid():
        return invalid_filter_response(filterset)
    response = moved(request, filterset, listing_query(filterset))
    if response is not None:
        return response
    events = (
        filterset.qs.select_related("series", "country")
        .order_by("-start", "-pk")[:CALENDAR_LENGTH]
    )  # fmt: skip
    cal = ical.calendar(
        sorted(events, key=lambda event: (event.start, event.pk)),
        name=listing_title(filterset),
        absolute_url=request.build_absolute_uri,
    )
    return calendar_response(cal, "meetings.ics")


@reads_query(NOTHING.params)
def event_ics(request, slug):
    event = get_object_or_404(
        Event.objects.published().select_related("series", "country"), slug=slug
    )
    cal = ical.calendar([event], name=event.title, absolute_url=request.build_absolute_uri)
    return calendar_response(cal, f"{event.slug}.ics")


class EventAtom1Feed(Atom1Feed):
    def latest_post_date(self):
        """An empty feed's <updated>: when events last changed (`EventFeed.get_feed`), where
        Django's would be the time of the request, so that the feed is the same bytes until
        something changes."""
        if not self.items and self.feed.get("events_changed_at"):
            return self.feed["events_changed_at"]
        return super().latest_post_date()


class EventFeed(Feed):
    """The events of the listing's filter, latest start first (the upcoming ones lead)."""

    page_cache_reads = Reads(EVENT_LISTING_READS)
    feed_type = EventAtom1Feed
    author_name = gettext_lazy("Organization for Security and Co-operation in Europe")

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except InvalidFilter as invalid:
            return invalid_filter_response(invalid.filterset)
        except FilterMoved as move:
            return move.response

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed = {key: xml_text(value) for key, value in feed.feed.items()}
        feed.items = [{key: xml_text(value) for key, value in i.items()} for i in feed.items]
        if not feed.items:
            changed = Event.objects.published().aggregate(at=Max("updated_at"))["at"]
            feed.feed["events_changed_at"] = changed or EPOCH
        return feed

    def get_object(self, request):
        filterset = EventFilter.for_request(request, old_links=True)
        if not filterset.is_valid():
            raise InvalidFilter(filterset)
        response = moved(request, filterset, listing_query(filterset))
        if response is not None:
            raise FilterMoved(response)
        return filterset

    def title(self, filterset):
        return listing_title(filterset)  # Atom text, escaped by the writer

    def subtitle(self, filterset):
        return _("Meetings and conferences of the OSCE: dates, places and changes.")

    def link(self, filterset):
        return with_query(reverse("news:event_list"), listing_query(filterset))

    def feed_url(self, filterset):
        return with_query(reverse("news:event_atom"), listing_query(filterset))

    def items(self, filterset):
        return (
            filterset.qs.for_listing()
            .prefetch_related("fields_of_work")
            .order_by("-start", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        return ical.status_summary(item)

    def item_description(self, item):
        when = _("%(start)s to %(end)s (%(zone)s)") % {
            "start": date_format(item.local_start, "DATETIME_FORMAT"),
            "end": date_format(item.local_end, "DATETIME_FORMAT"),
            "zone": item.time_zone,
        }
        parts = [format_html("<p>{}</p>", when)]
        place = ical.location(item)
        if place:
            parts.append(format_html("<p>{}</p>", place))
        if item.status_note:
            parts.append(format_html("<p><strong>{}</strong></p>", item.status_note))
        # Sanitised when saved (news/sanitise.py): safe to pass on as HTML.
        return "".join(parts) + item.description

    def item_guid(self, item):
        return f"urn:uuid:{item.uid}"

    def item_pubdate(self, item):
        return timezone.localtime(item.created_at)

    def item_updateddate(self, item):
        return timezone.localtime(item.updated_at)

    def item_author_name(self, item):
        return ", ".join(s.local_name for s in item.organising_structures()) or None

    def item_categories(self, item):
        series = [item.series.local_name] if item.series else []
        return series + [field.local_name for field in item.fields_of_work.all()]


event_atom = EventFeed()

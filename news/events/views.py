"""The public pages of the meetings and conferences: the listing (`/meetings/`, upcoming events
then past ones, with the news listing's facets), a page per series and a page per event.

What these pages show changes by itself when an event starts, ends or closes its registration:
the page cache keeps them no longer than the next such moment (news/pagecache.py)."""

from itertools import groupby

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.generic import DetailView, ListView

from countries.models import Chairpersonship

from ..language_versions import page_versions
from ..listing.filters import canonical_query
from ..listing.notices import listing_redirect, notices
from ..listing.pagination import CappedPaginator, PageForm, page_links
from ..models import Event, MeetingSeries, NewsItem
from ..page_keys import NOTHING, PAGING, Reads
from ..views import LanguageVersionsMixin, PagedListingMixin
from . import facets, summary
from .filters import EVENT_LISTING_READS, EventFilter

# The upcoming events listed above the past ones: a few months' worth, at most.
MAX_UPCOMING = 100
RELATED_NEWS_COUNT = 20


def with_query(url, query):
    return f"{url}?{query}" if query else url


class EventListView(PagedListingMixin, LanguageVersionsMixin, ListView):
    """Upcoming events (running ones included, soonest first), then the past ones (newest
    first, paginated). GET parameters are parsed by EventFilter; a valid query that is not in
    canonical form is redirected to it, and an old link's value that is no choice any more is
    left out with a notice, and a page past the last sent to the last, as the news listing does
    (news/listing/notices.py)."""

    template_name = "news/events/event_list.html"
    # Any query but the canonical form of its filters is answered with a redirect.
    page_cache_reads = Reads(EVENT_LISTING_READS | PAGING, query_string=True)
    context_object_name = "past_events"
    paginate_by = 20
    paginator_class = CappedPaginator
    counts = None
    paginator = None  # made once, to find the last page before the page is shown
    changes = ()  # what the notice of this address says was changed in the filters

    def get(self, request, *args, **kwargs):
        self.filterset = EventFilter.for_request(request, old_links=True)
        self.paging = PageForm(request.GET)
        if not (self.filterset.is_valid() & self.paging.is_valid()):  # both checked, to tell
            self.object_list = Event.objects.none()
            self.paginate_by = None  # no page to look for
            context = self.get_context_data(invalid=True)
            return self.render_to_response(context, status=400)
        self.now = timezone.now()
        self.counts = facets.compute_counts(self.filterset)
        self.page_number = self.paging.number()
        past_the_end = False
        if self.page_number > 1:
            last = self.get_paginator(self.get_queryset(), self.paginate_by).num_pages
            past_the_end = self.page_number > last
            self.page_number = min(self.page_number, last)
        redirect, self.changes = listing_redirect(
            request, self.filterset, self.canonical(), past_the_end
        )
        if redirect is not None:
            return redirect
        return super().get(request, *args, **kwargs)

    def get_language_versions(self):
        if not self.filterset.is_valid():
            return []
        query = canonical_query(self.filterset, page=self.requested_page())
        return page_versions(self.request, with_query(self.request.path_info, query))

    def get_queryset(self):
        return self.filterset.qs.past(self.now).select_related("series", "country")

    @cached_property
    def upcoming(self):
        events = self.filterset.qs.upcoming(self.now).select_related("series", "country")
        return list(events[:MAX_UPCOMING])

    def get_paginator(self, queryset, per_page, **kwargs):
        if self.paginator is not None:
            return self.paginator
        self.paginator = super().get_paginator(queryset, per_page, **kwargs)
        if self.counts is not None and len(self.upcoming) < MAX_UPCOMING:
            # The facet counts already say how many events match: no COUNT(*) of the past ones.
            total = facets.result_count(self.filterset, self.counts)
            self.paginator.count = max(total - len(self.upcoming), 0)
        return self.paginator

    def get_context_data(self, invalid=False, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        context["form"] = self.filterset.form
        if invalid:
            # The visitor's choices that could be understood, kept: shown, and a link to them.
            context.update(
                page_form=self.paging,
                valid_query=canonical_query(self.filterset),
                active_filters=summary.active_filters(self.filterset),
            )
            return context
        past = list(context["past_events"])
        page_obj = context["page_obj"]
        upcoming = self.upcoming if page_obj is None or page_obj.number == 1 else []
        prefetch_related_objects([*upcoming, *past], "organisers__structure")
        query = canonical_query(self.filterset)
        this_page = canonical_query(self.filterset, page=self.requested_page())
        total = facets.result_count(self.filterset, self.counts)
        active = summary.active_filters(self.filterset)
        context.update(
            past_events=past,
            upcoming_events=upcoming,
            query=query,
            canonical_url=self.request.build_absolute_uri(with_query(self.request.path, this_page)),
            summary=summary.describe(self.filterset, total),
            active_filters=active,
            facets=facets.build_facets(self.filterset, self.counts),
            calendar_url=with_query(reverse("news:event_list_ics"), query),
            atom_url=with_query(reverse("news:event_atom"), query),
            notices=notices(self.changes, self.filterset, active),
        )
        if context["is_paginated"]:
            context["pages"] = page_links(context["page_obj"], self.page_url)
        return context


class SeriesDetailView(LanguageVersionsMixin, DetailView):
    """A series: its description and its editions (published events), by year, newest first."""

    template_name = "news/events/series_detail.html"
    page_cache_reads = NOTHING
    model = MeetingSeries
    context_object_name = "series"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = self.object.events.published().select_related("country").order_by("-start", "-pk")
        context["years"] = [
            (year, list(editions))
            for year, editions in groupby(events, key=lambda event: event.local_start.year)
        ]
        query = urlencode({"series": self.object.slug})
        context.update(
            listing_url=with_query(reverse("news:event_list"), query),
            calendar_url=with_query(reverse("news:event_list_ics"), query),
            atom_url=with_query(reverse("news:event_atom"), query),
        )
        return context


class EventDetailView(LanguageVersionsMixin, DetailView):
    """An event: when (in the venue's time), where, who organises it, the Chairpersonship of its
    year, its documents, registration, livestream and news. Drafts are not found (404)."""

    template_name = "news/events/event_detail.html"
    page_cache_reads = NOTHING
    context_object_name = "event"

    def get_queryset(self):
        return (
            Event.objects.published()
            .select_related("series", "country")
            .prefetch_related("organisers__structure", "fields_of_work", "documents")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event, now = self.object, timezone.now()
        related_news = (
            NewsItem.objects.published()
            .filter(event=event)
            .in_language_view()
            .newest_first()
            .only("title", "slug", "type", "published_at", "language")
        )
        chairpersonship = (
            Chairpersonship.objects.select_related("country")
            .filter(year=event.local_start.year)
            .first()
        )
        context.update(
            organisers=event.organising_structures(),
            chairpersonship=chairpersonship,
            related_news=related_news[:RELATED_NEWS_COUNT],
            registration_open=event.registration_open(now),
            is_live=event.is_live(now),
            is_over=event.end < now,
            calendar_url=reverse("news:event_ics", kwargs={"slug": event.slug}),
        )
        return context

"""The news change list as it must work over a million items: every query it makes is answered
from an index (bench/README.md, "Admin at a million items").

- Search matches the words of an item's title, lead, body and names in its search document
  (its GIN index), each word as written or as the start of a word, stemmed in English and in
  Russian, or the item's slug exactly; Django's default, a substring match of three columns,
  read every row (about 1 s at 100,000 items).
- The filters by field of work, country and issuing body test the link rows with EXISTS (their
  indexes); Django's own filters on many-to-many fields join them and then remove duplicates
  over the whole result.
- The year filter lists the years between the archive's first and last item (two index
  probes) where the date hierarchy read every row's date.
- The list reads neither the body nor the search document of the items it shows.
- It counts its items up to 10,001 only, a search's up to 1,001 (`ArchivePaginator`).
- Each row's action checkbox is written as text (`PlainCheckboxes`), not by a form widget's
  template."""

import re

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.postgres.search import SearchQuery
from django.core.paginator import Paginator
from django.db import connection, connections
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from countries.models import Country
from structures.models import Structure

from ..models import FieldOfWork

# The configurations an editor's words are stemmed in (the site's two largest languages), and
# as written ("simple": names, acronyms, any other language).
SEARCH_CONFIGS = ("english", "russian", "simple")
MAX_SEARCH_WORDS = 10
SHORTEST_START = 3  # letters a word needs to match longer words it starts
WORD = re.compile(r"\w+")


def word_query(word):
    """A word, or the start of a longer one, in any of SEARCH_CONFIGS. A word of one or two
    characters ("1", "of") is taken whole: as a start it would match a good part of the
    vocabulary."""
    pattern = f"{word}:*" if len(word) >= SHORTEST_START else word
    queries = [SearchQuery(pattern, config=config, search_type="raw") for config in
               SEARCH_CONFIGS]  # fmt: skip
    combined = queries[0]
    for query in queries[1:]:
        combined |= query
    return combined


def search_news(queryset, term):
    """The items whose search document holds every word of `term`, or whose slug is `term`."""
    words = WORD.findall(term)[:MAX_SEARCH_WORDS]
    if connection.vendor != "postgresql" or not words:
        return queryset.filter(
            Q(title__icontains=term) | Q(lead__icontains=term) | Q(slug=term.strip())
        )
    condition = Q()
    for word in words:
        condition &= Q(search_document=word_query(word))
    return queryset.filter(condition | Q(slug=term.strip()))


class LinkFilter(admin.SimpleListFilter):
    """Items linked to one value of a facet (news/links.py), tested with EXISTS."""

    facet = None
    model = None

    def lookups(self, request, model_admin):
        return [(str(value.pk), str(value)) for value in self.model.objects.all()]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.linked_to(self.facet, [int(value)])
        return queryset


class FieldOfWorkFilter(LinkFilter):
    title = _("field of work")
    parameter_name = "field"
    facet = "field"
    model = FieldOfWork


class IssuedByFilter(LinkFilter):
    title = _("issued by")
    parameter_name = "issued_by"
    facet = "issued_by"
    model = Structure


class CountryFilter(LinkFilter):
    title = _("country")
    parameter_name = "country"
    facet = "country"
    model = Country


class PublishedYearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        # The archive's first and last, not the user's: over an editor's items (an EXISTS a
        # row) the two probes of the index would become a scan.
        span = model_admin.model.objects.aggregate(
            first=Min("published_at"), last=Max("published_at")
        )
        if not span["first"]:
            return []
        first, last = (timezone.localtime(span[key]).year for key in ("first", "last"))
        return [(str(year), str(year)) for year in range(last, first - 1, -1)]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and len(value) == 4:
            return queryset.filter(published_at__year=int(value))
        return queryset


# Past this many, the list says "more than 10,000": counting a million items took longer than
# the page may.
COUNT_CAP = 10_000
# A search's count stops sooner: PostgreSQL finds a common word's matches by reading the table
# until it has enough, and at a million items a manager's "border" took 285-326 ms to reach
# 10,001 (bench/README.md, "Admin at a million items"). Past a thousand results an editor
# narrows the search rather than pages through it.
SEARCH_COUNT_CAP = 1_000


# The list's order unless the user sorts it by a column (ModelAdmin.ordering, with the pk
# Django adds to make it total).
NEWEST_FIRST = ("-published_at", "-pk")


class ArchivePaginator(Paginator):
    """Counts the list's items up to its cap + 1 only (PostgreSQL stops there): COUNT_CAP, or
    SEARCH_COUNT_CAP for a search. Beyond it the list has the cap's worth of pages; a search or
    a filter narrows it.

    A list of news items in its usual order, on PostgreSQL, is counted and paged in one
    statement: the (at most cap + 1) items, in no order, then sorted by PostgreSQL, which
    gives the requested page's ids and their number. Under the cap that is the page; the page's
    items are then read by id, rather than by walking the dates' index again to the page (an
    editor's search at a million items walked 21,663 items to find 50: bench/README.md, "Admin
    at a million items"). Past the cap, the page is the list's own slice, as before."""

    def __init__(self, *args, requested_page=1, searched=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.requested_page = requested_page
        self.cap = SEARCH_COUNT_CAP if searched else COUNT_CAP

    @cached_property
    def by_ids(self):
        """Whether the list is one of news items, on PostgreSQL, in its usual order (the item's
        history, a list of log entries, is paginated here too)."""
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or connections[queryset.db].vendor != "postgresql":
            return False
        # What follows the pk in the ordering (Django adds the queryset's own) orders nothing.
        return tuple(queryset.query.order_by)[: len(NEWEST_FIRST)] == NEWEST_FIRST

    @cached_property
    def probe(self):
        """(the count, up to the cap + 1; the ids of the requested page, in the list's order,
        when the count is under the cap, else None)."""
        # Neither the order nor the list's annotations: PostgreSQL may stop at the cap.
        listed = self.object_list.order_by()
        if not self.by_ids:
            return listed.values("pk")[: self.cap + 1].count(), None
        sql, params = listed.values("pk", "published_at")[: self.cap + 1].query.sql_with_params()
        offset = min(max(self.requested_page - 1, 0) * self.per_page, self.cap + 1)
        with connections[listed.db].cursor() as cursor:
            cursor.execute(
                f'SELECT listed."pk", count(*) OVER () FROM ({sql}) listed '
                'ORDER BY listed."published_at" DESC, listed."pk" DESC LIMIT %s OFFSET %s',
                [*params, self.per_page, offset],
            )
            rows = cursor.fetchall()
        if not rows:  # no items, or a page past the last: then they are counted
            count = listed.values("pk")[: self.cap + 1].count() if offset else 0
            return count, None
        count = rows[0][1]
        return count, [pk for pk, _count in rows] if count <= self.cap else None

    @cached_property
    def count(self):
        return self.probe[0]

    def page(self, number):
        number = self.validate_number(number)
        ids = self.probe[1]
        if ids is None or number != self.requested_page:
            return super().page(number)
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)

    @property
    def count_is_capped(self):
        return self.count > self.cap

    @property
    def shown_count(self):
        """The count to show: "more than 10,000" past the cap."""
        if self.count_is_capped:
            cap = number_format(self.cap, force_grouping=True)
            return _("more than %(count)s") % {"count": cap}
        return number_format(self.count, force_grouping=True)


# Django's own message, translated by its admin's catalogues (named here so that the project's
# catalogues do not take it in as one of theirs).
ACTION_LABEL = "Select this object for an action - {}"


class PlainCheckboxes:
    """For a ModelAdmin: each row's action checkbox as Django's CheckboxInput writes it, letter
    for letter, without rendering the widget's template (with the language column's choices,
    130,000 of the 695,000 function calls of three lists of 50 rows)."""

    def action_checkbox(self, obj):
        label = format_html(gettext(ACTION_LABEL), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

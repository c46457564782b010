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
- It counts its items up to 10,001 only (`ArchivePaginator`).
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


# Past this many, the list says "more than 10,000": counting every match of a common word at a
# million items took longer than the page may.
COUNT_CAP = 10_000


# The list's order unless the user sorts it by a column (ModelAdmin.ordering, with the pk
# Django adds to make it total).
NEWEST_FIRST = ("-published_at", "-pk")


def newest_first(row):
    """The sort key of a (pk, published_at) row in NEWEST_FIRST, descending, as PostgreSQL
    orders it: items without a date first (NULL is the greatest value there)."""
    pk, published_at = row
    return (published_at is None, published_at, pk)


class ArchivePaginator(Paginator):
    """Counts the list's items up to COUNT_CAP + 1 only (PostgreSQL stops there). Beyond it the
    list has COUNT_CAP items' worth of pages; a search or a filter narrows it.

    The count reads each item's id and date, so that a list of up to COUNT_CAP items, in its
    usual order, finds the page's items by their ids, sorted here, rather than by walking the
    dates' index to the page: an editor's search at a million items visited every one of the
    office's items to count them, then tens of thousands again to reach the page's 50 (bench/
    README.md, "Admin at a million items"). On PostgreSQL only: SQLite puts items without a
    date last."""

    @cached_property
    def by_ids(self):
        """Whether the pages are found by their items' ids: a list of news items, on PostgreSQL,
        in its usual order. (The item's history, a list of log entries, is paginated here too.)"""
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or connections[queryset.db].vendor != "postgresql":
            return False
        # What follows the pk in the ordering (Django adds the queryset's own) orders nothing.
        return tuple(queryset.query.order_by)[: len(NEWEST_FIRST)] == NEWEST_FIRST

    @cached_property
    def listed(self):
        """(pk, published_at) of up to COUNT_CAP + 1 of the list's items, in no order."""
        # Neither the order nor the list's annotations: PostgreSQL may stop at the cap.
        rows = self.object_list.order_by().values_list("pk", "published_at")
        return list(rows[: COUNT_CAP + 1])

    @cached_property
    def count(self):
        if self.by_ids:
            return len(self.listed)
        return self.object_list.order_by().values("pk")[: COUNT_CAP + 1].count()

    def page(self, number):
        number = self.validate_number(number)
        if not self.by_ids or self.count_is_capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = sorted(self.listed, key=newest_first, reverse=True)[bottom : bottom + self.per_page]
        return self._get_page(self.object_list.filter(pk__in=[pk for pk, _ in rows]), number, self)

    @property
    def count_is_capped(self):
        return self.count > COUNT_CAP

    @property
    def shown_count(self):
        """The count to show: "more than 10,000" past the cap."""
        if self.count_is_capped:
            cap = number_format(COUNT_CAP, force_grouping=True)
            return _("more than %(count)s") % {"count": cap}
        return number_format(self.count, force_grouping=True)


# Django's own message, translated by its admin's catalogues (named here so that the project's
# catalogues do not take it in as one of theirs).
ACTION_LABEL = "Select this object for an action - {}"


class PlainCheckboxes:
    """For a ModelAdmin: each row's action checkbox as Django's CheckboxInput writes it, letter
    for letter, without rendering the widget's template: 50 rows took 12 ms of a 70 ms list."""

    def action_checkbox(self, obj):
        label = format_html(gettext(ACTION_LABEL), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

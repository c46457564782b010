"""The filters of the public news listing, its feeds and its exports: every GET parameter is
parsed here, never by hand. Several values of one facet are OR, different facets are AND.

A listing is in a content language (the address's, `/ru/news/`): without a `language` filter it
shows that language's items and the English originals of groups without a public version in it
(`NewsItemQuerySet.in_language_view`); with one, exactly the items in the chosen languages."""

import copy
import datetime

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.models import Tag

from countries.models import Country
from languages import registry as languages
from structures.models import Structure

from .. import search
from ..models import Alias, FieldOfWork, NewsItem
from ..page_keys import EVERY_VALUE, LAST_VALUE
from .fields import CodeChoiceField, CodeMultipleChoiceField, SlugMultipleChoiceField

MAX_QUERY_LENGTH = 200
MAX_VALUES_PER_FACET = 20
# A date at the edge of what Python can hold overflows once it is turned into the start of the
# next day or into UTC: the range a search may ask for is bounded well inside it.
EARLIEST_DATE, LATEST_DATE = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)
DATE_RANGE_MESSAGE = _("Choose a date between 1900 and 2999.")
DATE_VALIDATORS = [
    MinValueValidator(EARLIEST_DATE, message=DATE_RANGE_MESSAGE),
    MaxValueValidator(LATEST_DATE, message=DATE_RANGE_MESSAGE),
]


def refuse_too_many_values(form, facets):
    """A form error on each facet given more than MAX_VALUES_PER_FACET values: a query that
    long is not a visitor's, and each value costs the counts a join."""
    for name in facets:
        if len(form.data.getlist(name)) > MAX_VALUES_PER_FACET:
            form.add_error(
                name,
                ngettext(
                    "Choose at most %(count)s value.",
                    "Choose at most %(count)s values.",
                    MAX_VALUES_PER_FACET,
                )
                % {"count": MAX_VALUES_PER_FACET},
            )


class ListingFilterForm(forms.Form):
    """The form of a listing's filters (the news', the meetings')."""

    @property
    def changes(self):
        """{parameter: [(value given, value read instead or None when left out)]} of the values
        that were no choice and were read as an old link's (news/listing/notices.py)."""
        return {
            name: field.changes
            for name, field in self.fields.items()
            if getattr(field, "changes", None)
        }


class NewsFilterForm(ListingFilterForm):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end date is before the start date."))
        refuse_too_many_values(self, FACETS)
        return cleaned


def day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


class CodeMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = CodeMultipleChoiceField


class CodeChoiceFilter(django_filters.ChoiceFilter):
    field_class = CodeChoiceField


class SlugMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Several slugs of one taxonomy, OR-ed; an unknown slug is a form error (or left out, see
    NewsFilter.for_request), unless it is the slug of an alias (`alias_kind`, news.Alias.Kind),
    which stands for its entry, or a choice written otherwise (`Tajikistan`)."""

    field_class = SlugMultipleChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("error_messages", {"invalid_choice": _("Unknown value “%(value)s”.")})
        super().__init__(*args, **kwargs)

    def get_queryset(self, request):
        """A queryset made for each request (`public_tags`: a subquery over the items, 5% of a
        listing's time by sampling) is made only when the filter is given a value: without one
        the field never reads it (SlugMultipleChoiceField.clean)."""
        model = getattr(self.extra.get("queryset"), "model", None)  # of a callable that says it
        data = getattr(self.parent, "data", None)
        if model is not None and callable(self.extra["queryset"]) and data is not None:
            given = data.getlist(self.field_name) if hasattr(data, "getlist") else [
                data.get(self.field_name)
            ]  # fmt: skip
            if not any(given):
                return model.objects.none()
        return super().get_queryset(request)


class PublicTags:
    """The tags of public items: the only ones a visitor may filter by. Any other answers as an
    unknown tag does, so that the listing cannot confirm the tags of drafts or scheduled items.
    A callable, so that django-filter runs it for each request: what is public changes with the
    time, and a queryset built once would keep the moment it was built."""

    model = Tag  # what it gives, where nothing is asked of it (SlugMultipleChoiceFilter)

    def __call__(self, request=None):
        # In name order: the active-filter sentence lists the chosen tags in the order given.
        return Tag.objects.filter(NewsItem.objects.published().using_tag()).order_by("name")


public_tags = PublicTags()


class FilterCopies(dict):
    """A filterset class's `base_filters`, of which each filterset gets its own copy.
    django-filter deep-copies them, with the querysets, choices and validators they were
    declared with: some 550 copies a request, 4% of a listing's time (sampled with py-spy). Here
    each filter is copied with its own `extra` (a model choice filter writes its queryset there
    when it makes its form field) and its own method binding (to the copy, whose `parent` is the
    filterset); nothing else of a declared filter changes."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, declared in self.items():
            filter_ = copy.copy(declared)
            filter_.extra = dict(declared.extra)
            filter_.__dict__.pop("_field", None)
            filter_.method = declared.method  # bound to the copy (django_filters.FilterMethod)
            copies[name] = filter_
        return copies


class OwnFields(dict):
    """The fields of a form class made for one filterset (`get_form_class`): its form, the only
    one, takes them as they are rather than deep-copying them, querysets and widgets included."""

    def __deepcopy__(self, memo):
        return dict(self)


class DisjunctiveFilterSetMetaclass(django_filters.filterset.FilterSetMetaclass):
    def __new__(mcs, name, bases, attrs):
        new_class = super().__new__(mcs, name, bases, attrs)
        new_class.base_filters = FilterCopies(new_class.base_filters)
        return new_class


class DisjunctiveFilterSet(django_filters.FilterSet, metaclass=DisjunctiveFilterSetMetaclass):
    """A FilterSet whose facets are counted disjunctively: each option under every active
    filter but its own facet's."""

    def get_form_class(self):
        form_class = super().get_form_class()
        form_class.base_fields = OwnFields(form_class.base_fields)
        return form_class

    def queryset_without(self, name):
        """The queryset under every active filter except `name`, from the values already
        cleaned: no second validation, no extra queries."""
        queryset = self.queryset
        for filter_name, value in self.form.cleaned_data.items():
            if filter_name != name:
                queryset = self.filters[filter_name].filter(queryset, value)
        return self.in_view(queryset, name)

    def in_view(self, queryset, name=None):
        return queryset


class NewsFilter(DisjunctiveFilterSet):
    field = SlugMultipleChoiceFilter(
        label=_("Field of work"),
        queryset=FieldOfWork.objects.all(),
        method="filter_field",
        alias_kind=Alias.Kind.FIELD,
    )
    country = SlugMultipleChoiceFilter(
        label=_("Country"),
        queryset=Country.objects.all(),
        method="filter_country",
        alias_kind=Alias.Kind.COUNTRY,
    )
    issued_by = SlugMultipleChoiceFilter(
        label=_("Issued by"),
        queryset=Structure.objects.all(),
        method="filter_issued_by",
        alias_kind=Alias.Kind.STRUCTURE,
    )
    type = CodeMultipleChoiceFilter(
        label=_("Type"), choices=NewsItem.Type.choices, method="filter_type"
    )
    language = CodeMultipleChoiceFilter(
        label=_("Language"),
        choices=languages.choices,  # the configured content languages, read at each request
        method="filter_language",
        error_messages={"invalid_choice": _("Unknown value “%(value)s”.")},
    )
    # Never read NewsFilter.base_filters["tag"].field: the field made then, with its queryset of
    # that moment, would be copied into every filterset from then on.
    tag = SlugMultipleChoiceFilter(label=_("Tag"), queryset=public_tags, method="filter_tag")
    q = django_filters.CharFilter(
        label=_("Search"), max_length=MAX_QUERY_LENGTH, method="filter_text"
    )
    date_from = django_filters.DateFilter(
        label=_("From"), method="filter_from", validators=DATE_VALIDATORS
    )
    date_to = django_filters.DateFilter(
        label=_("To"), method="filter_to", validators=DATE_VALIDATORS
    )
    sort = CodeChoiceFilter(
        label=_("Sort"),
        choices=[("newest", _("Newest first")), ("oldest", _("Oldest first")),
                 ("relevance", _("Relevance"))],
        method="filter_sort",
        empty_label=None,
    )  # fmt: skip

    class Meta:
        model = NewsItem
        fields = []
        form = NewsFilterForm

    def __init__(self, data=None, queryset=None, *, content_language=None, **kwargs):
        """`content_language`: the code of the language the listing is read in, whose view
        (`in_language_view`) applies while no language is chosen; None, every language."""
        super().__init__(data, queryset, **kwargs)
        self.content_language = content_language

    @classmethod
    def for_request(cls, request, *, every_language=False, old_links=False):
        """The public listing's filters, bound to a request's GET parameters: the one starting
        point of the listing, its feeds, its exports and the API. The items are those of the
        language being read (the address's) unless `every_language`. With `old_links`, a value
        of a facet that is no choice any more is left out rather than refused (the view then
        sends the visitor to the address without it, news/listing/notices.py); a stored filter
        (an alert list's) keeps refusing it, so as never to send more than was asked for."""
        code = None if every_language else languages.current().code
        filterset = cls(request.GET, queryset=NewsItem.objects.published(), content_language=code)
        for name in (*FACETS, "sort") if old_links else ():
            filterset.form.fields[name].leave_out_unknown = True
        return filterset

    def in_view(self, queryset, name=None):
        """`queryset` in the language view, while no language is chosen (and the language
        facet, `name`, is not the one being counted: it counts over every language)."""
        chosen = self.form.cleaned_data.get("language")
        if self.content_language and not chosen and name != "language":
            return queryset.in_language_view(self.content_language)
        return queryset

    # The queryset methods of news/querysets.py, so that one definition serves everyone.
    def filter_field(self, queryset, name, value):
        return queryset.in_field(*value)

    def filter_country(self, queryset, name, value):
        return queryset.for_country(*value)

    def filter_issued_by(self, queryset, name, value):
        return queryset.issued_by(*value)

    def filter_type(self, queryset, name, value):
        return queryset.filter(type__in=value)

    def filter_language(self, queryset, name, value):
        return queryset.filter(language__in=value)

    def filter_tag(self, queryset, name, value):
        return queryset.tagged(*value)

    def filter_text(self, queryset, name, value):
        return search.matching(queryset, value)

    def filter_from(self, queryset, name, value):
        return queryset.filter(published_at__gte=day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(published_at__lt=day_start(value + datetime.timedelta(days=1)))

    def filter_sort(self, queryset, name, value):
        return queryset  # the order is set last, in filter_queryset

    def filter_queryset(self, queryset):
        queryset = self.in_view(super().filter_queryset(queryset))
        data = self.form.cleaned_data
        sort = data.get("sort") or self.default_sort()
        if sort == "oldest":
            return queryset.order_by("published_at", "pk")
        if sort == "relevance" and data.get("q"):
            return search.by_relevance(queryset, data["q"])
        return queryset.order_by("-published_at", "-pk")

    def default_sort(self):
        """Relevance when there are search words, the newest first otherwise."""
        return "relevance" if self.form.cleaned_data.get("q") else "newest"


# "from" and "to" are Python keywords, so the filters are declared under other names and
# published under the names of the URL contract.
for _public, _declared in (("from", "date_from"), ("to", "date_to")):
    NewsFilter.base_filters[_public] = NewsFilter.base_filters.pop(_declared)

FACETS = ("field", "country", "issued_by", "type", "language", "tag")


def canonical_params(filterset):
    """The active filters as sorted (name, value) pairs: the canonical, shareable query."""
    data = filterset.form.cleaned_data
    pairs = []
    for name in sorted(filterset.filters):
        value = data.get(name)
        if value in (None, "", [], ()):
            continue
        if name == "sort" and value == filterset.default_sort():
            continue
        if isinstance(value, list | tuple) or hasattr(value, "model"):
            values = sorted(getattr(v, "slug", v) for v in value)
        elif isinstance(value, datetime.date):
            values = [value.isoformat()]
        else:
            values = [value]
        pairs.extend((name, v) for v in values)
    return pairs


def canonical_query(filterset, **extra):
    pairs = canonical_params(filterset) + [(k, v) for k, v in sorted(extra.items()) if v]
    return urlencode(pairs)


# What the listing, and every view that takes its filters, reads of the query: the page cache
# keeps a page under these parameters only (news/page_keys.py).
LISTING_READS = {
    name: EVERY_VALUE if isinstance(filter_, django_filters.MultipleChoiceFilter) else LAST_VALUE
    for name, filter_ in NewsFilter.base_filters.items()
}

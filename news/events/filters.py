"""The filters of the meetings listing (`/meetings/`), its calendar and its feed: every GET
parameter is parsed here, as the news listing's are (news/listing/filters.py). Several values of
one facet are OR, different facets are AND."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from countries.models import Country
from structures.models import Structure

from ..listing.filters import (
    DisjunctiveFilterSet,
    ListingFilterForm,
    SlugMultipleChoiceFilter,
    refuse_too_many_values,
)
from ..models import Alias, Event, EventOrganiser, FieldOfWork, MeetingSeries
from ..page_keys import EVERY_VALUE

EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
FACETS = ("series", "year", "country", "field", "organised_by")
SLUG_FACETS = ("series", "country", "field", "organised_by")  # a year is a number or malformed


class EventFilterForm(ListingFilterForm):
    def clean(self):
        cleaned = super().clean()
        refuse_too_many_values(self, FACETS)
        return cleaned


class YearField(forms.MultipleChoiceField):
    """Years as whole numbers in a sane range; anything else is a form error."""

    default_error_messages = {"invalid_choice": _("Unknown value “%(value)s”.")}

    def __init__(self, *args, **kwargs):
        kwargs.pop("choices", None)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        values = super().to_python(value)
        years = []
        for text in values:
            # isdigit() alone takes "²" for a digit, which int() refuses; and int() refuses a
            # string of more than 4,300 digits: a year has four.
            text = str(text)
            digits = text.isascii() and text.isdigit() and len(text) <= 4
            if not digits or not EARLIEST_YEAR <= int(text) <= LATEST_YEAR:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice",
                    params={"value": text},
                )  # fmt: skip
            years.append(int(text))
        return sorted(set(years))

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class YearFilter(django_filters.Filter):
    field_class = YearField


class EventFilter(DisjunctiveFilterSet):
    series = SlugMultipleChoiceFilter(
        label=_("Series"), queryset=MeetingSeries.objects.all(), method="filter_series"
    )
    year = YearFilter(label=_("Year"), method="filter_year")
    country = SlugMultipleChoiceFilter(
        label=_("Country"),
        queryset=Country.objects.all(),
        method="filter_country",
        alias_kind=Alias.Kind.COUNTRY,
    )
    field = SlugMultipleChoiceFilter(
        label=_("Field of work"),
        queryset=FieldOfWork.objects.all(),
        method="filter_field",
        alias_kind=Alias.Kind.FIELD,
    )
    organised_by = SlugMultipleChoiceFilter(
        label=_("Organised by"),
        queryset=Structure.objects.all(),
        method="filter_organised_by",
        alias_kind=Alias.Kind.STRUCTURE,
    )

    class Meta:
        model = Event
        fields = []
        form = EventFilterForm

    @classmethod
    def for_request(cls, request, *, old_links=False):
        """The public events under a request's GET parameters: the one starting point of the
        listing, its calendar and its feed. With `old_links`, a series, country, field or body
        that is no choice any more is left out rather than refused, as the news listing's
        (news/listing/notices.py); a stored filter (an alert list's) keeps refusing it."""
        filterset = cls(request.GET, queryset=Event.objects.published())
        for name in SLUG_FACETS if old_links else ():
            filterset.form.fields[name].leave_out_unknown = True
        return filterset

    def filter_series(self, queryset, name, value):
        return queryset.filter(series__in=value)

    def filter_year(self, queryset, name, value):
        return queryset.filter(start__year__in=value) if value else queryset

    def filter_country(self, queryset, name, value):
        return queryset.filter(country__in=value)

    def filter_field(self, queryset, name, value):
        fields = FieldOfWork.objects.with_subtopics_of(value)
        through = Event.fields_of_work.through
        return queryset.filter(
            Exists(through.objects.filter(event=OuterRef("pk"), fieldofwork__in=fields))
        )

    def filter_organised_by(self, queryset, name, value):
        return queryset.filter(
            Exists(EventOrganiser.objects.filter(event=OuterRef("pk"), structure__in=value))
        )


# What the meetings listing, its calendar and its feed read of the query (news/page_keys.py).
EVENT_LISTING_READS = {name: EVERY_VALUE for name in EventFilter.base_filters}

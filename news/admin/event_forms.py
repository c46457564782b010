"""The forms of an event in the back office: the event itself, with its times in the venue's
time zone and the news items linked to it, and its ordered organisers."""

import datetime
import zoneinfo

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from structures.models import Structure

from ..models import Event, EventOrganiser, IssuingBody, NewsItem, storable_time
from ..permissions import (
    edits_all_events,
    event_organisers_refusal,
    event_status_refusal,
    linkable_news,
    own_structures,
)
from .forms import EditCounterMixin, RedisplayedIdsMixin, StructureField

VENUE_TIMES = ["start", "end", "registration_deadline"]
NEEDS_A_NOTE = {Event.Status.POSTPONED, Event.Status.CANCELLED}


class VenueDateTimeField(forms.SplitDateTimeField):
    """A date and a time as the venue's clock shows them: left naive here, since the zone is
    another field of the form; EventAdminForm.clean() places it in that zone."""

    widget = AdminSplitDateTime

    def compress(self, data_list):
        if data_list and data_list[0] is not None and data_list[1] is not None:
            return datetime.datetime.combine(*data_list)
        return None


def venue_instant(naive, zone):
    """The instant a venue's clock shows as `naive`; a ValidationError for a time the clock
    skips (the hour lost when summer time starts). A time the clock shows twice (the hour
    repeated when summer time ends) is taken as the first of the two, still in summer time."""
    instant = naive.replace(tzinfo=zone, fold=0)
    round_trip = instant.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        raise ValidationError(
            _(
                "%(time)s does not exist in %(zone)s: the clocks skip it (summer time starts). "
                "Choose a time before or after."
            )
            % {"time": naive.strftime("%Y-%m-%d %H:%M"), "zone": zone.key}
        )
    return instant


def https_by_default(db_field, **kwargs):
    """A link typed without its scheme is taken as https, as browsers would."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class LinkedNewsField(RedisplayedIdsMixin, forms.ModelMultipleChoiceField):
    pass


class ChosenByIdField(RedisplayedIdsMixin, forms.ModelChoiceField):
    """For the series and the country, chosen with the autocomplete."""


def news_autocomplete():
    """The admin's autocomplete over news items. Its URL names a foreign key to NewsItem for the
    autocomplete view to find NewsItemAdmin by; the list it gives is NewsItemAdmin's own
    (get_queryset: the items the user may edit)."""
    return AutocompleteSelectMultiple(IssuingBody._meta.get_field("news_item"), admin.site)


class EventAdminForm(EditCounterMixin, forms.ModelForm):
    start = VenueDateTimeField(label=gettext_lazy("starts"))
    end = VenueDateTimeField(label=gettext_lazy("ends"))
    registration_deadline = VenueDateTimeField(
        label=gettext_lazy("registration deadline"), required=False
    )
    news_items = LinkedNewsField(
        label=gettext_lazy("news items about the event"),
        queryset=NewsItem.objects.none(),
        required=False,
        widget=news_autocomplete(),
        help_text=gettext_lazy(
            "Items of your bodies that are drafts (publishers: any of your bodies' items). "
            "Links made by others to items you may not change stay as they are."
        ),
    )
    # The linked items the form showed when it was opened: only those may be unlinked by it,
    # not an item someone linked from the news form meanwhile.
    news_items_shown = forms.CharField(widget=forms.HiddenInput, required=False)
    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Event
        fields = [
            "title", "slug", "series", "edition", "status", "status_note", "time_zone",
            "start", "end", "city", "country", "venue", "attendance", "fields_of_work",
            "description", "registration_url", "registration_deadline", "livestream_url",
        ]  # fmt: skip
        formfield_callback = https_by_default
        field_classes = {"series": ChosenByIdField, "country": ChosenByIdField}

    request = None  # set by EventAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edit_version"].initial = self.version_on_record()
        self.status_on_record = self.instance.status if self.instance.pk else None
        zone = self.instance.zone
        for name in VENUE_TIMES:
            value = getattr(self.instance, name)
            if name in self.fields and value is not None:
                # Shown as the venue's clock shows it, whatever the editor's own zone.
                self.initial[name] = value.astimezone(zone).replace(tzinfo=None)
        if "news_items" in self.fields:
            user = self.request.user
            self.linkable = linkable_news(user)
            self.fields["news_items"].queryset = self.linkable
            if self.instance.pk:
                shown = list(self.linkable.filter(event=self.instance).values_list("pk", flat=True))
                self.initial["news_items"] = shown
                self.initial["news_items_shown"] = ",".join(map(str, shown))

    def clean_news_items_shown(self):
        value = self.cleaned_data.get("news_items_shown") or ""
        return {int(part) for part in value.split(",") if part.strip().isdigit()}

    def stale_message(self, who, when):
        return _(
            "%(who)s saved this event at %(when)s, after you opened it. Your changes were not "
            "saved, so that theirs are not lost: copy what you wrote, reload the page and "
            "apply your changes again."
        ) % {"who": who, "when": when}

    def clean(self):
        cleaned = super().clean()
        # First: the model's own checks run on the instants whatever is refused below.
        self.place_venue_times(cleaned)
        self.check_version()
        refusal = event_status_refusal(
            self.request.user, self.status_on_record, cleaned.get("status")
        )
        if refusal:
            raise ValidationError(refusal)
        if cleaned.get("status") in NEEDS_A_NOTE and not (cleaned.get("status_note") or "").strip():
            self.add_error(
                "status_note",
                _("Say why the event is postponed or cancelled, and what happens instead."),
            )
        return cleaned

    def place_venue_times(self, cleaned):
        """The times as entered are the venue's: each becomes the instant it names there."""
        try:
            zone = zoneinfo.ZoneInfo(cleaned.get("time_zone") or self.instance.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = datetime.UTC
        for name in VENUE_TIMES:
            naive = cleaned.get(name)
            if naive is None or naive.tzinfo is not None:
                continue
            try:
                instant = venue_instant(naive, zone)
                if not storable_time(instant):
                    raise ValidationError(_("Choose a date between the years 1 and 9999."))
                cleaned[name] = instant
            except (ValidationError, OverflowError) as error:
                message = error if isinstance(error, ValidationError) else _("Choose another date.")
                self.add_error(name, message)


class OrganiserForm(forms.ModelForm):
    class Meta:
        model = EventOrganiser
        fields = ["structure", "position"]
        field_classes = {"structure": StructureField}

    request = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        own = own_structures(self.request.user)
        if edits_all_events(self.request.user):
            own = Structure.objects.all()
        allowed = own
        if self.instance.structure_id and not own.filter(pk=self.instance.structure_id).exists():
            # Another body's organiser row stays as it is, untouchable.
            allowed = Structure.objects.filter(Q(pk__in=own) | Q(pk=self.instance.structure_id))
            self.fields["structure"].disabled = True
        self.fields["structure"].queryset = allowed


class OrganiserFormSet(forms.BaseInlineFormSet):
    """The ordered organisers: each body once, and an editor's own body among them."""

    request = None

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        chosen = [
            form.cleaned_data["structure"].pk
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        left_out = EventOrganiser.objects.filter(event_id=self.instance.pk).exclude(
            pk__in=[form.instance.pk for form in self.forms if form.instance.pk]
        )
        kept = set(left_out.values_list("structure_id", flat=True))
        if len(set(chosen)) != len(chosen) or kept & set(chosen):
            raise ValidationError(_("Each organiser may be listed once."))
        if not chosen and not kept:
            raise ValidationError(_("Choose at least one organiser."))
        before = set(
            EventOrganiser.objects.filter(event_id=self.instance.pk).values_list(
                "structure_id", flat=True
            )
        )
        refusal = event_organisers_refusal(
            self.request.user,
            before=before if self.instance.pk else set(),
            after=set(chosen) | kept,
        )
        if refusal:
            raise ValidationError(refusal)

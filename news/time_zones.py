"""Each person's own time zone in the back office. An editor in Dushanbe reads and enters times
in Asia/Dushanbe (their profile's `time_zone`), with the organisation's time (settings.TIME_ZONE)
beside them where the two differ; the public site and everything stored keep to UTC and the
organisation's zone."""

import zoneinfo
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import EditorProfile


def zone_of(user):
    """The person's own zone, or None for the organisation's."""
    if not getattr(user, "is_authenticated", False):
        return None
    name = EditorProfile.objects.filter(user=user).values_list("time_zone", flat=True).first()
    return zoneinfo.ZoneInfo(name) if name else None


class EditorTimeZoneMiddleware:
    """The back office's pages in the person's own zone: Django's forms then show and read the
    admin's date and time fields in it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()  # the next request of this thread starts in the site's zone

    def process_view(self, request, view, args, kwargs):
        match = getattr(request, "resolver_match", None)
        if match is None or match.app_name != "admin":
            return None
        zone = zone_of(request.user)
        if zone is not None:
            timezone.activate(zone)
        return None


def organisation_zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def differs():
    """Whether the person reads times in a zone other than the organisation's."""
    return timezone.get_current_timezone_name() != settings.TIME_ZONE


def organisation_time(moment):
    """The moment in the organisation's zone, "06:00" or "8 December 2026, 23:00" when the
    day differs from the person's own; empty when the person's zone is the organisation's."""
    if moment is None or not differs():
        return ""
    here = timezone.localtime(moment)
    there = timezone.localtime(moment, organisation_zone())
    return date_format(there, "H:i" if here.date() == there.date() else "j F Y, H:i")


def offset_in_words(zone, moment=None):
    """ "UTC+05:00", the zone's offset at `moment` (now)."""
    offset = (moment or timezone.now()).astimezone(zone).utcoffset() or timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_hint():
    """What the "issued on" field says of the zone its time is in."""
    zone = timezone.get_current_timezone()
    hint = _("Times are in your time zone, %(zone)s (%(offset)s).") % {
        "zone": timezone.get_current_timezone_name(),
        "offset": offset_in_words(zone),
    }
    if differs():
        hint += " " + _("The organisation's time (%(zone)s) is shown beside them.") % {
            "zone": settings.TIME_ZONE
        }
    return hint


# --- the person's own setting ---------------------------------------------------------------------


def zone_choices():
    return [("", gettext_lazy("The organisation's (%s)") % settings.TIME_ZONE)] + [
        (name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name
    ]


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label=gettext_lazy("Your time zone"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = zone_choices()


def time_zone_view(request, admin_site):
    """ "Your time zone": any person of the back office sets their own."""
    profile = EditorProfile.objects.filter(user=request.user).first()
    form = TimeZoneForm(
        request.POST or None, initial={"time_zone": profile.time_zone if profile else ""}
    )
    if request.method == "POST" and form.is_valid():
        profile = profile or EditorProfile(user=request.user)
        profile.time_zone = form.cleaned_data["time_zone"]
        profile.save()
        messages.success(
            request,
            _("Times are now shown in %(zone)s.")
            % {"zone": profile.time_zone or settings.TIME_ZONE},
        )
        return redirect("admin:time_zone")
    return TemplateResponse(
        request,
        "admin/time_zone.html",
        {
            **admin_site.each_context(request),
            "form": form,
            "title": _("Your time zone"),
            "organisation_zone": settings.TIME_ZONE,
        },
        status=400 if form.errors else 200,
    )

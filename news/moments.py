"""How the back office writes a moment: in the person's time zone (news/time_zones.py), "9
December 2026, 10:00", with the organisation's time beside it where the two differ ("9 December
2026, 10:00 (Europe/Vienna: 06:00)"). One place for it, so that the messages, the desk and the
sign-offs say times alike."""

from django.conf import settings
from django.utils.formats import date_format
from django.utils.timezone import localtime

from . import time_zones

FORMAT = "j F Y, H:i"


def in_words(moment):
    """The moment as the back office writes it; an empty string for none."""
    if not moment:
        return ""
    said = date_format(localtime(moment), FORMAT)
    there = time_zones.organisation_time(moment)
    return f"{said} ({settings.TIME_ZONE}: {there})" if there else said

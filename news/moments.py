"""How the back office writes a moment: in the site's time zone, "9 December 2026, 10:00". One
place for it, so that the messages, the desk and the sign-offs say times alike (and a person's
own time zone, when there is one, is applied once)."""

from django.utils.formats import date_format
from django.utils.timezone import localtime

FORMAT = "j F Y, H:i"


def in_words(moment):
    """The moment as the back office writes it; an empty string for none."""
    return date_format(localtime(moment), FORMAT) if moment else ""

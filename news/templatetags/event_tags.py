"""Template helpers of the meetings pages: when an event takes place, in the venue's time and
machine-readable (`<time datetime>` with the offset), and its schema.org Event data.

Times are formatted here, in Python, from `Event.local_start`/`local_end`: the template filter
`date` would first turn them into the site's time zone, and a meeting in Astana would then be
shown at Vienna's time."""

import html
import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import pgettext

from ..events.schema import event_data
from .news_tags import JSON_SCRIPT_ESCAPES

register = template.Library()


def offset(moment):
    """ "+01:00", as ISO 8601 writes an offset."""
    text = moment.strftime("%z") or "+0000"
    return f"{text[:3]}:{text[3:5]}"


def zone_label(moment):
    """ "CET, UTC+01:00"; only the offset for a zone without an abbreviation ("+05")."""
    abbreviation = moment.tzname() or ""
    if not abbreviation or abbreviation[0] in "+-" or abbreviation.startswith("UTC"):
        return fill(
            pgettext("a time zone by its offset only", "UTC%(offset)s"), offset=offset(moment)
        )
    # The zone's abbreviation is the same in every language (tzdata's), and no machine
    # translation may change it.
    return fill(
        pgettext(
            "a time zone: its abbreviation and offset, “CET, UTC+01:00”",
            "%(abbreviation)s, UTC%(offset)s",
        ),
        abbreviation=format_html('<abbr translate="no">{}</abbr>', abbreviation),
        offset=offset(moment),
    )


def time_element(moment, text):
    return format_html('<time datetime="{}">{}</time>', moment.isoformat(), text)


def day(moment):
    return date_format(moment, "DATE_FORMAT")


def clock(moment):
    return date_format(moment, "TIME_FORMAT")


def fill(pattern, **parts):
    """A translated pattern with its parts, escaped unless already safe HTML."""
    return mark_safe(pattern % {name: conditional_escape(part) for name, part in parts.items()})


@register.filter
def event_when(event):
    """When the event takes place, in the venue's time, with its zone: "15 January 2026, 10:00
    to 17:00 (CET, UTC+01:00)" (in the locale's words), each time inside a <time datetime> with
    its offset."""
    if event.is_whole_days:
        return event_dates(event)
    start, end = event.local_start, event.local_end
    zone = zone_label(start)
    if offset(start) != offset(end):  # a change of summer time during the event
        zone = fill(
            pgettext(
                "the time zones of an event across a change of summer time",
                "%(start_zone)s, then %(end_zone)s",
            ),
            start_zone=zone,
            end_zone=zone_label(end),
        )
    if start == end:
        return fill(
            pgettext("when an event takes place: a moment", "%(day)s, %(start)s (%(zone)s)"),
            day=day(start),
            start=time_element(start, clock(start)),
            zone=zone,
        )
    if start.date() == end.date():
        pattern = pgettext(
            "when an event takes place: within one day", "%(day)s, %(start)s–%(end)s (%(zone)s)"
        )
        return fill(
            pattern,
            day=day(start),
            start=time_element(start, clock(start)),
            end=time_element(end, clock(end)),
            zone=zone,
        )  # fmt: skip

    def moment(value):
        return time_element(
            value,
            pgettext("a day and a time, “15 January 2026, 10:00”", "%(day)s, %(time)s")
            % {"day": day(value), "time": clock(value)},
        )

    return fill(
        pgettext("when an event takes place: over several days", "%(start)s – %(end)s (%(zone)s)"),
        start=moment(start),
        end=moment(end),
        zone=zone,
    )


@register.filter
def event_dates(event):
    """The days of the event in the venue's time, for a list: "15 January 2026", or its first
    and last days, inside <time datetime>."""
    start, end = event.local_start, event.local_end
    if start.date() == end.date():
        return time_element(start, day(start))
    return fill(
        pgettext("the days of an event, in a list", "%(start)s – %(end)s"),
        start=time_element(start, day(start)),
        end=time_element(end, day(end)),
    )


@register.filter
def local_moment(moment, event):
    """A moment (the registration deadline) in the event's venue time, with its zone."""
    local = moment.astimezone(event.zone)
    return fill(
        pgettext("a moment with its time zone", "%(moment)s (%(zone)s)"),
        moment=time_element(
            local,
            pgettext("a day and a time, “15 January 2026, 10:00”", "%(day)s, %(time)s")
            % {"day": day(local), "time": clock(local)},
        ),
        zone=zone_label(local),
    )


@register.filter
def summary_text(text, words=40):
    """A sanitised description as plain text, shortened: for meta descriptions."""
    return Truncator(html.unescape(strip_tags(text))).words(words)


@register.simple_tag(takes_context=True)
def event_json_ld(context, event):
    """The schema.org Event of `event`, escaped so that no title can end the script element."""
    data = json.dumps(event_data(event, context["request"]), cls=DjangoJSONEncoder)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(data.translate(JSON_SCRIPT_ESCAPES)),
    )

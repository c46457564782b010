"""When a digest is sent: every day at `ALERT_DIGEST_HOUR` (8 by default) in the organisation's
time zone, and every Monday at that hour. An item owed to a daily subscriber is due at the next
such hour after it went public, and every item due then goes in one message."""

import datetime

from django.conf import settings
from django.utils import timezone

from .models import Subscription

Frequency = Subscription.Frequency


def due_at(frequency, moment):
    """When an item that went public at `moment` is sent to a subscription of `frequency`."""
    if frequency == Frequency.IMMEDIATELY:
        return moment
    local = timezone.localtime(moment)
    boundary = local.replace(hour=settings.ALERT_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if boundary <= local:
        boundary = next_day(boundary)
    if frequency == Frequency.WEEKLY:
        while boundary.weekday() != 0:  # Monday
            boundary = next_day(boundary)
    return boundary


def next_day(boundary):
    """The same hour of the next calendar day, across a change of summer time."""
    day = boundary.date() + datetime.timedelta(days=1)
    naive = datetime.datetime.combine(day, boundary.time().replace(tzinfo=None))
    return timezone.make_aware(naive, boundary.tzinfo)

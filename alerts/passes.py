"""One pass of the alert machinery: everything due at this moment, then return. The task the
worker runs and `manage.py send_alerts` are this function; any number of them may run at once
or one after the other without sending anything twice (alerts/announcing.py, alerts/sending.py)."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from . import announcing, sending
from .models import CONFIRMATION_DAYS, Subscriber, Subscription


@dataclass
class PassReport:
    announced: int = 0
    messages_made: int = 0
    sent: int = 0
    failed: int = 0
    forgotten: int = 0


def run_pass(now=None, *, limit=None):
    now = now or timezone.now()
    report = PassReport()
    report.forgotten = forget_unconfirmed(now)
    report.announced = announcing.announce(now)
    report.messages_made = sending.plan(now)
    report.sent, report.failed = sending.send_due(now, limit=limit)
    return report


def forget_unconfirmed(now):
    """Subscriptions never confirmed within `CONFIRMATION_DAYS` are deleted, and so are
    addresses left with no subscription: an address nobody confirmed is not kept."""
    cutoff = now - timedelta(days=CONFIRMATION_DAYS)
    deleted, _ = Subscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=cutoff
    ).delete()
    Subscriber.objects.filter(subscriptions__isnull=True, created_at__lt=cutoff).delete()
    return deleted

"""The background task (django-tasks): a pass of the alert machinery, queued when a news item is
saved as published (for its time, when that lies ahead) and when someone asks for alerts. A
worker process runs it (`manage.py db_worker`, README "Email alerts"); in development the
immediate backend runs it in the request, once the change is committed.

Publishing wakes the worker for a moment rounded up to the next WAKE_SECONDS: every item
published within those seconds is taken by one pass, so that an import saving ten thousand
published items queues a few hundred passes, not ten thousand."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from news.models import NewsItem

from .models import Announcement
from .passes import run_pass

WAKE_SECONDS = 10


@task()
def send_due_alerts():
    report = run_pass()
    return {"announced": report.announced, "sent": report.sent, "failed": report.failed}


def wake(run_after=None, *, gather=False):
    """Queue a pass once the current transaction commits: now, or at `run_after`; with
    `gather`, at the end of the WAKE_SECONDS in which that falls, once for all of them."""

    def enqueue():
        now = timezone.now()
        when = max(run_after or now, now)
        deferring = send_due_alerts.get_backend().supports_defer
        if not deferring:
            # The immediate backend of `make run` runs the pass now, or never: a scheduled item
            # is found by the next `send_alerts` once its time has come.
            if when <= now:
                send_due_alerts.enqueue()
            return
        if gather:
            slot = int(when.timestamp()) // WAKE_SECONDS + 1
            if not cache.add(f"alerts:wake:{slot}", True, timeout=WAKE_SECONDS * 6):
                return  # a pass is queued for this moment already
            when = datetime.fromtimestamp(slot * WAKE_SECONDS, tz=UTC)
        if when <= now:
            send_due_alerts.enqueue()
        else:
            send_due_alerts.using(run_after=when).enqueue()

    transaction.on_commit(enqueue)


def wake_on_publish(sender, instance, **kwargs):
    """An item saved as published that may be announced: not issued too long ago to be news,
    and not announced already (an edit of a published item wakes nobody)."""
    if instance.status != NewsItem.Status.PUBLISHED or instance.published_at is None:
        return
    oldest = timezone.now() - timedelta(days=settings.ALERT_ITEM_MAX_AGE_DAYS)
    if instance.published_at < oldest or Announcement.objects.filter(pk=instance.pk).exists():
        return
    wake(run_after=instance.published_at, gather=True)

"""The background task (django-tasks): a pass of the alert machinery, enqueued when a news item
is saved as published (at its time, when that lies ahead) and when someone asks for alerts. A
worker process runs it (`manage.py db_worker`, README "Email alerts"); in development the
immediate backend runs it in the request, once the change is committed."""

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from news.models import NewsItem

from .passes import run_pass


@task()
def send_due_alerts():
    report = run_pass()
    return {"announced": report.announced, "sent": report.sent, "failed": report.failed}


def wake(run_after=None):
    """Enqueue a pass once the current transaction commits (at `run_after`, if given)."""

    def enqueue():
        if run_after is None or run_after <= timezone.now():
            send_due_alerts.enqueue()
        elif send_due_alerts.get_backend().supports_defer:
            send_due_alerts.using(run_after=run_after).enqueue()
        # Otherwise (the immediate backend of `make run`) the next `send_alerts` finds the item
        # once its time has come.

    transaction.on_commit(enqueue)


def wake_on_publish(sender, instance, **kwargs):
    if instance.status == NewsItem.Status.PUBLISHED and instance.published_at is not None:
        wake(run_after=instance.published_at)

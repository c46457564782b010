"""Delivery with real processes on PostgreSQL and a real SMTP server: two `send_alerts` at once
send every message once; a worker killed in the middle of a run loses nothing and its successor
sends nothing twice; the task queued on publishing is run by django-tasks' database worker."""

import collections
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alerts.models import AlertList, Delivery, Message, Subscriber, Subscription
from countries.models import Country
from news.models import NewsItem

from .factories import NewsItemFactory
from .test_alerts_delivery import published_by_the_dushanbe_office

pytestmark = [pytest.mark.usefixtures("reference_data"), pytest.mark.django_db(transaction=True)]


def worker_environment(smtp):
    database = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "osceportal.settings",
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
                f"{database['NAME']}"
            ),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "SITE_URL": "http://testserver",
            "DJANGO_TASKS_BACKEND": "immediate",
        }
    )
    env.pop("REDIS_URL", None)
    return env


def start_worker(smtp):
    return subprocess.Popen(
        [sys.executable, "manage.py", "send_alerts"],
        cwd=settings.BASE_DIR,
        env=worker_environment(smtp),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def subscribers(count, query="country=tajikistan"):
    alert_list, _ = AlertList.objects.get_or_create(query=query, content_language="en")
    for n in range(count):
        subscriber = Subscriber.objects.create(email=f"reader{n}@example.org")
        Subscription.objects.create(
            subscriber=subscriber, alert_list=alert_list, confirmed_at=timezone.now()
        )


def publish_items(count):
    tajikistan = Country.objects.get(slug="tajikistan")
    for n in range(count):
        NewsItemFactory(
            title=f"Item {n}",
            countries=[tajikistan],
            published_at=timezone.now() - timedelta(minutes=1),
        )


def received(smtp):
    """{(recipient, subject): how many times}, and {Message-ID: how many times}."""
    pairs = collections.Counter((m["To"], m["Subject"]) for m in smtp.messages)
    ids = collections.Counter(m["Message-ID"] for m in smtp.messages)
    return pairs, ids


def test_two_workers_at_once_send_every_message_once(smtp):
    subscribers(40)
    publish_items(3)
    smtp.delay = 0.005  # long enough for the two runs to overlap
    workers = [start_worker(smtp), start_worker(smtp)]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    pairs, ids = received(smtp)
    assert len(pairs) == 120
    assert set(pairs.values()) == {1}
    assert set(ids.values()) == {1}
    assert Message.objects.filter(sent_at__isnull=False).count() == 120


def test_a_worker_killed_mid_run_loses_nothing_and_its_successor_sends_nothing_twice(smtp):
    subscribers(10)
    publish_items(2)
    smtp.recipient_delay = 0.3
    worker = start_worker(smtp)
    # Killed while the server holds back its fourth message or later, before accepting it.
    deadline = time.monotonic() + 60
    while (len(smtp.messages) < 3 or smtp.recipients_asked <= len(smtp.messages)) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.01)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    sent_before = len(smtp.messages)
    assert 3 <= sent_before < 20

    smtp.recipient_delay = 0
    successor = start_worker(smtp)
    output = successor.communicate(timeout=120)
    assert successor.returncode == 0, output
    pairs, ids = received(smtp)
    assert len(pairs) == 20
    assert set(pairs.values()) == {1}
    assert set(ids.values()) == {1}


def test_publishing_queues_a_task_that_the_database_worker_runs(smtp, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    subscribers(2)
    published_by_the_dushanbe_office("Queued")
    assert smtp.messages == []  # queued, not run
    [queued] = DBTaskResult.objects.all()
    assert timezone.now() < queued.run_after <= timezone.now() + timedelta(seconds=11)
    DBTaskResult.objects.update(run_after=timezone.now())  # as the clock would, seconds later
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    pairs, _ = received(smtp)
    assert sorted(pairs) == [
        ("reader0@example.org", "Queued"),
        ("reader1@example.org", "Queued"),
    ]


def test_two_passes_gather_the_same_digests_at_once_without_waiting_on_each_other(smtp):
    """Digests are keyed by subscriber and period. Two passes gathering them at once, one
    claiming an item's deliveries to subscribers 1…n while the other claims another item's to
    n…1, would each wait on a digest the other has just written (a deadlock, seen in the
    benchmark) unless they take turns."""
    count = 500  # one item's deliveries a transaction (sending.BATCH, below)
    alert_list = AlertList.objects.create(query="")
    subscriptions = [
        Subscription.objects.create(
            subscriber=Subscriber.objects.create(email=f"digest{n}@example.org"),
            alert_list=alert_list,
            frequency="daily",
            confirmed_at=timezone.now(),
        )
        for n in range(count)
    ]
    publish_items(8)
    due = timezone.now() + timedelta(hours=1)
    for number, item in enumerate(NewsItem.objects.order_by("pk")):
        order = subscriptions if number % 2 else subscriptions[::-1]
        Delivery.objects.bulk_create(
            Delivery(subscriber_id=s.subscriber_id, item=item, subscription=s, due_at=due)
            for s in order
        )
    code = (
        f"import datetime; from alerts import sending; sending.BATCH = {count}; "
        f"sending.plan(datetime.datetime.fromisoformat({due.isoformat()!r}))"
    )
    planners = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=settings.BASE_DIR,
            env=worker_environment(smtp),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    errors = [p.communicate(timeout=120)[1] for p in planners if p.wait(timeout=120) != 0]
    assert errors == []
    assert Message.objects.filter(kind="daily").count() == count
    assert not Delivery.objects.filter(message__isnull=True).exists()


def test_many_items_published_at_once_queue_one_pass_for_their_moment(settings, smtp):
    """An import that saves many published items wakes the worker once for all of them, and
    an edit of an item already announced wakes nobody."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    subscribers(1)
    with transaction.atomic():
        publish_items(20)
    queued = list(DBTaskResult.objects.all())
    assert len(queued) <= 2  # one, or two if the items' saves straddled two slots
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert smtp.messages == []  # the pass waits for the end of its slot
    DBTaskResult.objects.update(run_after=timezone.now())  # as the clock would, seconds later
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert len(smtp.wait_for(20)) == 20
    DBTaskResult.objects.all().delete()
    item = NewsItem.objects.first()
    item.title = "Corrected"
    item.save()
    assert not DBTaskResult.objects.exists()

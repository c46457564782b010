"""`make bench-alerts`: email alerts for BENCH_ALERTS_SUBSCRIBERS subscribers (10,000) when
BENCH_ALERTS_ITEMS items (100) are published, sent to a real SMTP server (aiosmtpd, in this
process) by two `send_alerts` passes running at once, as two workers would. Not a test: figures
for issue notes (bench/README.md, "Email alerts").

A fresh PostgreSQL database of its own (BENCH_ALERTS_DATABASE_URL, by default
osceportal_alerts_bench on 127.0.0.1), migrated and with the reference data, gets the
subscribers, each confirmed on one to three lists drawn from the taxonomy (a country, a field of
work, both, an issuing body, or all news; 60 % immediately, 30 % daily, 10 % weekly), then the
items (recent, random fields, countries and bodies), then VACUUM (ANALYZE). Three moments
follow, each with two passes at once in child processes (production settings): now (the
immediate alerts), the next daily digest hour, and the next Monday's. The SMTP server counts
what arrives: messages, distinct Message-IDs, and the same item reaching the same address
twice (duplicates). The database is dropped at the end."""

import collections
import email.parser
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

from .corpus import compact_and_analyze, recreate_database
from .import_bench import drop_database, env_int
from .machine import cpu_reference_ms
from .processes import MANAGE, PROJECT_ROOT, PYTHON, BenchError, DjangoEnvironment, run
from .server import free_port

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/osceportal_alerts_bench"
PASS_TIMEOUT = 3600


ITEM_LINK = re.compile(rb"/news/(bench-alert-[0-9]+)/")


class Sink:
    """An SMTP server that keeps what each message says about itself: its headers and the items
    it links to. Read cheaply (headers only, links from the raw bytes), so that the server keeps
    up with the workers on the same two cores."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = []  # (To, Subject, Message-ID, item slugs)
        self.parser = email.parser.BytesHeaderParser()

    async def handle_DATA(self, server, session, envelope):
        headers = self.parser.parsebytes(envelope.content)
        items = tuple(sorted(set(ITEM_LINK.findall(envelope.content))))
        with self.lock:
            self.received.append((headers["To"], headers["Subject"], headers["Message-ID"], items))
        return "250 OK"


# --- in the child processes (Django set up on the bench database) -------------------------------


def child_setup(subscribers, items, seed):
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from alerts.models import AlertList, Subscriber, Subscription
    from countries.models import Country
    from news.models import FieldOfWork, IssuingBody, NewsItem
    from structures.models import Structure

    rng = random.Random(seed)
    countries = list(Country.objects.values_list("slug", flat=True))
    fields = list(FieldOfWork.objects.values_list("slug", flat=True))
    bodies = list(Structure.objects.values_list("slug", flat=True))

    def a_filter():
        kind = rng.random()
        if kind < 0.35:
            return f"country={rng.choice(countries)}"
        if kind < 0.65:
            return f"field={rng.choice(fields)}"
        if kind < 0.85:
            return f"country={rng.choice(countries)}&field={rng.choice(fields)}"
        if kind < 0.98:
            return f"issued_by={rng.choice(bodies)}"
        return ""

    frequencies = ["immediately"] * 6 + ["daily"] * 3 + ["weekly"]
    now = timezone.now()
    with transaction.atomic():
        lists = {}
        made = Subscriber.objects.bulk_create(
            Subscriber(email=f"reader{n}@bench.example.org") for n in range(subscribers)
        )
        subscriptions = []
        for subscriber in made:
            for query in {a_filter() for _ in range(rng.choice([1, 1, 2, 3]))}:
                if query not in lists:
                    lists[query] = AlertList.objects.create(query=query)
                subscriptions.append(
                    Subscription(
                        subscriber=subscriber,
                        alert_list=lists[query],
                        frequency=rng.choice(frequencies),
                        confirmed_at=now - timedelta(days=1),
                    )
                )
        Subscription.objects.bulk_create(subscriptions)
        for n in range(items):
            item = NewsItem.objects.create(
                title=f"Bench alert item {n}",
                slug=f"bench-alert-{n}",
                lead="A lead of the benchmark's item.",
                body="<p>Body.</p>",
                status=NewsItem.Status.PUBLISHED,
                published_at=now - timedelta(minutes=rng.randint(1, 120)),
            )
            for position, slug in enumerate(rng.sample(bodies, rng.choice([1, 1, 2]))):
                IssuingBody.objects.create(
                    news_item=item, structure=Structure.objects.get(slug=slug), position=position
                )
            item.fields_of_work.set(FieldOfWork.objects.filter(slug__in=rng.sample(fields, 2)))
            item.countries.set(Country.objects.filter(slug__in=rng.sample(countries, 2)))
    print(json.dumps({"lists": len(lists), "subscriptions": len(subscriptions)}))


def child_pass(moment):
    import datetime

    from alerts.passes import run_pass

    started = time.perf_counter()
    report = run_pass(datetime.datetime.fromisoformat(moment))
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - started,
                "announced": report.announced,
                "made": report.messages_made,
                "sent": report.sent,
                "failed": report.failed,
            }
        )
    )


def child_moments():
    from django.utils import timezone

    from alerts import periods

    now = timezone.now()
    print(
        json.dumps(
            [
                now.isoformat(),
                (periods.due_at("daily", now) + timezone.timedelta(minutes=1)).isoformat(),
                (periods.due_at("weekly", now) + timezone.timedelta(minutes=1)).isoformat(),
            ]
        )
    )


def child_counts():
    from alerts.models import Delivery, Message

    print(
        json.dumps(
            {
                "deliveries": Delivery.objects.count(),
                "messages_sent": Message.objects.filter(sent_at__isnull=False).count(),
                "messages_unsent": Message.objects.filter(sent_at__isnull=True).count(),
            }
        )
    )


def child(arguments):
    import django

    django.setup()
    command, *rest = arguments
    if command == "setup":
        child_setup(int(rest[0]), int(rest[1]), int(rest[2]))
    elif command == "pass":
        child_pass(rest[0])
    elif command == "moments":
        child_moments()
    elif command == "counts":
        child_counts()


# --- the parent ---------------------------------------------------------------------------------


def child_json(env, *arguments, what):
    output = run(
        [PYTHON, "-m", "bench.alerts_bench", "--child", *arguments],
        env=env,
        timeout=PASS_TIMEOUT,
        what=what,
    )
    return json.loads(output.strip().splitlines()[-1])


def two_passes_at_once(env, moment):
    command = [PYTHON, "-m", "bench.alerts_bench", "--child", "pass", moment]
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]  # fmt: skip
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=PASS_TIMEOUT)
        if worker.returncode != 0:
            raise BenchError(f"a pass failed:\n{err.strip()[-2000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return time.perf_counter() - started, results


def main():
    url = os.environ.get("BENCH_ALERTS_DATABASE_URL", DEFAULT_URL)
    subscribers = env_int("BENCH_ALERTS_SUBSCRIBERS", 10_000)
    items = env_int("BENCH_ALERTS_ITEMS", 100)
    reference_before = cpu_reference_ms()
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory(prefix="alerts-bench-") as folder:
            env = DjangoEnvironment(secrets.token_urlsafe(40), Path(folder)).for_database(url)
            env.update(
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=str(port),
                SITE_URL="https://news.example.org",
                DJANGO_TASKS_BACKEND="database",
            )
            print(f"Creating {url.rsplit('/', 1)[-1]} (migrate, load_reference_data) …")
            recreate_database(url)
            try:
                run([*MANAGE, "migrate", "--no-input"], env=env, timeout=600, what="migrate")
                run([*MANAGE, "load_reference_data"], env=env, timeout=600, what="taxonomy")
                made = child_json(
                    env, "setup", str(subscribers), str(items), "1", what="subscribers and items"
                )
                print(
                    f"{subscribers:,} subscribers, {made['subscriptions']:,} subscriptions on "
                    f"{made['lists']:,} lists; {items} items published.",
                    flush=True,
                )
                compact_and_analyze(url)
                moments = child_json(env, "moments", what="the digest times")
                total_seconds = 0
                for name, moment in zip(["immediate", "daily", "weekly"], moments, strict=True):
                    before = len(sink.received)
                    seconds, results = two_passes_at_once(env, moment)
                    total_seconds += seconds
                    print(
                        f"  {name} ({moment}): {seconds:,.1f} s, "
                        f"{len(sink.received) - before:,} messages received; passes: "
                        + "; ".join(
                            f"{r['seconds']:,.1f} s, {r['announced']} announced, {r['made']:,} "
                            f"made, {r['sent']:,} sent, {r['failed']} failed"
                            for r in results
                        ),
                        flush=True,
                    )
                counts = child_json(env, "counts", what="the counts")
            finally:
                drop_database(url)
    finally:
        controller.stop()
    report(sink, counts, total_seconds)
    # The machines are shared and their speed moves (bench/README.md): say how fast it was.
    print(f"CPU reference: {reference_before} ms before, {cpu_reference_ms()} ms after.")


def report(sink, counts, seconds):
    ids = collections.Counter(message_id for _to, _subject, message_id, _links in sink.received)
    pairs = collections.Counter(
        (to, link) for to, _subject, _id, links in sink.received for link in links
    )
    messages = len(sink.received)
    print(
        f"\n{messages:,} messages in {seconds:,.1f} s ({messages / seconds:,.0f}/s); "
        f"{counts['deliveries']:,} items owed, {sum(pairs.values()):,} items received; "
        f"duplicate Message-IDs: {sum(n - 1 for n in ids.values())}; "
        f"an item received twice by one address: {sum(n - 1 for n in pairs.values())}; "
        f"messages recorded sent {counts['messages_sent']:,}, unsent "
        f"{counts['messages_unsent']:,}."
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
    else:
        try:
            main()
        except BenchError as error:
            sys.exit(f"bench-alerts: {error}")

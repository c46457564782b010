"""The editor of `make bench-faults`: publishes a news item every second through the service
door the admin uses (news/publishing.py), so that each publication empties the shared page cache
as a real one does, and keeps trying an item until it is stored, whatever the database or the
cache are doing meanwhile.

    python -m bench.publisher --seconds 60 --prefix faults-1234 --out published.json

It runs with the server's environment (bench/faults.py starts it) and writes, at the end, every
item it published (slug, when it was due, when it was stored) and every attempt that failed.
"""

import argparse
import json
import time

import django


def publish_once(slug, title, publisher):
    """Create and publish one item in one transaction, so that a failed attempt leaves nothing
    behind. An item already stored under `slug` is a success: the previous attempt committed
    but its answer was lost with the connection."""
    from django.db import transaction

    from news.models import FieldOfWork, IssuingBody, NewsItem
    from news.publishing import publish
    from structures.models import Structure

    with transaction.atomic():
        if NewsItem.objects.filter(slug=slug, status=NewsItem.Status.PUBLISHED).exists():
            return
        item = NewsItem.objects.create(
            slug=slug,
            title=title,
            lead="Published by the fault-injection run of the benchmark.",
            body="<p>A news item published while the site was under load.</p>",
            created_by=publisher,
            updated_by=publisher,
        )
        IssuingBody.objects.create(
            news_item=item, structure=Structure.objects.get(slug="secretariat")
        )
        item.fields_of_work.set(FieldOfWork.objects.order_by("position")[:1])
        problems = publish(item, by=publisher)
        if problems:
            raise RuntimeError(f"{slug} cannot be published: {problems}")


def publish_until_stored(slug, title, publisher_name, failures):
    """Attempts until the item is stored; each failed one is recorded in `failures`."""
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError, close_old_connections

    while True:
        # What Django does between two requests: drop a connection that the database closed
        # (CONN_HEALTH_CHECKS), so that a restart costs one failed attempt, not all later ones.
        close_old_connections()
        try:
            # A superuser: the publishing door lets only publishers of an item's bodies publish.
            publisher, _created = get_user_model().objects.update_or_create(
                username=publisher_name, defaults={"is_staff": True, "is_superuser": True}
            )
            publish_once(slug, title, publisher)
            return
        except DatabaseError as error:
            failures.append(
                {
                    "slug": slug,
                    "at": time.time(),
                    "error": type(error).__name__,
                    "message": (str(error).strip().splitlines() or [""])[0],
                }
            )
            time.sleep(0.25)


def run(seconds, prefix):
    published, failures = [], []
    started = time.time()
    due = started
    number = 0
    while due < started + seconds:
        time.sleep(max(0.0, due - time.time()))
        number += 1
        slug = f"{prefix}-{number}"
        publish_until_stored(slug, f"Fault run item {number}", f"{prefix}-editor", failures)
        published.append({"slug": slug, "due": due, "stored": time.time()})
        # One a second; an item that took longer to store delays the next, none is skipped.
        due = max(due + 1, time.time())
    return {"published": published, "failed_attempts": failures}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.publisher")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--prefix", required=True, help="slug prefix, unique to the run")
    parser.add_argument("--out", required=True, help="JSON file to write at the end")
    arguments = parser.parse_args(argv)
    django.setup()
    result = run(arguments.seconds, arguments.prefix)
    with open(arguments.out, "w", encoding="utf-8") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()

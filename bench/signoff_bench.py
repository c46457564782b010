"""`make bench-signoff`: joint issuance at archive scale (bench/README.md, "Joint items"). Not a
test: figures for issue notes.

A PostgreSQL database of its own (BENCH_SIGNOFF_DATABASE_URL, by default osceportal_signoff_bench
on 127.0.0.1), migrated, with the reference data and BENCH_SIGNOFF_COUNT (100,000) generated
items imported (about one in ten issued jointly), then VACUUM (ANALYZE), as autovacuum would:

1. the migration that brought sign-offs in, over that archive: `migrate news 0019` (back), then
   `migrate news 0020` timed; its data step records every published or withdrawn joint item as
   signed by each of its bodies;
2. in a child process (production settings, DEBUG off): BENCH_SIGNOFF_ITEMS (200) joint drafts of
   Dushanbe and Bishkek sent for sign-off through the publishing door by Dushanbe's publisher,
   each timed and its queries counted; then the back office as Bishkek's publisher sees it, each
   address once (cold for the database): the home page with its count, the news list filtered
   "Awaiting my sign-off" and "Awaiting others" and unfiltered, and every item's sign-off page;
   then every sign-off posted through that page, the last of each item publishing it; then the
   desk, the news list and the add form as Bishkek's publisher and as a manager use them all day
   (the median of five after a first request).
The database is dropped at the end."""

import json
import os
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path

from .corpus import compact_and_analyze, recreate_database
from .import_bench import drop_database, env_int, generate
from .machine import cpu_reference_ms
from .processes import MANAGE, PYTHON, BenchError, DjangoEnvironment, run

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/osceportal_signoff_bench"
TIMEOUT = 3600


# --- in the child process (Django set up on the bench database) ---------------------------------


def timed(call):
    """(result, milliseconds, queries) of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = call()
        elapsed = (time.perf_counter() - started) * 1000
    return result, elapsed, len(queries)


def child_requests(count):
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from news import publishing
    from news.models import EditorProfile, FieldOfWork, IssuingBody, NewsItem, SignOff
    from news.permissions import ensure_groups
    from structures.models import Structure

    from .back_office import summary

    ensure_groups()
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    bishkek = Structure.objects.get(slug="programme-office-in-bishkek")
    people = {}
    for name, body in (("bench-dushanbe", dushanbe), ("bench-bishkek", bishkek)):
        user = User.objects.create_user(name, email=f"{name}@example.org", is_staff=True)
        user.groups.set([Group.objects.get(name="Publisher")])
        EditorProfile.objects.create(user=user).structures.set([body])
        people[name] = user
    field = FieldOfWork.objects.get(slug="border-management")
    drafts = []
    for number in range(count):
        item = NewsItem.objects.create(
            title=f"Joint statement number {number} on border management",
            slug=f"bench-joint-statement-{number}",
            lead="Both offices agreed on joint patrols.",
            body="<p>The meeting took place in Batken.</p>" * 20,
            status=NewsItem.Status.DRAFT,
        )
        IssuingBody.objects.bulk_create(
            [
                IssuingBody(news_item=item, structure=dushanbe, position=0),
                IssuingBody(news_item=item, structure=bishkek, position=1),
            ]
        )
        item.fields_of_work.set([field])
        drafts.append(item)
    sending = []
    for item in drafts:
        refused, ms, queries = timed(
            lambda item=item: publishing.publish(item, by=people["bench-dushanbe"])
        )
        assert not refused, refused
        sending.append((ms, queries))
    assert NewsItem.objects.filter(status=NewsItem.Status.AWAITING).count() >= count

    client = Client(HTTP_HOST="localhost")
    client.force_login(people["bench-bishkek"])
    pages = {}

    def page(what, url, expected=200):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        pages.setdefault(what, []).append((time.perf_counter() - started) * 1000)
        assert response.status_code == expected, (url, response.status_code)
        return response

    home = page("home page (the desk)", "/admin/")
    shelf = r'Awaiting my sign-off</a>:\s*<span class="desk-count">(\d+)<'
    assert re.search(shelf, home.content.decode()).group(1) == str(count)
    page("news list, awaiting my sign-off", "/admin/news/newsitem/?sign_off=mine")
    page("news list, awaiting others", "/admin/news/newsitem/?sign_off=others")
    page("news list, unfiltered", "/admin/news/newsitem/")
    for item in drafts:
        page("sign-off page", f"/admin/news/newsitem/{item.pk}/sign-off/")
    signing_off = []
    for item in drafts:
        item.refresh_from_db()
        data = {"body": bishkek.pk, "version": item.version, "decision": "sign"}
        response, ms, queries = timed(
            lambda item=item, data=data: client.post(
                f"/admin/news/newsitem/{item.pk}/sign-off/", data, secure=True
            )
        )
        assert response.status_code == 302, response.status_code
        signing_off.append((ms, queries))
    published = NewsItem.objects.filter(pk__in=[d.pk for d in drafts], status="published")
    assert published.count() == count
    warm = daily_pages(client, people, User)
    print(
        json.dumps(
            {
                "items": NewsItem.objects.count(),
                "sign_off_rows": SignOff.objects.count(),
                "sending_ms": summary([ms for ms, _ in sending]),
                "sending_queries": summary([q for _, q in sending]),
                "pages_ms": {what: summary(values) for what, values in pages.items()},
                "signing_ms": summary([ms for ms, _ in signing_off]),
                "signing_queries": summary([q for _, q in signing_off]),
                "warm_pages_ms": warm,
            }
        )
    )


def daily_pages(client, people, user_model):
    """The back office's daily pages as Bishkek's publisher and a manager use them all day
    (bench/back_office.py): the desk, the news list, the add form (issue 18)."""
    from django.contrib.auth.models import Group

    from .back_office import warm_pages

    manager = user_model.objects.create_user("bench-manager", is_staff=True)
    manager.groups.set([Group.objects.get(name="Manager")])
    pages = [
        ("desk", "/admin/"),
        ("news list", "/admin/news/newsitem/"),
        ("add form", "/admin/news/newsitem/add/"),
    ]
    users = {"Bishkek publisher": people["bench-bishkek"], "manager": manager}
    return warm_pages(client, users, pages)


def child(arguments):
    import django

    django.setup()
    child_requests(int(arguments[0]))


# --- the parent ---------------------------------------------------------------------------------


def psql_count(url, query):
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as connection:
        return connection.execute(query).fetchone()[0]


def main():
    url = os.environ.get("BENCH_SIGNOFF_DATABASE_URL", DEFAULT_URL)
    count = env_int("BENCH_SIGNOFF_COUNT", 100_000)
    items = env_int("BENCH_SIGNOFF_ITEMS", 200)
    print(f"CPU reference before: {cpu_reference_ms():.1f} ms", flush=True)
    with tempfile.TemporaryDirectory(prefix="signoff-bench-") as folder:
        folder = Path(folder)
        env = DjangoEnvironment(secrets.token_urlsafe(40), folder / "static").for_database(url)
        recreate_database(url)
        try:
            run([*MANAGE, "migrate", "--no-input"], env=env, timeout=600, what="migrate")
            run([*MANAGE, "load_reference_data"], env=env, timeout=600, what="reference data")
            print(f"Importing {count:,} generated items …", flush=True)
            path = generate(env, count, 1, folder / "news.jsonl")
            run([*MANAGE, "import_news", str(path)], env=env, timeout=TIMEOUT, what="import")
            compact_and_analyze(url)
            joint = psql_count(
                url,
                "SELECT count(*) FROM (SELECT news_item_id FROM news_issuingbody GROUP BY 1 "
                "HAVING count(*) > 1) AS joint",
            )
            print(f"{joint:,} of the items are joint.", flush=True)
            run([*MANAGE, "migrate", "news", "0019"], env=env, timeout=TIMEOUT, what="back")
            compact_and_analyze(url)
            started = time.perf_counter()
            run([*MANAGE, "migrate", "news", "0020"], env=env, timeout=TIMEOUT, what="0020")
            seconds = time.perf_counter() - started
            rows = psql_count(url, "SELECT count(*) FROM news_signoff")
            print(
                f"migrate news 0020 over the archive: {seconds:,.1f} s "
                f"({rows:,} sign-offs recorded)",
                flush=True,
            )
            run([*MANAGE, "migrate", "--no-input"], env=env, timeout=600, what="migrate")
            run([*MANAGE, "collectstatic", "--no-input"], env=env, timeout=300, what="static")
            compact_and_analyze(url)
            output = run(
                [PYTHON, "-m", "bench.signoff_bench", "--child", str(items)],
                env=env,
                timeout=TIMEOUT,
                what="the back office",
            )
            result = json.loads(output.strip().splitlines()[-1])
        finally:
            drop_database(url)
    print(json.dumps(result, indent=2))
    print(f"CPU reference after: {cpu_reference_ms():.1f} ms", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
    else:
        try:
            main()
        except BenchError as error:
            sys.exit(f"bench-signoff: {error}")

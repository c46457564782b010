"""The parts of the benchmark that run inside Django, in a process of their own with the same
environment as the server under test (bench/run.py starts it):

    python -m bench.django_probe info                         what the bench database holds
    python -m bench.django_probe measure [--repeat N] PATH…   SQL queries and time per request

Each prints one JSON document on standard output.
"""

import argparse
import json
import statistics
import sys
import time

import django


def database_info():
    """The newest public article (the article page to load), the item counts and whether every
    migration on disk is applied."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from news.models import NewsItem

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    on_disk = {f"{app}.{name}" for app, name in loader.disk_migrations}
    applied = {f"{app}.{name}" for app, name in loader.applied_migrations}
    newest = NewsItem.objects.published().newest_first().first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        postgres_version = cursor.fetchone()[0]
    return {
        "items": NewsItem.objects.count(),
        "published": NewsItem.objects.published().count(),
        "article_path": newest.get_absolute_url() if newest else None,
        "migrations": sorted(on_disk),
        "unapplied_migrations": sorted(on_disk - applied),
        "postgres_version": postgres_version,
    }


def measure_path(path, client, repeat):
    """For one address: the SQL queries of the first request (cold: empty caches) and of the
    second (warm: what most requests of a busy site cost), then the median time of `repeat`
    more, one after another: the time a request takes when it waits for nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for _attempt in ("cold", "warm"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        counts.append(len(captured.captured_queries))
    timings = []
    for _attempt in range(repeat):
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "path": path,
        "status": response.status_code,
        "queries_cold": counts[0],
        "queries": counts[1],
        "single_ms": round(statistics.median(timings), 2) if timings else None,
    }


def measure_paths(paths, repeat):
    from django.test import Client

    from .processes import PROXY_HEADERS

    # DEBUG is off: the test client's default host ("testserver") is not allowed. A page that
    # fails is reported with its status (500) rather than stopping the count.
    proxy = {
        f"HTTP_{name.upper().replace('-', '_')}": value for name, value in PROXY_HEADERS.items()
    }
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False, **proxy)
    return [measure_path(path, client, repeat) for path in paths]


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.django_probe")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("info")
    measure = commands.add_parser("measure")
    measure.add_argument("--repeat", type=int, default=5)
    measure.add_argument("paths", nargs="+")
    return parser.parse_args(argv)


def main(argv=None):
    arguments = parse_arguments(argv)
    django.setup()
    if arguments.command == "info":
        result = database_info()
    else:
        result = measure_paths(arguments.paths, arguments.repeat)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

"""The page cache when the shared cache fails (news/pagecache.py): an invalidation that does not
reach Redis is retried, and owed until it does; meanwhile pages come from the database."""

import os
import re
import socket
import time

import pytest
import redis

from news import pagecache
from news.models import FieldOfWork, NewsItem

from .factories import NewsItemFactory
from .test_page_cache import listing

pytestmark = pytest.mark.usefixtures("reference_data", "page_cache_on", "nothing_owed")

# A Redis database per test process (pytest-xdist runs two): each test flushes its own.
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_TEST_URL = f"redis://127.0.0.1:6379/{14 + WORKER % 2}"


@pytest.fixture
def redis_cache(settings):
    """The production cache backend over a real Redis."""
    server = redis.Redis.from_url(REDIS_TEST_URL)
    server.flushdb()
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "osceportal.cache.ResilientRedisCache",
            "LOCATION": REDIS_TEST_URL,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        },
    }
    yield server
    server.flushdb()


class Outage:
    """Redis commands that time out: each command named fails `times` times (or until `end`)."""

    def __init__(self):
        self.failing = {}
        self.failed = []

    def fail(self, *commands, times=float("inf")):
        self.failing.update(dict.fromkeys(commands, times))

    def end(self):
        self.failing.clear()


@pytest.fixture
def outage(redis_cache, monkeypatch):
    outage = Outage()
    execute_command = redis.Redis.execute_command

    def timing_out(client, *args, **options):
        command = str(args[0]).upper()
        if outage.failing.get(command, 0) > 0:
            outage.failing[command] -= 1
            outage.failed.append(command)
            raise redis.exceptions.TimeoutError("Timeout reading from socket")
        return execute_command(client, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", timing_out)
    return outage


def withdraw(item):
    item.status = NewsItem.Status.WITHDRAWN
    item.save()


@pytest.fixture
def cached_item(client, commit, redis_cache):
    """A public item whose page and listing are in the cache."""
    item = commit(lambda: NewsItemFactory(title="A statement soon withdrawn"))
    for url in (item.get_absolute_url(), "/news/"):
        client.get(url)
        assert client.get(url)["X-Cache"] == "hit"
    return item


def test_a_withdrawn_item_is_not_served_from_the_cache_when_the_bump_times_out(
    client, commit, outage, cached_item
):
    outage.fail("INCRBY")  # the bump's INCR, every time
    commit(lambda: withdraw(cached_item))
    assert outage.failed.count("INCRBY") == 1 + len(pagecache.BUMP_PAUSES)  # retried
    assert pagecache.bump_owed()
    response = client.get(cached_item.get_absolute_url())
    assert response.status_code == 404
    listing = client.get("/news/")
    assert cached_item.title not in listing.content.decode()
    assert not listing.has_header("X-Cache")  # neither read nor stored
    # Every request tried the owed bump again first.
    assert outage.failed.count("INCRBY") == 3 + len(pagecache.BUMP_PAUSES)


def test_a_bump_is_retried_until_it_reaches_the_cache(client, commit, outage, cached_item):
    outage.fail("INCRBY", times=2)
    commit(lambda: withdraw(cached_item))
    assert outage.failed == ["INCRBY", "INCRBY"]
    assert not pagecache.bump_owed()
    assert client.get(cached_item.get_absolute_url()).status_code == 404
    listing = client.get("/news/")
    assert listing["X-Cache"] == "miss"
    assert cached_item.title not in listing.content.decode()


def test_the_owed_bump_is_made_once_the_cache_answers_again(client, commit, outage, cached_item):
    outage.fail("INCRBY")
    commit(lambda: withdraw(cached_item))
    outage.end()
    listing = client.get("/news/")
    assert listing["X-Cache"] == "miss"
    assert cached_item.title not in listing.content.decode()
    assert not pagecache.bump_owed()
    assert client.get("/news/")["X-Cache"] == "hit"  # the cache serves again


def test_a_server_that_saw_the_cache_fail_bumps_before_serving_from_it(client, outage, cached_item):
    # Another server withdraws the item while Redis is failing: its bump is lost. This server
    # only saw a read fail; it must not trust the pages of before once Redis is back.
    outage.fail("MGET")
    assert client.get("/news/").status_code == 200  # made from the database
    NewsItem.objects.filter(pk=cached_item.pk).update(status=NewsItem.Status.WITHDRAWN)
    outage.end()
    assert client.get(cached_item.get_absolute_url()).status_code == 404
    assert cached_item.title not in client.get("/news/").content.decode()


def panel_count(response, facet, value):
    """The count the rendered filter panel shows beside an option."""
    label = re.search(
        rf'<label for="{facet}-{value}">[^<]*<span class="count">'
        r'<span aria-hidden="true">(\d+)<',
        response.content.decode(),
    )
    return int(label.group(1))


def test_facet_counts_are_made_afresh_while_a_bump_is_owed(client, commit, settings, outage):
    settings.FACET_CACHE = True
    border = FieldOfWork.objects.get(slug="border-management")
    items = commit(lambda: [NewsItemFactory(fields_of_work=[border]) for _ in range(3)])
    url = "/api/news/?field=border-management"  # its count comes from the facet counts
    assert client.get(url).json()["count"] == 3
    assert panel_count(client.get("/news/"), "field", "border-management") == 3
    outage.fail("INCRBY")
    commit(lambda: withdraw(items[0]))
    # The counts and the filter panel kept under the old generation say 3: neither is used.
    assert client.get(url).json()["count"] == 2
    assert panel_count(client.get("/news/"), "field", "border-management") == 2
    outage.end()
    assert client.get(url).json()["count"] == 2
    assert panel_count(client.get("/news/"), "field", "border-management") == 2


def test_a_bump_against_a_hung_redis_gives_up_within_a_second_or_so(settings):
    # Real timeouts: a server that accepts connections and never answers.
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(64)
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "osceportal.cache.ResilientRedisCache",
                "LOCATION": f"redis://127.0.0.1:{hung.getsockname()[1]}/0",
                # As in production (osceportal/settings.py).
                "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
            },
        }
        started = time.monotonic()
        assert pagecache.bump() is False
        assert time.monotonic() - started < 1.5
        assert pagecache.bump_owed()


def test_a_hit_is_still_one_round_trip_to_redis(client, redis_cache, monkeypatch):
    listing(client)
    commands = []
    execute_command = redis.Redis.execute_command
    monkeypatch.setattr(
        redis.Redis,
        "execute_command",
        lambda client, *args, **options: (
            commands.append(args[0]) or execute_command(client, *args, **options)
        ),
    )
    assert listing(client)["X-Cache"] == "hit"
    assert commands == ["MGET"]

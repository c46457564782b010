"""Reads on PostgreSQL streaming replicas (news/replicas/), on a real primary and standby made for
the run (bench/replica_services.py): public reads go to the replica and everything else to the
primary; a replica too far behind, or down, is skipped without an error; the page cache keeps
nothing read from a replica that has not replayed the changes of its generation."""

import io
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings

from bench.replica_services import missing_programs, replicated_postgres
from news import pagecache
from news.models import NewsItem
from news.replicas import health
from news.replicas.middleware import ReplicaMiddleware, cookie_max_age
from news.replicas.routing import COOKIE_NAME, read_alias, reading
from osceportal.settings import replica_databases

from .factories import NewsItemFactory
from .test_settings import settings_module_with

REPLICA = "replica_1"
DATABASE = "osceportal_replicas"
WAIT_SECONDS = 30


# --- without replicas --------------------------------------------------------------------------


def test_replica_urls_become_database_aliases():
    urls = "postgres://reader@replica-a:5432/osceportal,postgres://reader@replica-b/osceportal"
    found = settings_module_with(
        {"DATABASE_REPLICA_URLS": urls}, names=("DATABASE_REPLICAS", "DATABASES")
    )
    assert found["DATABASE_REPLICAS"] == ["replica_1", "replica_2"]
    replica = found["DATABASES"]["replica_2"]
    assert (replica["HOST"], replica["NAME"]) == ("replica-b", "osceportal")
    assert replica["TEST"]["MIRROR"] == "default"  # the test runner makes no database of it
    assert replica["OPTIONS"]["connect_timeout"] == 2


def test_without_replicas_nothing_changes(client, db):
    assert read_alias() == "default"
    with CaptureQueriesContext(connection) as ran:
        assert client.get("/news/").status_code == 200
    assert not any("wal_lsn" in query["sql"] for query in ran.captured_queries)
    assert COOKIE_NAME not in client.post("/news/").cookies


# --- a primary and its streaming standby -------------------------------------------------------


@pytest.fixture(scope="session")
def replication():
    """A private primary and its streaming standby, started once for the run."""
    missing = missing_programs()
    if missing:
        pytest.skip(
            f"the PostgreSQL server programs are not installed ({', '.join(missing)}): "
            "apt-get install postgresql"
        )
    with replicated_postgres() as cluster:
        cluster.start_primary()
        cluster.start_standby()
        yield cluster


@pytest.fixture(scope="module")
def replicated(replication, django_db_blocker):
    """For this module: `default` on the private primary, in a database of its own (migrated,
    the taxonomy loaded), and `replica_1` on its standby, as DATABASE_REPLICA_URLS makes it;
    the test database again afterwards. What the tests write is committed on the primary and
    streamed to the standby. What the process keeps of a database in memory (content types,
    the taxonomy's records: news/taxonomy_cache.py) matches for both, made the same way from
    scratch; the listing's index is not used meanwhile."""
    with psycopg.connect(replication.primary.url(), autocommit=True) as primary:
        primary.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        primary.execute(f"CREATE DATABASE {DATABASE}")
    test_database = connections.settings["default"]
    primary = {**test_database, "HOST": "127.0.0.1", "PORT": replication.primary.port}
    replica = replica_databases([replication.standby.url(DATABASE)])[REPLICA]
    with (
        django_db_blocker.unblock(),
        override_settings(DATABASE_REPLICAS=[REPLICA], LISTING_INDEX=False),
    ):
        reconnect({"default": {**primary, "NAME": DATABASE}, REPLICA: replica})
        try:
            call_command("migrate", verbosity=0)
            call_command("load_reference_data", stdout=io.StringIO())
            yield replication
        finally:
            reconnect({"default": test_database, REPLICA: None})


def reconnect(entries):
    """Close these aliases' connections and give them these settings (None: no such alias)."""
    for alias, entry in entries.items():
        if alias in connections.settings:
            connections[alias].close()
            del connections[alias]
        connections.settings.pop(alias, None)
        if entry is not None:
            connections.settings[alias] = entry
    connections.configure_settings(connections.settings)  # the keys Django fills in itself
    ContentType.objects.clear_cache()


@pytest.fixture
def cluster(replicated):
    """Each test starts with the standby current, and nothing known of it by this process."""
    wait_until_replayed(replicated)
    health.forget()
    yield replicated
    health.forget()


def wait_until_replayed(cluster):
    """Until the standby has replayed everything the primary has written so far."""
    with psycopg.connect(cluster.primary.url(), autocommit=True) as primary:
        (position,) = primary.execute("SELECT pg_current_wal_lsn()").fetchone()
    with psycopg.connect(cluster.standby.url(), autocommit=True) as standby:
        deadline = time.monotonic() + WAIT_SECONDS
        while not standby.execute(
            "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position]
        ).fetchone()[0]:
            assert time.monotonic() < deadline, "the standby did not catch up"
            time.sleep(0.05)


@contextmanager
def replay_paused(cluster):
    """The standby receives the primary's WAL but applies none of it inside the block."""
    with psycopg.connect(cluster.standby.url(), autocommit=True) as standby:
        standby.execute("SELECT pg_wal_replay_pause()")
        while standby.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] != "paused":
            time.sleep(0.05)
        try:
            yield
        finally:
            standby.execute("SELECT pg_wal_replay_resume()")


@pytest.fixture
def item(cluster):
    """A public article, on the standby too."""
    made = NewsItemFactory(title="Border management training in Dushanbe")
    wait_until_replayed(cluster)
    return made


@contextmanager
def queries():
    """{alias: [(sql, params)] it was asked to run inside the block}. Unlike Django's
    CaptureQueriesContext, it never connects: the standby may be down."""
    ran = {"default": [], REPLICA: []}

    def recorder(alias):
        def record(execute, sql, params, many, context):
            ran[alias].append((sql, params))
            return execute(sql, params, many, context)

        return record

    with (
        connections["default"].execute_wrapper(recorder("default")),
        connections[REPLICA].execute_wrapper(recorder(REPLICA)),
    ):
        yield ran


def looked_up(item, statements):
    """Whether `item` was looked up (by its slug, as its page does) by one of `statements`."""
    return any(item.slug in map(str, params or ()) for _sql, params in statements)


def test_a_public_page_is_read_from_the_replica(client, item):
    with queries() as ran:
        response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    assert item.title in response.content.decode()
    assert looked_up(item, ran[REPLICA]) and not looked_up(item, ran["default"])
    assert COOKIE_NAME not in response.cookies  # a public page sets no cookie


def test_outside_requests_everything_is_read_from_the_primary(cluster):
    assert read_alias() == "default"
    assert NewsItem.objects.all().db == "default"


def test_writes_go_to_the_primary(item):
    with reading(REPLICA):
        read = NewsItem.objects.get(pk=item.pk)
        assert read._state.db == REPLICA
        read.lead = "Saved where it was read from? No: on the primary."
        read.save()  # a read-only standby would refuse it
    assert NewsItem.objects.get(pk=item.pk).lead == read.lead


def test_a_request_reads_the_primary_once_it_has_written(cluster, item):
    def view(request):
        assert read_alias() == REPLICA
        NewsItem.objects.filter(pk=item.pk).update(lead="Changed in a GET")
        assert read_alias() == "default"
        return HttpResponse()

    response = ReplicaMiddleware(view)(RequestFactory().get("/news/"))
    assert response.cookies[COOKIE_NAME]["max-age"] == cookie_max_age()


def test_the_request_after_a_write_reads_the_primary_and_no_cached_page(
    client, item, page_cache_on, nothing_owed
):
    response = client.post(item.get_absolute_url())  # any method but GET and HEAD
    cookie = response.cookies[COOKIE_NAME]
    # A little longer than a replica in use may be behind.
    assert cookie["max-age"] == cookie_max_age() > 5
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    with queries() as ran:
        after = client.get(item.get_absolute_url())
    assert looked_up(item, ran["default"]) and not ran[REPLICA]
    assert not after.has_header("X-Cache")


def test_the_back_office_and_signed_in_staff_read_the_primary(client, item):
    staff = get_user_model().objects.create_superuser("replica-editor", password="x" * 16)
    client.force_login(staff)
    with queries() as ran:
        assert client.get(item.get_absolute_url()).status_code == 200
        assert client.get("/admin/").status_code == 200
    assert looked_up(item, ran["default"]) and not ran[REPLICA]


def test_the_back_office_login_page_reads_the_primary(client, cluster):
    with queries() as ran:
        assert client.get("/admin/login/").status_code == 200
    assert not ran[REPLICA]


def test_a_replica_too_far_behind_is_skipped(client, cluster, settings):
    settings.DATABASE_REPLICA_MAX_LAG = 1
    with replay_paused(cluster):
        fresh = NewsItemFactory(title="Published while the standby lags")  # not on the standby
        time.sleep(settings.DATABASE_REPLICA_MAX_LAG + health.CHECK_INTERVAL)
        with queries() as ran:
            response = client.get(fresh.get_absolute_url())
        assert response.status_code == 200  # the standby would answer 404
        assert looked_up(fresh, ran["default"]) and not looked_up(fresh, ran[REPLICA])
    wait_until_replayed(cluster)
    # Its last transaction replayed is a few seconds old now: within the default bound, in case
    # the primary writes to its log again before the check.
    settings.DATABASE_REPLICA_MAX_LAG = 5
    time.sleep(health.CHECK_INTERVAL)
    with queries() as ran:
        assert client.get(fresh.get_absolute_url()).status_code == 200
    assert looked_up(fresh, ran[REPLICA])


def test_a_replica_that_fails_is_skipped_without_an_error_and_used_again(
    client, cluster, item, monkeypatch
):
    monkeypatch.setattr(health, "CHECK_INTERVAL", 60)  # it is not checked again before it fails
    monkeypatch.setattr(health, "FIRST_BACKOFF", 0.2)
    url = item.get_absolute_url()
    with queries() as ran:
        client.get(url)
    assert looked_up(item, ran[REPLICA])

    cluster.standby.stop("immediate")
    # The client raises any error the site met, even one it answered 5xx.
    with queries() as ran:
        during = client.get(url)  # fails on the replica, answered again on the primary
    assert during.status_code == 200 and looked_up(item, ran["default"])
    assert not health.health_of(REPLICA).usable
    time.sleep(0.3)  # past the back-off: checked again, refused, skipped
    assert client.get(url).status_code == 200

    cluster.standby.start()
    wait_until_replayed(cluster)
    time.sleep(0.5)  # past the second back-off
    with queries() as ran:
        assert client.get(url).status_code == 200
    assert looked_up(item, ran[REPLICA]) and not looked_up(item, ran["default"])


def test_the_page_cache_keeps_no_page_from_a_replica_behind_its_generation(
    client, cluster, item, settings, page_cache_on, nothing_owed
):
    settings.DATABASE_REPLICA_MAX_LAG = 3600  # behind the change, yet within the bound
    url = item.get_absolute_url()
    with replay_paused(cluster):
        item.title = "Corrected headline"
        item.save()  # committed: the generation is renewed, with the primary's WAL position
        for _ in range(2):
            stale = client.get(url)
            assert "Corrected headline" not in stale.content.decode()  # read on the standby
            assert not stale.has_header("X-Cache")  # served, not kept
            assert stale["Cache-Control"] == "public, max-age=0"  # nor by browsers
    wait_until_replayed(cluster)
    fresh = client.get(url)
    assert fresh["X-Cache"] == "miss" and "Corrected headline" in fresh.content.decode()
    assert client.get(url)["X-Cache"] == "hit"


def test_a_generation_without_its_position_gets_one_read_from_the_primary(
    client, cluster, item, page_cache_on, nothing_owed
):
    cache.delete(pagecache.WAL_POSITION)  # as if the bump could not read the primary
    url = item.get_absolute_url()
    assert client.get(url)["X-Cache"] == "miss"  # kept: read from a replica that holds it all
    assert client.get(url)["X-Cache"] == "hit"
    generation, position = cache.get(pagecache.WAL_POSITION)
    assert generation == cache.get(pagecache.GENERATION) and position > 0

import datetime

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from countries.models import Country
from languages.catalogues import compile_all
from news import pagecache
from news.jsonl_import import parse_file
from news.jsonl_store import create_all
from news.models import FieldOfWork, NewsItem
from structures.models import Structure

# The fixtures of the meetings' tests (tests/test_event*.py): no_events, frozen, ministerial.
from .events_data import frozen, ministerial, no_events  # noqa: F401
from .factories import NewsItemFactory
from .site_tables import copy_site_tables, put_back_reference_data
from .smtp import start_server


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The bundled taxonomy is loaded once into the test database, and a copy of its tables
    kept, to put it back after a transactional test empties the database."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
        return copy_site_tables() if connection.vendor == "postgresql" else None


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """The translation catalogues as the site reads them (README, "Languages")."""
    compile_all()


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache (menus, pages), whatever ran before it."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def visitor(client):
    """A test client that reports a server error as its 500 answer rather than raising it."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def reference_data(db, django_db_setup):
    """The taxonomy, put back if a transactional test flushed it."""
    if not Country.objects.exists():
        put_back_reference_data(django_db_setup)


@pytest.fixture
def demo_news(reference_data):
    """The bundled demo news (the seed item and the samples), created in bulk: a few queries
    instead of an import per test. tests/test_import_export.py checks both give the same."""
    return create_all(parse_file(settings.DEMO_NEWS_FILE))


# --- the page cache (tests/test_page_cache*.py, tests/test_page_keys.py) ----------------------


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def nothing_owed():
    """Each test starts, and leaves, with no bump owed, whatever failed before it."""
    pagecache.settle(pagecache.cache_failures())
    yield
    pagecache.settle(pagecache.cache_failures())


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what a committed transaction would run (the test's own transaction never commits)."""

    def run(change):
        # What the test did before counts as committed: a bump it left pending would stand in
        # for this change's own (news/pagecache.py: bump_on_commit).
        connection.run_on_commit.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = change()
        # As after a real commit, the callbacks that ran are gone.
        connection.run_on_commit.clear()
        return result

    return run


# --- items the public must never see (tests of the listing's machine-readable views) -------


@pytest.fixture
def hidden_items(reference_data):
    """A draft, a withdrawn and a scheduled item that every filter above would otherwise match."""
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    fields = FieldOfWork.objects.filter(slug__in=["border-management", "human-rights"])
    tajikistan = Country.objects.get(slug="tajikistan")
    common = {
        "type": NewsItem.Type.PRESS_RELEASE,
        "issued_by": [dushanbe],
        "fields_of_work": fields,
        "countries": [tajikistan],
        "published_at": timezone.make_aware(datetime.datetime(2013, 6, 1, 12)),
    }
    items = [
        NewsItemFactory(slug="hidden-draft", status=NewsItem.Status.DRAFT, **common),
        NewsItemFactory(slug="hidden-withdrawn", status=NewsItem.Status.WITHDRAWN, **common),
        NewsItemFactory(
            slug="hidden-scheduled",
            **common | {"published_at": timezone.now() + datetime.timedelta(hours=1)},
        ),
    ]
    for item in items:
        item.tags.add("demo")
    return {item.slug for item in items}


# --- email alerts (tests/test_alerts*.py) ------------------------------------------------------


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a free port, and the site's SMTP backend pointed at it."""
    inbox, controller = start_server()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    inbox.port = controller.port
    yield inbox
    controller.stop()

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

from countries.models import Country
from news.jsonl import create_all, parse_file


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The bundled taxonomy is loaded once into the test database."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache (menus, pages), whatever ran before it."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reference_data(db):
    """The taxonomy, loaded again if a transactional test flushed it."""
    if not Country.objects.exists():
        call_command("load_reference_data", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def demo_news(reference_data):
    """The bundled demo news (the seed item and the samples), created in bulk: a few queries
    instead of an import per test. tests/test_import_export.py checks both give the same."""
    return create_all(parse_file(settings.DEMO_NEWS_FILE))

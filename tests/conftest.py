import pytest
from django.core.management import call_command

from countries.models import Country


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The bundled taxonomy is loaded once into the test database."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def reference_data(db):
    """The taxonomy, loaded again if a transactional test flushed it."""
    if not Country.objects.exists():
        call_command("load_reference_data", stdout=open("/dev/null", "w"))  # noqa: SIM115

"""The site's PostgreSQL backend (osceportal/postgresql/base.py): a kept connection's health
check looks at its socket, and asks the server only when something waits there."""

import select
import time

import pytest
from django.db import connection
from django.db.backends.postgresql import base as django_backend

from .test_listing_index import other_session

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def server_asked(monkeypatch):
    """The times Django's own check (`SELECT 1`) was made."""
    asked = []
    real = django_backend.DatabaseWrapper.is_usable

    def is_usable(self):
        asked.append(self.alias)
        return real(self)

    monkeypatch.setattr(django_backend.DatabaseWrapper, "is_usable", is_usable)
    return asked


def pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def wait_for_the_server_to_speak(seconds=10):
    poller = select.poll()
    poller.register(connection.connection.fileno(), select.POLLIN)
    deadline = time.monotonic() + seconds
    while not poller.poll(50):
        assert time.monotonic() < deadline, "the server did not end the connection"


def test_a_well_idle_connection_is_usable_without_asking_the_server(server_asked):
    pid()
    assert connection.is_usable()
    assert server_asked == []


def test_a_connection_the_server_ended_is_found_and_replaced(server_asked):
    ended = pid()
    with other_session() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [ended])
    wait_for_the_server_to_speak()
    assert not connection.is_usable()
    # As a request finds it with CONN_HEALTH_CHECKS: closed, and made again by its first query.
    connection.health_check_enabled, connection.health_check_done = True, False
    connection.close_if_health_check_failed()
    assert connection.connection is None
    assert pid() != ended


def test_something_else_waiting_is_settled_by_asking_the_server(server_asked):
    with connection.cursor() as cursor:
        cursor.execute("LISTEN backend_test")
    with other_session() as other:
        other.execute("NOTIFY backend_test")
    wait_for_the_server_to_speak()
    assert connection.is_usable()
    assert server_asked == ["default"]

"""While the database cannot be reached, pages answer 503 "temporarily unavailable" with
Retry-After, and /healthz says so to the load balancer; once it is back, they answer again.

The outage is real: the connection is pointed at a loopback port where nothing listens."""

import socket

import pytest
from django.db import connection

from osceportal.errors import server_error


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free once the socket is closed


@pytest.fixture
def unreachable_database(django_db_blocker):
    with django_db_blocker.unblock():
        saved = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)


@pytest.mark.parametrize("url", ["/", "/news/", "/news/some-article/", "/api/news/"])
def test_pages_answer_503_with_retry_after_while_the_database_is_down(
    visitor, unreachable_database, url
):
    response = visitor.get(url)
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response["Cache-Control"] == "no-store"
    assert "temporarily unavailable" in response.content.decode()


def test_healthz_answers_503_while_the_database_is_down(visitor, unreachable_database):
    response = visitor.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.django_db
def test_healthz_answers_200_with_the_database_up(visitor):
    # Inside the test's transaction the listing keeps no index, nor the search words.
    assert visitor.get("/healthz").json() == {"status": "ok", "search_words": "off"}


def test_other_errors_stay_500(rf):
    try:
        raise ValueError("a bug, not an outage")
    except ValueError:
        response = server_error(rf.get("/news/"))
    assert response.status_code == 500
    assert not response.has_header("Retry-After")

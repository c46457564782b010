"""Two app servers, one PostgreSQL, one Redis: what an editor publishes through one server is on
the other's listing at the next request, although that listing was cached."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
import redis
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.db import connection

from news.models import FieldOfWork, NewsItem
from structures.models import Structure

from .factories import NewsItemFactory

REDIS_TEST_URL = "redis://127.0.0.1:6379/13"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment():
    database = connection.settings_dict
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "osceportal.settings",
        "DJANGO_DEBUG": "1",  # static files straight from the app folders, no collectstatic
        "DJANGO_SECRET_KEY": "two-servers-test",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        "REDIS_URL": REDIS_TEST_URL,
        "PAGE_CACHE_SECONDS": "300",
    }


@pytest.fixture
def two_servers():
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    servers = []
    for _ in range(2):
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "osceportal.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--log-level", "warning"],
            cwd=settings.BASE_DIR, env=server_environment(),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        servers.append((process, f"http://127.0.0.1:{port}"))
    try:
        for process, base in servers:
            wait_until_up(process, base)
        yield [base for _, base in servers]
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=10)


def wait_until_up(process, base):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode())
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{base} did not answer")


def get(opener, url, data=None):
    encoded = urllib.parse.urlencode(data, doseq=True).encode() if data else None
    with opener.open(url, encoded, timeout=20) as response:
        return response.headers, response.read().decode()


def csrf_token(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@pytest.mark.django_db(transaction=True)
def test_publishing_through_one_server_shows_on_the_other(reference_data, two_servers):
    server_a, server_b = two_servers
    chief = User.objects.create_superuser("chief")
    # Hashed as the servers hash passwords (the suite itself uses a fast test hasher).
    chief.password = PBKDF2PasswordHasher().encode("a long editorial password", "saltsalt1234")
    chief.save()
    draft = NewsItemFactory(
        title="Statement published through server A",
        status=NewsItem.Status.DRAFT,
        issued_by=[Structure.objects.get(slug="secretariat")],
        fields_of_work=[FieldOfWork.objects.get(slug="elections")],
    )
    visitor = urllib.request.build_opener()
    get(visitor, f"{server_b}/news/")
    headers, page = get(visitor, f"{server_b}/news/")
    assert headers["X-Cache"] == "hit"
    assert draft.title not in page

    editor = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    _, login = get(editor, f"{server_a}/admin/login/")
    get(
        editor,
        f"{server_a}/admin/login/?next=/admin/",
        {"username": "chief", "password": "a long editorial password",
         "csrfmiddlewaretoken": csrf_token(login), "next": "/admin/"},
    )  # fmt: skip
    _, changelist = get(editor, f"{server_a}/admin/news/newsitem/")
    get(
        editor,
        f"{server_a}/admin/news/newsitem/",
        {"action": "publish_selected", "_selected_action": [draft.pk],
         "csrfmiddlewaretoken": csrf_token(changelist)},
    )  # fmt: skip
    draft.refresh_from_db()
    assert draft.status == NewsItem.Status.PUBLISHED

    headers, page = get(visitor, f"{server_b}/news/")
    assert headers["X-Cache"] == "miss"
    assert draft.title in page

"""Two app servers, one PostgreSQL, one Redis: what an editor publishes through one server is on
the other's listing at the next request, although that listing was cached; and still is when
Redis was unreachable at the time, once it is back.

The servers reach Redis through a relay of this test's own, which can cut them off from it."""

import contextlib
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
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
REDIS_ADDRESS = ("127.0.0.1", 6379)
REDIS_DATABASE = 13


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisRelay:
    """A TCP relay to Redis that can be cut, as a network fault or a Redis restart cuts it: open
    connections are dropped and new ones refused until it is restored."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/{REDIS_DATABASE}"
        self.sockets = []
        self.listener = None
        self.restore()

    def restore(self):
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.listener.settimeout(0.05)
        threading.Thread(target=self.accept, args=(self.listener,), daemon=True).start()

    def cut(self):
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.sockets.clear()

    def accept(self, listener):
        while listener.fileno() != -1:
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            upstream = socket.create_connection(REDIS_ADDRESS)
            self.sockets += [client, upstream]
            for source, destination in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(source, destination), daemon=True).start()

    @staticmethod
    def pipe(source, destination):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                destination.sendall(data)
        for sock in (source, destination):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def server_environment(redis_url):
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
        "REDIS_URL": redis_url,
        "PAGE_CACHE_SECONDS": "300",
    }


@pytest.fixture
def redis_relay():
    relay = RedisRelay()
    yield relay
    relay.cut()


@pytest.fixture
def two_servers(redis_relay):
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    servers = []
    for _ in range(2):
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "osceportal.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--log-level", "warning"],
            cwd=settings.BASE_DIR, env=server_environment(redis_relay.url),
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


@pytest.fixture
def chief():
    chief = User.objects.create_superuser("chief")
    # Hashed as the servers hash passwords (the suite itself uses a fast test hasher).
    chief.password = PBKDF2PasswordHasher().encode("a long editorial password", "saltsalt1234")
    chief.save()
    return chief


@pytest.fixture
def draft(reference_data):
    return NewsItemFactory(
        title="Statement published through server A",
        status=NewsItem.Status.DRAFT,
        issued_by=[Structure.objects.get(slug="secretariat")],
        fields_of_work=[FieldOfWork.objects.get(slug="elections")],
    )


def signed_in_editor(server):
    editor = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    _, login = get(editor, f"{server}/admin/login/")
    get(
        editor,
        f"{server}/admin/login/?next=/admin/",
        {"username": "chief", "password": "a long editorial password",
         "csrfmiddlewaretoken": csrf_token(login), "next": "/admin/"},
    )  # fmt: skip
    return editor


def changelist_token(editor, server):
    _, changelist = get(editor, f"{server}/admin/news/newsitem/")
    return csrf_token(changelist)


def publish(editor, server, item, token):
    get(
        editor,
        f"{server}/admin/news/newsitem/",
        {"action": "publish_selected", "_selected_action": [item.pk],
         "csrfmiddlewaretoken": token},
    )  # fmt: skip
    item.refresh_from_db()
    assert item.status == NewsItem.Status.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_publishing_through_one_server_shows_on_the_other(two_servers, chief, draft):
    server_a, server_b = two_servers
    visitor = urllib.request.build_opener()
    get(visitor, f"{server_b}/news/")
    headers, page = get(visitor, f"{server_b}/news/")
    assert headers["X-Cache"] == "hit"
    assert draft.title not in page

    editor = signed_in_editor(server_a)
    publish(editor, server_a, draft, changelist_token(editor, server_a))

    headers, page = get(visitor, f"{server_b}/news/")
    assert headers["X-Cache"] == "miss"
    assert draft.title in page


@pytest.mark.django_db(transaction=True)
def test_a_change_made_while_redis_was_unreachable_shows_once_it_is_back(
    two_servers, redis_relay, chief, draft
):
    server_a, server_b = two_servers
    visitor = urllib.request.build_opener()
    get(visitor, f"{server_b}/news/")
    headers, page = get(visitor, f"{server_b}/news/")
    assert headers["X-Cache"] == "hit"
    editor = signed_in_editor(server_a)
    token = changelist_token(editor, server_a)

    redis_relay.cut()
    publish(editor, server_a, draft, token)  # its bump cannot reach Redis: it is lost
    headers, page = get(visitor, f"{server_b}/news/")
    assert "X-Cache" not in headers  # server B sees Redis fail, and serves from the database
    assert draft.title in page

    redis_relay.restore()
    # Server B has seen Redis fail: before it trusts the listing it cached before the outage,
    # it renews the generation, since server A's bump was lost.
    headers, page = get(visitor, f"{server_b}/news/")
    assert headers["X-Cache"] == "miss"
    assert draft.title in page
    headers, page = get(visitor, f"{server_b}/news/")
    assert headers["X-Cache"] == "hit"
    assert draft.title in page

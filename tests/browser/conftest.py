"""Browser tests: Playwright for Python drives Debian's Chromium against pytest-django's live
server, with the bundled taxonomy and the demo news loaded.

Chromium is the system package (`apt-get install chromium`), never a browser downloaded by
`playwright install`. Every page a test looks at is saved, full length, under artifacts/.
"""

import contextlib
import os
import re
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from news.models import NewsItem
from tests.site_tables import copy_site_tables, put_back, put_back_reference_data

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    # Root in a container has no user namespaces for Chromium's sandbox.
    "--no-sandbox",
    "--disable-gpu",
    # No calls home: the machines reach no network but the package registries.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
# Browser context options for each kind of screen a test can ask for.
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "mobile": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True},
    # The smallest screen WCAG's reflow criterion asks for (1.4.10: 320 CSS px wide).
    "small": {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True},
    # A phone with scripts turned off: every panel must still open.
    "mobile-no-script": {
        "viewport": {"width": 375, "height": 740},
        "is_mobile": True,
        "has_touch": True,
        "java_script_enabled": False,
    },
}
TIMEOUT_MS = 10_000

# A failed expectation should say so in seconds, not after Playwright's default 30 s.
expect.set_options(timeout=TIMEOUT_MS)


def quiet():
    return {"stdout": StringIO(), "stderr": StringIO()}


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all the browser tests. It lives no longer than they do: while Playwright
    runs, the test thread looks like async code to Django, which then gives it database
    connections of its own (asgiref's Local)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium), "
            "set CHROMIUM_PATH, or leave the browser tests out with -m 'not browser'.",
            pytrace=False,
        )
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # Playwright's sync API leaves its event loop marked as running between calls, and
        # Django's guard then refuses the database to the test thread, which never runs
        # anything concurrently (microsoft/playwright-python#439).
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        # Close those connections while they can still be reached, or they would outlive the
        # test database and keep it from being dropped.
        connections.close_all()


@pytest.fixture(scope="session")
def site_data(django_db_setup, django_db_blocker):
    """The taxonomy and the demo news, loaded by their own commands once a session and kept as a
    copy of their tables: after a live-server test empties the database, COPY puts them back in
    a tenth of the time the commands take."""
    with django_db_blocker.unblock():
        put_back_reference_data(django_db_setup)
        call_command("import_news", str(settings.DEMO_NEWS_FILE), **quiet())
        return copy_site_tables()


@pytest.fixture(scope="package", autouse=True)
def _reference_data_survives_the_flush(django_db_setup, django_db_blocker):
    """A live-server test runs on a transactional database, which is emptied after each test.
    Put the taxonomy back as `django_db_setup` left it, so that the tests that run after these
    find the database that the tests before them found."""
    yield
    with django_db_blocker.unblock():
        put_back_reference_data(django_db_setup)


class RequestsInFlight:
    """The live server's application, counting the requests it has not finished: a request is
    finished once its response is closed, when Django sends `request_finished`.

    A page's script may post (the live checklist, live results) just before its test ends. The
    test's database is emptied as it ends; a request still at work then would hold its locks
    against the TRUNCATE (a deadlock) or reach the database after the test lost it."""

    def __init__(self, application):
        self.application = application
        self.count = 0
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        self.started()
        try:
            result = self.application(environ, start_response)
        except BaseException:
            self.finished()
            raise
        return Closing(result, self)

    def started(self):
        with self.changed:
            self.count += 1

    def finished(self):
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait_until_idle(self, timeout):
        with self.changed:
            return self.changed.wait_for(lambda: self.count == 0, timeout)


class Closing:
    """A response body that tells `RequestsInFlight` when the server has closed it."""

    def __init__(self, result, requests):
        self.result, self.requests = result, requests

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            if hasattr(self.result, "close"):
                self.result.close()
        finally:
            self.requests.finished()


def requests_in_flight(live_server):
    httpd = live_server.thread.httpd
    if not isinstance(httpd.application, RequestsInFlight):
        httpd.set_app(RequestsInFlight(httpd.application))
    return httpd.application


@pytest.fixture
def live_site(live_server, site_data):
    """The live server's address, serving the taxonomy and the demo news. The test ends only
    when the server has finished every request the browser sent (the browser's pages are closed
    by then: `page` and the others are set up after this fixture, so torn down before it)."""
    requests = requests_in_flight(live_server)
    if not NewsItem.objects.exists():
        put_back(site_data)
    yield live_server.url
    if not requests.wait_until_idle(timeout=30):
        pytest.fail(f"The live server still had {requests.count} requests at work after 30 s.")


@pytest.fixture
def device(request):
    """The screen: desktop, unless a test asks for another with
    `@pytest.mark.parametrize("device", ["desktop", "mobile"], indirect=True)`."""
    return DEVICES[getattr(request, "param", "desktop")]


@pytest.fixture
def page(browser, live_site, device, request):
    """A fresh browser context (no cookies, no cache) for each test, on the live site."""
    context = browser.new_context(base_url=live_site, **device)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        # A page beyond saving is no news: the test's own error says why.
        with contextlib.suppress(PlaywrightError):
            save_screenshot(page, request.node.name, "failed")
    context.close()


@pytest.fixture
def another_person(browser, live_site, device):
    """Opens a page in a browser of its own (no cookies shared with `page`): another person, as
    many as a test needs."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_site, **device)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request):
    """Save the whole page as artifacts/<test>-<n>-<path>.png; call it on every page visited."""
    test_name = safe_name(request.node.name)
    ARTIFACTS.mkdir(exist_ok=True)
    for pattern in ("[0-9][0-9]", "failed"):
        for stale in ARTIFACTS.glob(f"{test_name}-{pattern}-*.png"):
            stale.unlink()
    taken = 0

    def take(page):
        nonlocal taken
        taken += 1
        return save_screenshot(page, test_name, f"{taken:02d}")

    return take


def save_screenshot(page, test_name, label):
    page.wait_for_load_state("load")
    path_part = re.sub(r"^https?://[^/]+", "", page.url) or "/"
    path = ARTIFACTS / f"{safe_name(test_name)}-{label}-{safe_name(path_part) or 'home'}.png"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=path, full_page=True, animations="disabled")
    return path


def safe_name(text):
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:120]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test, so that `page` knows a test failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report

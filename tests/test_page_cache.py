import datetime
import re
import socket
import time

import pytest
import redis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection
from django.http import QueryDict
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from countries.models import Country
from news import page_keys, pagecache
from news.models import FieldOfWork, NewsItem
from structures.models import Structure

from .factories import NewsItemFactory

pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture(autouse=True)
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


def listing(client):
    return client.get("/news/")


def test_second_request_is_served_from_the_cache_without_sql(
    client, demo_news, django_assert_num_queries
):
    first = listing(client)
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = listing(client)
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_publishing_shows_at_once(client, commit):
    assert listing(client)["X-Cache"] == "miss"
    item = commit(lambda: NewsItemFactory(title="Fresh news from Bishkek"))
    response = listing(client)
    assert response["X-Cache"] == "miss"
    assert item.title in response.content.decode()


def test_editing_and_withdrawing_show_at_once(client, commit):
    item = commit(lambda: NewsItemFactory(title="Original headline"))
    assert "Original headline" in client.get(item.get_absolute_url()).content.decode()

    def rename():
        item.title = "Corrected headline"
        item.save()

    commit(rename)
    assert "Corrected headline" in client.get(item.get_absolute_url()).content.decode()

    def withdraw():
        item.status = NewsItem.Status.WITHDRAWN
        item.save()

    commit(withdraw)
    assert client.get(item.get_absolute_url()).status_code == 404
    assert "Corrected headline" not in listing(client).content.decode()


def test_taxonomy_change_shows_at_once(client, commit, demo_news):
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    url = dushanbe.get_absolute_url()
    assert "Programme Office in Dushanbe" in client.get(url).content.decode()

    def rename():
        dushanbe.issuing_label = "OSCE Renamed Office in Dushanbe"
        dushanbe.save()

    commit(rename)
    assert "OSCE Renamed Office in Dushanbe" in client.get(url).content.decode()


def test_a_change_not_yet_committed_does_not_invalidate(client):
    listing(client)
    NewsItemFactory(title="Not committed")  # no on_commit callbacks run
    assert listing(client)["X-Cache"] == "hit"


def test_scheduled_item_appears_at_its_time(client, monkeypatch):
    go_live = timezone.now() + datetime.timedelta(minutes=10)
    NewsItemFactory(title="Scheduled statement", published_at=go_live)
    cache.clear()
    first = listing(client)
    assert "Scheduled statement" not in first.content.decode()
    # The page may be kept until the item goes live, not a moment longer.
    max_age = int(first["Cache-Control"].split("max-age=")[1])
    assert 0 < max_age <= 60
    assert listing(client)["X-Cache"] == "hit"

    later = go_live + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = listing(client)
    assert response["X-Cache"] == "miss"
    assert "Scheduled statement" in response.content.decode()


def test_cache_lifetime_is_capped_by_the_next_go_live(client):
    NewsItemFactory(published_at=timezone.now() + datetime.timedelta(seconds=42))
    cache.clear()
    _generation, _changed, lifetime, _page = pagecache.state("pages:test")
    assert 0 < lifetime <= 42


def test_conditional_get_answers_304(client):
    first = listing(client)
    assert first.has_header("ETag")
    hit = listing(client)
    assert hit["X-Cache"] == "hit" and hit["ETag"] == first["ETag"]
    again = client.get("/news/", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304


def test_signed_in_staff_bypass_the_cache(client, admin_user):
    listing(client)
    client.force_login(admin_user)
    response = listing(client)
    assert not response.has_header("X-Cache")


def test_errors_and_admin_pages_are_not_cached(client):
    client.get("/news/no-such-item/")
    assert not client.get("/news/no-such-item/").has_header("X-Cache")
    assert not client.get("/admin/login/").has_header("X-Cache")
    assert not client.get("/healthz").has_header("X-Cache")


def test_cache_can_be_turned_off(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    listing(client)
    assert not listing(client).has_header("X-Cache")


def test_pages_are_served_when_redis_is_down(client, settings, demo_news, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "osceportal.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:6390/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
        }
    }
    from django.core.cache import caches

    from osceportal.cache import ResilientRedisCache

    assert isinstance(caches["default"], ResilientRedisCache)
    with caplog.at_level("WARNING", logger="osceportal.cache"):
        for url in ("/", "/news/", "/news/?field=border-management", "/structures/"):
            assert client.get(url).status_code == 200, url
    assert "cache unavailable" in caplog.text


def test_a_bulk_delete_bumps_once(commit, django_capture_on_commit_callbacks):
    commit(lambda: [NewsItemFactory() for _ in range(5)])
    with django_capture_on_commit_callbacks() as callbacks:
        NewsItem.objects.all().delete()
    assert callbacks.count(pagecache.bump) == 1


def test_a_hit_costs_one_cache_round_trip(client, monkeypatch):
    listing(client)
    calls, depth = [], []
    for name in ("get", "get_many", "set", "add", "incr"):
        original = getattr(cache, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            if not depth:  # the test cache's get_many calls its own get: count the outer call
                calls.append(_name)
            depth.append(_name)
            try:
                return _original(*args, **kwargs)
            finally:
                depth.pop()

        monkeypatch.setattr(cache, name, counted)
    assert listing(client)["X-Cache"] == "hit"
    assert calls == ["get_many"]


def test_a_page_of_an_older_generation_is_replaced(client, commit):
    listing(client)
    commit(pagecache.bump)
    response = listing(client)
    assert response["X-Cache"] == "miss"
    assert listing(client)["X-Cache"] == "hit"


SECURITY_HEADERS = (
    "Content-Security-Policy",
    "Permissions-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)


def test_a_hit_carries_the_security_headers_of_the_page(client):
    # A hit is answered before the CSP and Permissions-Policy middleware: the headers come from
    # the stored page, and must be those of a page made afresh.
    made = listing(client)
    hit = listing(client)
    assert made["X-Cache"] == "miss" and hit["X-Cache"] == "hit"
    for name in SECURITY_HEADERS:
        assert hit[name] == made[name], name
    assert "script-src 'self'" in hit["Content-Security-Policy"]
    assert not hit.cookies


def test_the_redis_cache_keeps_one_client_per_pool():
    # Django's Redis cache makes a new client, with its ~170 response callbacks, for every
    # operation; ours keeps one (osceportal/cache.py). Database 12 is this test's own.
    from osceportal.cache import ResilientRedisCache

    backend = ResilientRedisCache("redis://127.0.0.1:6379/12", {})
    backend.set("reused", [1, 2], 30)
    assert backend.get_many(["reused", "missing"]) == {"reused": [1, 2]}
    assert backend._cache.get_client() is backend._cache.get_client(write=True)
    backend.delete("reused")


# The key: one page per canonical address.


def stored_pages():
    """The keys of the pages in the (local memory) test cache."""
    return [key for key in cache._cache if re.search(r":pages:[0-9a-f]{64}$", key)]


@pytest.fixture
def tagged_item(reference_data):
    item = NewsItemFactory(
        title="An item of every kind of page",
        fields_of_work=[FieldOfWork.objects.get(slug="border-management")],
        countries=[Country.objects.get(slug="tajikistan")],
    )
    item.tags.add("demo")
    return item


def example_urls(item):
    """An address of each public page, by URL name."""
    return {
        "home": "/",
        "news:list": "/news/",
        "news:detail": item.get_absolute_url(),
        "news:rss": "/news/rss/",
        "news:atom": "/news/atom/",
        "news:export_csv": "/news/export.csv",
        "news:field_list": "/fields-of-work/",
        "news:field_detail": "/fields-of-work/border-management/",
        "countries:list": "/countries/",
        "countries:detail": "/countries/tajikistan/",
        "structures:list": "/structures/",
        "structures:detail": "/structures/secretariat/",
        "api:news_list": "/api/news/",
        "api:news_detail": f"/api/news/{item.slug}/",
        "sitemap": "/sitemap.xml",
        "sitemap_section": "/sitemap-news.xml",
        "robots_txt": "/robots.txt",
    }


def public_url_names(patterns=None, namespace=None):
    """Every named URL but the back office's and the load balancer's."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if pattern.namespace and namespace:
                inner = f"{namespace}:{pattern.namespace}"
            if inner != "admin":
                yield from public_url_names(pattern.url_patterns, inner)
        elif pattern.name and pattern.name != "healthz":
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_public_url_says_which_parameters_its_view_reads(tagged_item):
    # A page left out would be kept under its query as written: safe, but any junk parameter
    # would make a new copy of it.
    assert set(public_url_names()) == set(page_keys.query_readings())
    assert set(example_urls(tagged_item)) == set(page_keys.query_readings())


# A valid value of each parameter the listing's machine-readable views read.
FILTER_VALUES = {
    "field": "border-management",
    "country": "tajikistan",
    "issued_by": "secretariat",
    "type": "news",
    "tag": "demo",
    "q": "item",
    "from": "2000-01-01",
    "to": "2999-01-01",
    "sort": "oldest",
    "page": "1",
    "page_size": "5",
    "p": "1",
}


class RecordingQueryDict(QueryDict):
    """request.GET, noting how a view reads each parameter: its last value (get), every value
    (getlist), whether it is there, or all parameters at once (under the name None)."""

    def __init__(self, query_string, read):
        self.read = set()  # what building it reads does not count
        super().__init__(query_string)
        self.read = read

    def __getitem__(self, key):
        self.read.add((key, page_keys.LAST_VALUE))
        return super().__getitem__(key)

    def getlist(self, key, default=None):
        self.read.add((key, page_keys.EVERY_VALUE))
        return super().getlist(key, default)

    def __contains__(self, key):
        self.read.add((key, "presence"))
        return super().__contains__(key)

    def __iter__(self):
        self.read.add((None, "all"))
        return super().__iter__()

    def lists(self):
        self.read.add((None, "all"))
        return super().lists()

    def dict(self):
        self.read.add((None, "all"))
        return super().dict()

    def copy(self):
        self.read.add((None, "all"))
        return super().copy()

    def urlencode(self, safe=None):
        self.read.add((None, "all"))
        return super().urlencode(safe)


def test_views_read_each_parameter_as_their_declaration_says(
    client, settings, tagged_item, monkeypatch
):
    # What a view reads must be in its page key, read the way the key takes it: a parameter
    # read with get() under EVERY_VALUE (whose key sorts the values) would let two pages share
    # one key. The page cache is off: only the views read the parameters here.
    settings.PAGE_CACHE_SECONDS = 0
    read = set()
    monkeypatch.setattr(
        WSGIRequest,
        "GET",
        property(lambda request: RecordingQueryDict(request.META["QUERY_STRING"], read)),
    )
    allowed = {
        page_keys.EVERY_VALUE: {page_keys.EVERY_VALUE, "presence"},
        page_keys.LAST_VALUE: {page_keys.LAST_VALUE, "presence"},
        page_keys.LAST_VALUE_AS_GIVEN: {page_keys.LAST_VALUE, "presence"},
    }
    for name, url in example_urls(tagged_item).items():
        params = page_keys.query_readings()[name].params
        read.clear()
        query = {param: FILTER_VALUES[param] for param in params} | {"junk": "1"}
        # The listing redirects this query to its canonical form: both are read.
        assert client.get(url, query, follow=True).status_code == 200, name
        for param, how in read:
            assert param in params, (name, param)
            assert how in allowed[params[param]], (name, param, how)


def answer(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, content


@pytest.mark.parametrize(
    ("name", "param"),
    [
        (name, param)
        for name, reads in page_keys.query_readings().items()
        for param, reading in reads.params.items()
        if reading == page_keys.LAST_VALUE
    ],
)
def test_a_blank_value_left_out_of_the_key_is_no_value_to_the_view(
    client, settings, tagged_item, name, param
):
    settings.PAGE_CACHE_SECONDS = 0
    url = example_urls(tagged_item)[name]
    assert answer(client.get(f"{url}?{param}=")) == answer(client.get(url))


@pytest.mark.parametrize(
    ("name", "param"),
    [
        (name, param)
        for name, reads in page_keys.query_readings().items()
        for param, reading in reads.params.items()
        # The listing redirects all orders but one: its key keeps the order (see below).
        if reading == page_keys.EVERY_VALUE and not reads.query_string
    ],
)
def test_the_order_of_values_sorted_in_the_key_is_nothing_to_the_view(
    client, settings, tagged_item, name, param
):
    settings.PAGE_CACHE_SECONDS = 0
    url = example_urls(tagged_item)[name]
    values = {
        "field": ("border-management", "elections"),
        "country": ("tajikistan", "finland"),
        "issued_by": ("secretariat", "odihr"),
        "type": ("news", "press_release"),
        "tag": ("demo", "second-tag"),
    }[param]
    tagged_item.tags.add("second-tag")
    forward = client.get(f"{url}?{param}={values[0]}&{param}={values[1]}")
    backward = client.get(f"{url}?{param}={values[1]}&{param}={values[0]}")
    assert forward.status_code == 200
    assert answer(forward) == answer(backward)


@pytest.mark.parametrize(
    "name",
    [
        name
        for name, reads in page_keys.query_readings().items()
        if reads.params and not reads.query_string
    ],
)
def test_each_parameter_a_view_reads_changes_the_page_key(rf, tagged_item, name):
    url = example_urls(tagged_item)[name]

    def key(query=""):
        return page_keys.page_key(rf.get(f"{url}?{query}" if query else url))

    bare = key()
    assert key("junk=1") == bare
    for param, reading in page_keys.query_readings()[name].params.items():
        assert key(f"{param}=x") != bare, param
        assert key(f"{param}=x&junk=1") == key(f"{param}=x"), param
        if reading == page_keys.EVERY_VALUE:
            assert key(f"{param}=x&{param}=y") == key(f"{param}=y&{param}=x"), param
            assert key(f"{param}=") != bare, param  # a blank value is an error
        else:
            assert key(f"{param}=x&{param}=y") != key(f"{param}=y&{param}=x"), param
            blank_is_none = reading == page_keys.LAST_VALUE
            assert (key(f"{param}=") == bare) == blank_is_none, param


def test_the_listing_key_tells_its_page_from_its_redirects(rf):
    # /news/ answers a query with its page when parse_qsl() reads it as the canonical form of
    # its filters, and with a 301 to that form otherwise.
    def key(query):
        return page_keys.page_key(rf.get(f"/news/?{query}"))

    bare = key("")
    for same_page in ("&&&", "q=", "q=&q=", "page=", "junk=", "sort="):
        assert key(same_page) == bare, same_page
    for redirected in ("junk=1", "page=1", "sort=newest"):
        assert key(redirected) != bare, redirected
    field = "field=border-management"
    assert key(field) != bare
    assert key("field=border%2Dmanagement&&q=") == key(field)
    assert key(f"{field}&junk=1") != key(field)
    assert key("field=a&field=b") != key("field=b&field=a")
    assert key("field=a&country=b") != key("country=b&field=a")


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "ARTICLE",
        "/countries/tajikistan/",
        "/structures/secretariat/",
        "/news/rss/?field=border-management",
        "/news/atom/",
        "/api/news/?tag=demo",
        "API_ITEM",
        "/sitemap.xml",
        "/sitemap-news.xml",
        "/robots.txt",
    ],
)
def test_unknown_parameters_share_the_page_without_them(client, tagged_item, url):
    item = tagged_item
    url = {"ARTICLE": item.get_absolute_url(), "API_ITEM": f"/api/news/{item.slug}/"}.get(url, url)
    separator = "&" if "?" in url else "?"
    first = client.get(url)
    assert first.status_code == 200 and first["X-Cache"] == "miss"
    for n in range(20):
        response = client.get(f"{url}{separator}junk={n}&utm_source=mail{n}")
        assert response["X-Cache"] == "hit"
        assert response.content == first.content
    assert len(stored_pages()) == 1


def test_the_listing_keeps_one_page_however_its_query_is_spelled(client, tagged_item):
    first = client.get("/news/?tag=demo")
    assert first["X-Cache"] == "miss"
    for spelling in ("tag=demo&&", "tag=d%65mo", "tag=demo&q=", "tag=demo&junk=&page="):
        response = client.get(f"/news/?{spelling}")
        assert response["X-Cache"] == "hit", spelling
        assert response.content == first.content
    # Any other query is sent to its canonical form, and nothing is stored for the redirect.
    for n in range(5):
        response = client.get(f"/news/?tag=demo&junk={n}")
        assert response.status_code == 301 and response["Location"] == "/news/?tag=demo"
    assert len(stored_pages()) == 1


def test_accepted_parameters_in_another_order_share_one_page(client, tagged_item):
    first = client.get("/api/news/?type=news&field=elections&field=border-management&page_size=5")
    again = client.get("/api/news/?page_size=5&field=border-management&type=news&field=elections")
    assert first["X-Cache"] == "miss" and again["X-Cache"] == "hit"
    assert again.content == first.content
    assert len(stored_pages()) == 1


def test_each_host_has_its_own_copy_of_a_page(client, settings, tagged_item):
    # The sitemap index holds absolute addresses: a copy made for one host is wrong for another.
    settings.ALLOWED_HOSTS = ["www.osce.example", "osce.example"]
    pages = {}
    for host in ("www.osce.example", "osce.example"):
        first = client.get("/sitemap.xml", headers={"host": host})
        again = client.get("/sitemap.xml", headers={"host": host})
        assert first["X-Cache"] == "miss" and again["X-Cache"] == "hit"
        assert f"http://{host}/sitemap-news.xml" in again.content.decode()
        pages[host] = again.content
    assert pages["www.osce.example"] != pages["osce.example"]
    secure = client.get("/sitemap.xml", headers={"host": "osce.example"}, secure=True)
    assert secure["X-Cache"] == "miss" and "https://osce.example/" in secure.content.decode()
    assert len(stored_pages()) == 3


def test_a_host_not_allowed_is_refused(client, settings, tagged_item):
    settings.ALLOWED_HOSTS = ["osce.example"]
    client.get("/robots.txt", headers={"host": "osce.example"})
    response = client.get("/robots.txt", headers={"host": "evil.example"})
    assert response.status_code == 400


# An invalidation that fails is not forgotten. These tests use a real Redis (database 8 is this
# module's own), whose commands are made to time out as a hung Redis makes them.

REDIS_TEST_URL = "redis://127.0.0.1:6379/8"


@pytest.fixture
def redis_cache(settings):
    """The production cache backend over a real Redis."""
    server = redis.Redis.from_url(REDIS_TEST_URL)
    server.flushdb()
    settings.CACHES = {
        "default": {
            "BACKEND": "osceportal.cache.ResilientRedisCache",
            "LOCATION": REDIS_TEST_URL,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
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
        r'<span class="visually-hidden">\(</span>(\d+)<',
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
            "default": {
                "BACKEND": "osceportal.cache.ResilientRedisCache",
                "LOCATION": f"redis://127.0.0.1:{hung.getsockname()[1]}/0",
                # As in production (osceportal/settings.py).
                "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
            }
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

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from news import pagecache
from news.models import NewsItem
from structures.models import Structure

from .factories import NewsItemFactory

pytestmark = pytest.mark.usefixtures("reference_data", "page_cache_on", "nothing_owed")


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
        **settings.CACHES,
        "default": {
            "BACKEND": "osceportal.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:6390/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
        },
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

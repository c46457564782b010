"""The shared page cache: anonymous GET responses of public pages, kept in the cache that every
app server shares (Redis when REDIS_URL is set).

Correctness rests on two keys:
- a *generation* number, stored with every page. Any change to news or the taxonomy bumps it
  once its transaction has committed, so every server stops using the old pages at once (a page
  of an older generation is a miss, and is replaced);
- the *next go-live* time of a scheduled item. A page is never kept past it, and the first
  request after it bumps the generation, since the listings have changed by themselves.

Settings: PAGE_CACHE_SECONDS (0 turns the cache off)."""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import set_response_etag
from django.utils.http import http_date

logger = logging.getLogger(__name__)

GENERATION = "pages:generation"
CHANGED_AT = "pages:changed-at"
NEXT_GO_LIVE = "pages:next-go-live"
NOTHING_SCHEDULED = "none"
# Browsers and CDNs may keep a page this long (never past the next go-live time).
CLIENT_MAX_AGE = 60
EXCLUDED_PREFIXES = ("/static/", "/media/", "/healthz")


def now():
    return timezone.now().timestamp()


def bump(**kwargs):
    """Everything cached so far is stale: called (after commit) for every change."""
    cache.delete(NEXT_GO_LIVE)
    cache.set(CHANGED_AT, now(), None)
    if cache.add(GENERATION, 1, None) is False:
        cache.incr(GENERATION)


def bump_on_commit(**kwargs):
    pending = transaction.get_connection().run_on_commit
    # A bulk delete sends a signal per row: one bump at commit is enough.
    if not (pending and pending[-1][1] is bump):
        transaction.on_commit(bump)


def next_go_live():
    """The time (epoch seconds) the next scheduled item goes public, or None."""
    from .models import NewsItem

    upcoming = (
        NewsItem.objects.filter(status=NewsItem.Status.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    return upcoming.timestamp() if upcoming else None


def read_state(*also):
    """(generation, changed_at, seconds until the next scheduled item goes live or None, the
    values of the keys `also`), in one cache round trip; renews the generation when that moment
    has passed, since the listings changed by themselves then."""
    values = cache.get_many([GENERATION, CHANGED_AT, NEXT_GO_LIVE, *also])
    upcoming = values.get(NEXT_GO_LIVE)
    if upcoming is not None and upcoming != NOTHING_SCHEDULED and now() >= upcoming:
        bump()
        values = cache.get_many([GENERATION, CHANGED_AT, *also])
        upcoming = None
    if upcoming is None:
        upcoming = next_go_live() or NOTHING_SCHEDULED
        cache.set(NEXT_GO_LIVE, upcoming, None)
    seconds = None if upcoming == NOTHING_SCHEDULED else max(int(upcoming - now()), 0)
    return values.get(GENERATION, 0), values.get(CHANGED_AT), seconds, values


def generation():
    """(generation, seconds until the next go-live or None)."""
    current, _changed_at, seconds_to_go_live, _values = read_state()
    return current, seconds_to_go_live


def state(key):
    """(generation, changed_at, seconds a page may live, the page stored under `key` or None) as
    things stand now: one cache round trip when nothing is due to go live."""
    current, changed_at, seconds_to_go_live, values = read_state(key)
    lifetime = settings.PAGE_CACHE_SECONDS
    if seconds_to_go_live is not None:
        lifetime = min(lifetime, seconds_to_go_live)
    stored = values.get(key)
    if stored is not None and stored["generation"] != current:
        stored = None  # a page from before the last change
    return current, changed_at, lifetime, stored


def cacheable_request(request):
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.path.startswith((f"/{settings.ADMIN_URL}", *EXCLUDED_PREFIXES))
        # Signed-in staff see pages as they are, never a copy.
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def cacheable_response(response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def page_key(request):
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"pages:{digest}"


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not cacheable_request(request):
            return self.get_response(request)
        key = page_key(request)
        generation, changed_at, lifetime, stored = state(key)
        if stored is not None:
            response = HttpResponse(stored["content"], status=stored["status"])
            for name, value in stored["headers"]:
                response[name] = value
            response["X-Cache"] = "hit"
            return self.finish(response, changed_at, lifetime)
        response = self.get_response(request)
        if cacheable_response(response) and lifetime > 0:
            # Hashed once here and stored, not again on every hit (ConditionalGetMiddleware).
            set_response_etag(response)
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in ("set-cookie", "content-length", "x-cache")
            ]
            cache.set(
                key,
                {
                    "generation": generation,
                    "content": response.content,
                    "status": response.status_code,
                    "headers": headers,
                },
                lifetime,
            )
            response["X-Cache"] = "miss"
        return self.finish(response, changed_at, lifetime)

    @staticmethod
    def finish(response, changed_at, lifetime):
        if response.status_code == 200 and not response.has_header("Cache-Control"):
            response["Cache-Control"] = f"public, max-age={min(CLIENT_MAX_AGE, lifetime)}"
            if changed_at and not response.has_header("Last-Modified"):
                response["Last-Modified"] = http_date(changed_at)
        return response

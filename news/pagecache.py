"""The shared page cache: anonymous GET responses of public pages, kept in the cache that every
app server shares (Redis when REDIS_URL is set).

Correctness rests on two keys:
- a *generation* number, stored with every page. Any change to news or the taxonomy bumps it
  once its transaction has committed, so every server stops using the old pages at once (a page
  of an older generation is a miss, and is replaced);
- the *next go-live* time: of a scheduled item, or of an event's start, end or registration
  deadline (`next_go_live`). A page is never kept past it, and the first request after it bumps
  the generation, since the listings and event pages have changed by themselves.

A bump that does not reach the cache is retried; if it still fails, a bump is *owed*. So is one
after any cache failure this process sees, reads included: while the cache was failing, other
servers' bumps may have been lost too. While a bump is owed, this process neither reads nor
stores pages (nor facet counts, news/listing/facets.py, nor menus, news/menus.py): it serves
them from the database, and tries the owed bump again first on every request, until one
succeeds.

A page is kept under its canonical address: scheme, host, path and the GET parameters its view
reads (news/page_keys.py); any other parameter is left out, since the view ignores it.

With read replicas (news/replicas/), a page read from a replica may be older than the generation
it would be kept under. Each generation has a *WAL position* of the primary, read just after it
was made, that every change it holds lies before; a page read from a replica is kept only if the
replica had replayed that position before the page was read. Otherwise it is served, and kept
by nobody (nor are the facet counts and menus made in that request), until the replica catches
up. A client that has just written reads the primary, and is never answered from the cache.

Settings: PAGE_CACHE_SECONDS (0 turns the cache off)."""

import logging
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache, caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction
from django.db.models import Min, Value
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import set_response_etag
from django.utils.http import http_date

from .models import Event, NewsItem
from .page_keys import page_key
from .replicas.health import has_replayed, primary_wal_position
from .replicas.routing import COOKIE_NAME, read_alias

logger = logging.getLogger(__name__)

GENERATION = "pages:generation"
CHANGED_AT = "pages:changed-at"
NEXT_GO_LIVE = "pages:next-go-live"
WAL_POSITION = "pages:wal-position"  # (generation, the primary's WAL position for it)
NOTHING_SCHEDULED = "none"
# Browsers and CDNs may keep a page this long (never past the next go-live time).
CLIENT_MAX_AGE = 60
EXCLUDED_PREFIXES = ("/static/", "/media/", "/healthz")


def now():
    return timezone.now().timestamp()


# A bump's attempts, and the pauses between them: with Redis refusing connections the whole
# bump fails in a few milliseconds; with Redis timing out (settings.CACHES: 0.5 s a command),
# no attempt starts after BUMP_DEADLINE, so an editor's save waits about a second at most.
BUMP_PAUSES = (0.05, 0.15)
BUMP_DEADLINE = 0.6

# The cache failures (see `cache_failures`) this process has made up for with a bump. While
# more have happened, a bump is owed.
_settled_failures = 0
_settled_lock = threading.Lock()


def cache_failures():
    """How many operations of the configured cache have failed in this process so far. A cache
    that degrades rather than fails (ResilientRedisCache, osceportal/cache.py) counts those it
    swallows on its class; other backends fail loudly, or never."""
    return getattr(type(caches["default"]), "failures", 0)


def bump_owed():
    return cache_failures() > _settled_failures


def settle(failures):
    """A bump reached the cache after the first `failures` failures: none of them is owed now."""
    global _settled_failures
    with _settled_lock:
        _settled_failures = max(_settled_failures, failures)


# Whether this request has tried the owed bump already: once a request, however many of its parts
# (the page, its menus, its facet counts) read the cache. With Redis hung, each try waits for a
# time-out.
_request = threading.local()


def owed_bump_made():
    """Try the owed bump, if this request has not tried it yet; True when it was made."""
    if getattr(_request, "tried_owed_bump", False):
        return False
    _request.tried_owed_bump = True
    return bump_once()


def bump_once():
    """One attempt at a bump; True when every step of it reached the cache. A step that fails
    ends the attempt: with Redis timing out, each further step would wait as long again."""
    failures = cache_failures()

    def reached():
        return cache_failures() == failures

    cache.delete(NEXT_GO_LIVE)
    if not reached():
        return False
    cache.set(CHANGED_AT, now(), None)
    if not reached():
        return False
    generation = 1
    if cache.add(GENERATION, 1, None) is False and reached():
        try:
            generation = cache.incr(GENERATION)
        except ValueError:  # gone (evicted) since add() found it: the next attempt adds it
            return False
    if not reached():
        return False
    if settings.DATABASE_REPLICAS:
        record_wal_position(generation)
    settle(failures)
    return True


def record_wal_position(generation):
    """Record the primary's WAL position now as `generation`'s (see `wal_position`), and return
    it; None if the primary cannot be read."""
    try:
        position = primary_wal_position()
    except DatabaseError:
        return None
    cache.set(WAL_POSITION, (generation, position), None)
    return position


def wal_position(generation, values):
    """A WAL position of the primary that every change `generation` holds lies before, or None.

    Any position read after the generation was made will do: each change is committed before
    its bump renews the generation, and the generation this request read was made before now.
    So the bump records the position it reads just after renewing the generation, and when the
    position recorded is of another generation (the bump could not read the primary, the cache
    lost the key, or two bumps crossed and the older one wrote last), it is read now and
    recorded."""
    recorded = values.get(WAL_POSITION)
    if recorded is not None and recorded[0] == generation:
        return recorded[1]
    return record_wal_position(generation)


def behind_generation(generation, values):
    """Whether this request reads a replica that may not yet hold every change of `generation`:
    what it makes is then served, but not kept under the generation. Asked before the request
    reads anything from the replica, since a replica only moves forward."""
    alias = read_alias()
    if alias == DEFAULT_DB_ALIAS:
        return False
    position = wal_position(generation, values)
    return position is None or not has_replayed(alias, position)


def untrusted_generation():
    """A generation nothing was stored under, nor will be read under again."""
    return f"untrusted-{uuid.uuid4().hex}"


def bump(**kwargs):
    """Everything cached so far is stale: called (after commit) for every change. Retried a few
    times; True when it reached the cache. If it never does, a bump stays owed (`bump_owed`),
    and this process serves no page from the cache until it has made it."""
    deadline = time.monotonic() + BUMP_DEADLINE
    for pause in (*BUMP_PAUSES, None):
        if bump_once():
            return True
        if pause is None or time.monotonic() + pause > deadline:
            break
        time.sleep(pause)
    logger.error("the page cache could not be renewed: pages are served without it until it can")
    return False


def bump_on_commit(**kwargs):
    pending = transaction.get_connection().run_on_commit
    # A bulk delete sends a signal per row: one bump at commit is enough.
    if not (pending and pending[-1][1] is bump):
        transaction.on_commit(bump)


def next_go_live():
    """The next moment (epoch seconds) the public pages change by themselves, or None: a
    scheduled item goes public, or an event starts (its livestream link shows), ends (it moves
    from the upcoming events to the past ones) or closes its registration. One query, on the
    primary: the answer is kept until the next bump, and a replica behind could miss an item
    scheduled a moment ago."""
    current = timezone.now()

    def earliest(queryset, name):
        # MIN over one group (a constant groups nothing): a part a compound statement takes on
        # every database, where ORDER BY … LIMIT 1 is refused by SQLite.
        grouped = queryset.order_by().values(one=Value(1))
        return grouped.annotate(moment=Min(name)).values_list("moment")

    moments = earliest(NewsItem.objects.scheduled(), "published_at")
    events = Event.objects.published()
    for name in ("start", "end", "registration_deadline"):
        later = events.filter(**{f"{name}__gt": current})
        moments = moments.union(earliest(later, name), all=True)
    moments = [moment for (moment,) in moments.using(DEFAULT_DB_ALIAS)]
    upcoming = min((moment for moment in moments if moment), default=None)
    return upcoming.timestamp() if upcoming else None


def seconds_to_next_go_live(upcoming):
    return None if upcoming in (None, NOTHING_SCHEDULED) else max(int(upcoming - now()), 0)


def read_state(*also):
    """(generation, changed_at, seconds until the next scheduled item goes live or None, the
    values of the keys `also`), in one cache round trip; renews the generation when that moment
    has passed, since the listings changed by themselves then.

    None when the cache cannot be trusted: it failed, or a bump is owed and could not be made."""
    if bump_owed() and not owed_bump_made():
        return None
    failures = cache_failures()
    positions = [WAL_POSITION] if settings.DATABASE_REPLICAS else []
    values = cache.get_many([GENERATION, CHANGED_AT, NEXT_GO_LIVE, *positions, *also])
    if cache_failures() != failures:
        return None
    upcoming = values.get(NEXT_GO_LIVE)
    if upcoming is not None and upcoming != NOTHING_SCHEDULED and now() >= upcoming:
        if not bump():
            return None
        failures = cache_failures()  # any failed attempt of the bump is made up for
        values = cache.get_many([GENERATION, CHANGED_AT, *positions, *also])
        upcoming = None
    if upcoming is None:
        upcoming = next_go_live() or NOTHING_SCHEDULED
        cache.set(NEXT_GO_LIVE, upcoming, None)
    if cache_failures() != failures:
        return None
    seconds = seconds_to_next_go_live(upcoming)
    return values.get(GENERATION, 0), values.get(CHANGED_AT), seconds, values


def lifetime_without_cache():
    """How long browsers may keep a page made while the cache is not trusted: as long as ever,
    but not past the next go-live, read from the database since the cache cannot tell."""
    seconds_to_go_live = seconds_to_next_go_live(next_go_live())
    if seconds_to_go_live is None:
        return settings.PAGE_CACHE_SECONDS
    return min(settings.PAGE_CACHE_SECONDS, seconds_to_go_live)


def state(key):
    """(generation, changed_at, seconds a page may live, the page stored under `key` or None) as
    things stand now: one cache round trip when nothing is due to go live and no bump is owed.
    None when the cache cannot be trusted. When nothing is stored and this request reads a
    replica behind the generation, an untrusted generation and no time to live: the page (or
    the menus, news/menus.py) it makes is kept neither here nor by browsers."""
    current = read_state(key)
    if current is None:
        return None
    generation, changed_at, seconds_to_go_live, values = current
    lifetime = settings.PAGE_CACHE_SECONDS
    if seconds_to_go_live is not None:
        lifetime = min(lifetime, seconds_to_go_live)
    stored = values.get(key)
    if stored is not None and stored["generation"] != generation:
        stored = None  # a page from before the last change
    if stored is None and behind_generation(generation, values):
        return untrusted_generation(), changed_at, 0, None
    return generation, changed_at, lifetime, stored


def cacheable_request(request):
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.path.startswith((f"/{settings.ADMIN_URL}", *EXCLUDED_PREFIXES))
        # Signed-in staff see pages as they are, never a copy; so does a client that has just
        # written (news/replicas/routing.py), which reads the primary.
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and COOKIE_NAME not in request.COOKIES
    )


def cacheable_response(response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _request.tried_owed_bump = False
        if not cacheable_request(request):
            return self.get_response(request)
        key = page_key(request)
        current = state(key)
        if current is None:
            # The cache failed, or a bump is owed: the page is made from the database, and
            # neither read from the cache nor stored in it.
            response = self.get_response(request)
            if response.status_code != 200:
                return response
            return self.finish(response, None, lifetime_without_cache())
        generation, changed_at, lifetime, stored = current
        if stored is not None:
            response = HttpResponse(stored["content"], status=stored["status"])
            for name, value in stored["headers"]:
                response[name] = value
            response["X-Cache"] = "hit"
            return self.finish(response, changed_at, lifetime)
        response = self.get_response(request)
        # A failure while the page was made means a bump is owed: the page is not stored.
        if cacheable_response(response) and lifetime > 0 and not bump_owed():
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

"""Per request: whether it may read a replica; its answer made again on the primary when its
replica fails meanwhile; the cookie that sends a client's next requests to the primary after
it wrote (routing.COOKIE_NAME).

Placed before the page cache (settings.MIDDLEWARE), so that the page cache knows which
database a page is read from (news/pagecache.py) and what it reads is answered again too."""

import math

from django.conf import settings
from django.http import HttpResponse

from .health import CHECK_INTERVAL, choose_replica, has_failed, mark_down
from .routing import COOKIE_NAME, current_reading, reading

SAFE_METHODS = ("GET", "HEAD")


def may_read_replica(request):
    """Public reads only: not a write, not the back office, not signed-in staff (their session
    cookie), not a client that has just written (its cookie)."""
    return (
        request.method in SAFE_METHODS
        and not request.path.startswith(f"/{settings.ADMIN_URL}")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and COOKIE_NAME not in request.COOKIES
    )


def cookie_max_age():
    """A replica in use may be up to the lag bound behind as of its last check, which is up to
    CHECK_INTERVAL old: once that has passed since a write, every replica in use holds it."""
    return math.ceil(settings.DATABASE_REPLICA_MAX_LAG + CHECK_INTERVAL) + 1


class ReplicaFailed(HttpResponse):
    """Answered by process_exception when the request's replica failed under the view: never
    sent, ReplicaMiddleware answers the request again on the primary. A 503, so that nothing
    on its way back (the page cache) takes it for a page."""

    status_code = 503


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DATABASE_REPLICAS:
            return self.get_response(request)
        replica = choose_replica() if may_read_replica(request) else None
        with reading(replica) as current:
            response = self.get_response(request)
            if replica is not None and has_failed(replica):
                # A GET or HEAD changes nothing: it is made again, whole, on the primary.
                mark_down(replica, "it failed under a request")
                current.replica = None
                response = self.get_response(request)
        if current.wrote or request.method not in SAFE_METHODS:
            response.set_cookie(
                COOKIE_NAME,
                "1",
                max_age=cookie_max_age(),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_exception(self, request, exception):
        """A view that failed on its replica: its error is not logged as a server error, since
        the request is answered again (__call__). Errors outside the view (another middleware,
        the 404 page) are answered again all the same, once Django has turned them into a 5xx."""
        current = current_reading()
        if current is not None and current.replica is not None and has_failed(current.replica):
            return ReplicaFailed()
        return None

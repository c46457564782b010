"""Where the page cache keeps a page: its canonical address, made of the scheme, the host, the
path and the GET parameters its view reads. Each public view declares what it reads
(`reads_query`, or a `page_cache_reads` attribute), next to the code that reads it; any other
parameter is left out of the key, since the view ignores it. For the tests that keep the two in
step, see tests/test_page_cache.py."""

import functools
import hashlib
from typing import NamedTuple
from urllib.parse import parse_qsl

from django.conf import settings
from django.urls import Resolver404, URLResolver, get_resolver, resolve

# How a view reads a GET parameter, and so what of it the page's key holds.
EVERY_VALUE = "every value"  # getlist(): several values, in any order; a blank one is an error
LAST_VALUE = "last value"  # get(), by a form field that may be left blank: blank is as none
LAST_VALUE_AS_GIVEN = "last value, blank included"  # get(), and a blank value is not none


class Reads(NamedTuple):
    """What a view reads of the query: `params`, {GET parameter: how}; and, if
    `query_string`, the query string itself as parse_qsl() reads it (blank values left out),
    to answer any query but the canonical one with a redirect. `variant`: for a view whose
    answer also depends on the request's headers (a feed shown as a page to a browser,
    news/feed_pages.py), a function of the request naming the answer it gets."""

    params: dict
    query_string: bool = False
    variant: object = None


NOTHING = Reads({})  # a page whose view reads no GET parameter (an article, a taxonomy page)
PAGING = {"page": LAST_VALUE}

# A view that declares nothing: the query string as written is its key, so that two different
# pages can never share one (but any junk parameter makes a new copy).
AS_WRITTEN = None


def reads_query(params, *, query_string=False):
    """Declares on a view function what it reads of the query (`Reads`); a class-based view or a
    feed declares it as its `page_cache_reads` attribute."""
    readings = Reads(params, query_string)

    def declare(view):
        view.page_cache_reads = readings
        return view

    return declare


def reads_of(callback):
    """What the view behind a URL pattern's callback declares it reads, or AS_WRITTEN."""
    view = getattr(callback, "view_class", callback)
    return getattr(view, "page_cache_reads", AS_WRITTEN)


def query_readings(patterns=None, namespace=None):
    """{URL name: Reads} of every named view that declares what it reads (the back office's
    are never cached, and are left out)."""
    readings = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, (namespace, pattern.namespace))) or None
            if inner != "admin":
                readings |= query_readings(pattern.url_patterns, inner)
        elif pattern.name and reads_of(pattern.callback) is not AS_WRITTEN:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            readings[name] = reads_of(pattern.callback)
    return readings


@functools.lru_cache(maxsize=4096)
def reads_at(urlconf, path_info):
    """What the view at `path_info` reads of the query. Remembered: a hit is answered before
    Django resolves the address, and resolving it costs as much again (bench/README.md)."""
    try:
        return reads_of(resolve(path_info, urlconf).func)
    except Resolver404:
        return AS_WRITTEN


def canonical_query(request):
    """The query as the page's view reads it, in a fixed form: the parameters it reads, sorted,
    a blank value left out where the view takes it for no value; for a view that redirects
    every query but its canonical one, also the query string as parse_qsl() reads it."""
    query_string = request.META.get("QUERY_STRING", "")
    # As Django resolves it: a middleware may have given the request a URLconf of its own.
    reads = reads_at(getattr(request, "urlconf", settings.ROOT_URLCONF), request.path_info)
    if reads is AS_WRITTEN:
        return query_string
    if not (reads.params and query_string):
        return ()
    pairs = []
    for name, values in sorted(request.GET.lists()):
        reading = reads.params.get(name)
        if reading == EVERY_VALUE:
            pairs += [(name, value) for value in sorted(values)]
        elif reading is not None and (values[-1] or reading == LAST_VALUE_AS_GIVEN):
            pairs.append((name, values[-1]))  # the value request.GET.get() gives
    as_parsed = parse_qsl(query_string) if reads.query_string else []
    return (*pairs, as_parsed) if as_parsed else tuple(pairs)


def page_key(request):
    """The page's canonical address: scheme, host, path and canonical query. The host too,
    since pages hold absolute addresses (feeds, sitemaps, canonical links). Hashed from the
    repr() of the parts, which no two different addresses share."""
    address = (request.scheme, request.get_host(), request.path, canonical_query(request))
    reads = reads_at(getattr(request, "urlconf", settings.ROOT_URLCONF), request.path_info)
    if reads is not AS_WRITTEN and reads.variant is not None:
        address = (*address, reads.variant(request))
    return f"pages:{hashlib.sha256(repr(address).encode()).hexdigest()}"

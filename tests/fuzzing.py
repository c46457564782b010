"""What the fuzz tests share (tests/test_fuzz_*.py): the hostile values, the queries made of
them, and what every answer must be. Hypothesis makes the input; each fuzz test counts what it
made and checks that it made it all."""

import csv
import datetime
import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import quote_from_bytes, urlsplit

import hypothesis
from hypothesis import HealthCheck
from hypothesis import strategies as st
from taggit.models import Tag

from countries.models import Country
from news.models import FieldOfWork, MeetingSeries, NewsItem
from structures.models import Structure

ANSWERS = {200, 301, 302, 400, 404}
MARKER = "<x-fuzz>"  # must never come back unescaped in a page


def fuzz_settings(examples):
    """The examples of one test share its database transaction; big values are slow to make,
    and meant to be."""
    return hypothesis.settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- values -----------------------------------------------------------------------------------

HOSTILE = [
    "' OR 1=1--", "'); DROP TABLE news_newsitem;--", "\\x00", "1; SELECT pg_sleep(10)",
    '"', '"unclosed phrase', "-", "-border", "or", "border or", "!", ":*", "&|", "!(a|b)",
    "a & !b", "<->", "*", "\\", "'", "''", "%", "_",
    "../../etc/passwd", "..\\..\\windows\\win.ini", "%2e%2e%2f", "....//", "/etc/passwd\x00.html",
    "2024-02-30", "0000-01-01", "99999-01-01", "0001-01-01", "9999-12-31", "2024-13-01",
    "1900-01-01", "2999-12-31", "-2024-01-01", "2024-1-1", "20240101",
    "1e3", "NaN", "Infinity", "-0", "0x10", "1_000", "١٢", "²", "10" + "0" * 30,
    f"{MARKER}<script>alert(1)</script>", "{{ 7*7 }}", "{% debug %}", "${7*7}",
    "\x00", "\x01", "\x02", "\x03", "\x1b[31m", "\x7f", "\u202e", "\u200f", "\ufeff", "\ufffe",
    "\U0001f4a5", "👨‍👩‍👧‍👦", "Türkiye", "ǅ", "ﬁ", "İ", "\u0301",
]  # fmt: skip
# Sent as they are, not percent-encoded: broken or tricky encodings.
RAW_FRAGMENTS = [
    "%", "%%", "%zz", "%e2%82", "%ff%fe", "%c0%af", "%ed%a0%80", "%00", "%2e%2e%2f", "+", "=",
    "&&", ";", "%26", "%3D", "%23", "#", "\\", "..%c0%af",
]  # fmt: skip
HUGE_SIZES = [1_000, 100_000, 1_000_000]

texts = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=5),  # control characters
    st.integers(0xD800, 0xDFFF).map(chr),  # a lone surrogate: arrives as invalid UTF-8
    st.sampled_from(HOSTILE),
    st.integers(-(10**40), 10**40).map(str),
    st.floats().map(str),
    st.dates().map(datetime.date.isoformat),
)
huge_texts = st.tuples(st.sampled_from("9xé%\x00"), st.sampled_from(HUGE_SIZES)).map(
    lambda pair: pair[0] * pair[1]
)


def encoded(text):
    """Percent-encoded as a browser would send it (a lone surrogate as its UTF-8 bytes)."""
    return quote_from_bytes(text.encode("utf-8", "surrogatepass"), safe="")


def raw(text):
    """Unencoded UTF-8 bytes, as a careless client sends them (WSGI hands them over as latin-1)."""
    return text.encode("utf-8", "surrogatepass").decode("latin-1")


def wire(text_strategy):
    return st.one_of(
        text_strategy.map(encoded), text_strategy.map(raw), st.sampled_from(RAW_FRAGMENTS)
    )


FILTER_KEYS = ["field", "country", "issued_by", "type", "tag", "q", "from", "to", "sort", "page"]
# The meetings listing's filters (news/events/filters.py), its calendar's and its feed's.
EVENT_KEYS = ["series", "year", "organised_by"]
OTHER_KEYS = ["page_size", "p", *EVENT_KEYS]  # the API's page size, a sitemap's page


def real_values():
    """Values that exist, so that valid filters reach the database and the search (sorted, so
    that Hypothesis can replay an example)."""

    def slugs(model):
        return sorted(model.objects.values_list("slug", flat=True))

    return {
        "field": slugs(FieldOfWork),
        "country": slugs(Country),
        "issued_by": slugs(Structure),
        "type": list(NewsItem.Type.values),
        "tag": slugs(Tag),
        "q": ["border", "customs Tajikistan", '"study visit"', "-election", "police or border"],
        "from": ["2013-01-01", "2020-06-30"],
        "to": ["2013-12-31", "2026-01-01"],
        "sort": ["newest", "oldest", "relevance"],
        "page": ["1", "2", "3"],
        "page_size": ["1", "100"],
        "p": ["1", "2"],
        "series": sorted(MeetingSeries.objects.values_list("slug", flat=True)),
        "year": ["1975", "2024", "2027"],
        "organised_by": slugs(Structure),
    }


def queries(real):
    """Whole query strings: known and unknown keys, real and hostile values, repeated keys, and
    in one query of ten a huge value."""
    keys = st.one_of(st.sampled_from(FILTER_KEYS + OTHER_KEYS), st.text(max_size=10))

    def values_for(key):
        hostile = wire(texts)
        return st.sampled_from(real[key]).map(encoded) | hostile if key in real else hostile

    def joined(key, values):
        return "&".join(f"{encoded(key)}={value}" for value in values)

    one = keys.flatmap(lambda key: values_for(key).map(lambda value: joined(key, [value])))
    repeated = keys.flatmap(
        lambda key: st.lists(values_for(key), min_size=2, max_size=40).map(
            lambda values: joined(key, values)
        )
    )
    huge = st.tuples(keys, wire(huge_texts)).map(lambda pair: joined(pair[0], [pair[1]]))
    parts = st.lists(st.one_of(one, repeated, st.sampled_from(RAW_FRAGMENTS)), max_size=6)
    with_huge = st.tuples(parts, huge).map(lambda pair: [*pair[0], pair[1]])
    return st.integers(0, 9).flatmap(lambda n: with_huge if n == 0 else parts).map("&".join)


# --- what every answer must be ----------------------------------------------------------------


def body_of(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def is_our_400(path, body):
    """The 400 of the view that was asked: the listing's form errors, the plain-text "Invalid
    filter." of the feeds and the CSV, the API's JSON errors, or the site's 400 page."""
    return (
        b"<h1>Bad request</h1>" in body
        or b'class="form-errors"' in body
        or body.startswith(b"Invalid filter.\n")
        or (path.startswith("/api/") and "errors" in json.loads(body))
    )


def check_answer(client, path, query=""):
    """GET the address and check the answer is one a visitor may get, and well formed; follow
    the listing's redirect to its canonical address."""
    response = client.get(path, QUERY_STRING=query)
    body = body_of(response)
    shown = f"{path}?{query[:300]}"
    assert response.status_code in ANSWERS, (shown, response.status_code)
    assert b"Traceback" not in body, shown
    content_type = response.get("Content-Type", "")
    if response.status_code == 400:
        assert is_our_400(path, body), (shown, body[:300])
    elif response.status_code in (301, 302):
        location = response["Location"]
        assert location.startswith("/") and not location.startswith("//"), (shown, location)
        if path == "/news/":
            # The listing redirects to its canonical address, which answers without a loop.
            target = urlsplit(location)
            again = check_answer(client, target.path, target.query)
            assert again.status_code in (200, 404), (shown, location, again.status_code)
    elif response.status_code == 200:
        if "xml" in content_type:
            ET.fromstring(body)  # the feeds and sitemaps parse
        elif "json" in content_type:
            json.loads(body)
        elif "csv" in content_type:
            list(csv.reader(io.StringIO(body.decode())))
    if "text/html" in content_type:
        assert MARKER.encode() not in body, shown
    return response

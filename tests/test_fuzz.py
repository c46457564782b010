"""Bad input of every kind gets a clear answer, never a 500, and loses nothing (issue 6).

Hypothesis makes the input. Each fuzz test counts the requests (or imports) it made and checks
that it made them all; the generated requests add up to 2,050:

    public listing, feeds, CSV and API with hostile query strings   1,400
    every public URL with hostile path segments and queries           500
    admin add and change forms with hostile fields                    150 (+ reads of saved items)
    import_news with hostile files of 1 to 6 lines                    100 imports

Under each fuzz test sit plain regression tests for the inputs that once gave a 500."""

import csv
import datetime
import io
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote_from_bytes, urlsplit

import hypothesis
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from taggit.models import Tag

from countries.models import Country
from news.jsonl import export_line, export_queryset
from news.models import FieldOfWork, NewsItem
from news.sitemaps import SITEMAPS
from structures.models import Structure

from .factories import NewsItemFactory
from .test_admin import ADD_URL, change_url, errors_of, form_data

pytestmark = pytest.mark.usefixtures("demo_news")

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
OTHER_KEYS = ["page_size", "p"]  # the API's page size, a sitemap's page


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


@pytest.fixture
def visitor(client):
    """A test client that reports a server error as its 500 answer rather than raising it."""
    client.raise_request_exception = False
    return client


# --- 1. public URLs ---------------------------------------------------------------------------

LISTINGS = ["/news/", "/news/rss/", "/news/atom/", "/news/export.csv", "/api/news/"]
LISTING_EXAMPLES = 1_400


def test_listing_feeds_csv_and_api_answer_hostile_queries_without_a_500(visitor):
    real = real_values()
    sent = []

    @fuzz_settings(LISTING_EXAMPLES)
    @given(path=st.sampled_from(LISTINGS), query=queries(real))
    def fuzz(path, query):
        sent.append(query)
        check_answer(visitor, path, query)

    fuzz()
    assert len(sent) >= LISTING_EXAMPLES


PAGES = [
    "/", "/news/", "/news/rss/", "/news/atom/", "/news/export.csv", "/api/news/",
    "/fields-of-work/", "/countries/", "/structures/", "/sitemap.xml", "/robots.txt", "/healthz",
]  # fmt: skip
PAGE_EXAMPLES = 500


def slugged_pages():
    """Each address with a slug in its path, with the slugs that exist."""
    news = sorted(NewsItem.objects.values_list("slug", flat=True))
    return {
        "/news/{}/": news,
        "/api/news/{}/": news,
        "/fields-of-work/{}/": sorted(FieldOfWork.objects.values_list("slug", flat=True)),
        "/countries/{}/": sorted(Country.objects.values_list("slug", flat=True)),
        "/structures/{}/": sorted(Structure.objects.values_list("slug", flat=True)),
        "/sitemap-{}.xml": sorted(SITEMAPS),
    }


def test_every_public_url_answers_hostile_paths_and_queries_without_a_500(visitor):
    real, slugged = real_values(), slugged_pages()
    segments = st.one_of(
        st.sampled_from(sorted({slug for slugs in slugged.values() for slug in slugs})),
        wire(texts),
        st.from_regex(r"[-a-zA-Z0-9_]{1,60}", fullmatch=True),  # what the <slug> converter takes
    )
    paths = st.one_of(
        st.sampled_from(PAGES),
        st.sampled_from(sorted(slugged)).flatmap(
            lambda pattern: st.one_of(st.sampled_from(slugged[pattern]), segments).map(
                pattern.format
            )
        ),
    )
    sent = []

    @fuzz_settings(PAGE_EXAMPLES)
    @given(path=paths, query=st.one_of(st.just(""), queries(real)))
    def fuzz(path, query):
        sent.append(path)
        check_answer(visitor, path, query)

    fuzz()
    assert len(sent) >= PAGE_EXAMPLES


@pytest.mark.parametrize("path", LISTINGS)
@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31", "from=1899-12-31"])
def test_a_date_outside_the_years_1900_to_2999_is_a_400(visitor, path, query):
    # Once an OverflowError (500): the day after 9999-12-31 (and, on SQLite, 0001-01-01 in UTC).
    response = check_answer(visitor, path, query)
    assert response.status_code == 400
    assert b"Choose a date between 1900 and 2999." in body_of(response)


def test_the_years_1900_and_2999_are_valid_dates(visitor):
    response = check_answer(visitor, "/api/news/", "from=1900-01-01&to=2999-12-31")
    assert response.status_code == 200
    assert response.json()["count"] == NewsItem.objects.published().count()


@pytest.mark.parametrize("path", ["/news/rss/", "/news/atom/"])
def test_feed_of_a_search_with_control_characters_is_valid_xml(visitor, path):
    # Once a 500: the search words go into the feed's title, and XML 1.0 cannot hold \x01.
    response = check_answer(visitor, path, "q=border%01%1b")
    assert response.status_code == 200
    assert "border" in ET.fromstring(body_of(response)).findtext(".//{*}title")


@pytest.mark.parametrize("path", ["/news/rss/", "/news/atom/"])
def test_feed_of_an_item_with_control_characters_in_its_text_is_valid_xml(visitor, path):
    # Once a 500: an imported or pasted title or lead can hold them.
    NewsItemFactory(title="Vertical\x0btab", lead="Escape \x1b[31m sequence")
    response = check_answer(visitor, path)
    assert response.status_code == 200
    assert b"Verticaltab" in body_of(response)


# --- 2. import_news ---------------------------------------------------------------------------

EXISTING_SLUG = (
    "tajik-customs-officials-learn-from-finnish-experience-in-osce-organized-study-visit"
)
TEXT_KEYS = [
    "slug", "title", "type", "lead", "body_html", "published_at", "status", "withdrawn_reason",
    "image", "image_alt", "image_caption", "image_credit",
]  # fmt: skip
LIST_KEYS = ["issued_by", "fields_of_work", "countries", "tags"]
IMPORT_EXAMPLES = 100

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
json_scalars = st.booleans() | st.integers() | st.floats(allow_nan=False)
not_strings = (
    json_scalars
    | st.lists(json_values, max_size=4)
    | st.dictionaries(st.text(max_size=8), json_values, max_size=4)
)
# Anything but a list of strings (None aside, which means "none").
not_string_lists = (
    json_scalars
    | st.dictionaries(st.text(max_size=8), json_values, max_size=4)
    | st.tuples(st.lists(st.text(max_size=8), max_size=3), not_strings).map(
        lambda pair: [*pair[0], pair[1]]
    )
)


def record(slug, **overrides):
    data = {
        "slug": slug,
        "title": f"Fuzz item {slug}",
        "type": "press_release",
        "lead": "A lead.",
        "body_html": "<p>A body.</p>",
        "published_at": "2020-02-29T12:00:00+01:00",
        "issued_by": ["OSCE Office in Tajikistan", "odihr"],
        "fields_of_work": ["Border management"],
        "countries": ["TJ", "Türkiye"],
        "tags": ["fuzz", "Customs"],
        "status": "published",
    }
    return data | overrides


def line(data):
    return json.dumps(data, ensure_ascii=False).encode()


BAD_DATES = [
    "0001-01-01", "99999-01-01", "2024-02-30", "9999-12-31T23:59:59-14:00", "yesterday",
    "0001-01-01T00:00:00+14:00", "2024-01-01T25:00", "\x00", "", None,
]  # fmt: skip
HOSTILE_HTML = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>', "<p>\x00</p>",
]  # fmt: skip
# Changes that make any good record a bad line, each for a different reason.
BAD_CHANGES = st.one_of(
    st.tuples(st.sampled_from(TEXT_KEYS), not_strings),  # a text of another type
    st.tuples(st.sampled_from(LIST_KEYS), not_string_lists),
    st.tuples(st.just("title"), st.sampled_from(["", "  ", "x" * 301, "x" * 100_000, "a\x00b"])),
    st.tuples(st.sampled_from(["lead", "withdrawn_reason", "image_caption"]), st.just("\x00")),
    st.tuples(st.just("slug"), st.sampled_from(["Bad Slug", "../x", "a\x00b", "ü", "x" * 300])),
    st.tuples(st.sampled_from(["type", "status"]), st.sampled_from(["blog", "' OR 1=1--", "\x00"])),
    st.tuples(
        st.just("published_at"),
        st.sampled_from(BAD_DATES),
    ),
    st.tuples(st.just("issued_by"), st.sampled_from([[], ["OSCE Ministry of Magic"], ["\x00"]])),
    st.tuples(st.just("fields_of_work"), st.sampled_from([["Astrology"], ["../../etc/passwd"]])),
    st.tuples(st.just("countries"), st.sampled_from([["Atlantis"], ["XX"], ["' OR 1=1--"]])),
    st.tuples(st.just("tags"), st.sampled_from([["x" * 101], ["a\x00b"], ["ok", "\x00"]])),
    st.tuples(st.just("image"), st.sampled_from(["../../etc/passwd", "/etc/passwd", "a/../../b"])),
)


@st.composite
def import_files(draw):
    """The lines of one file as (kind, slug, bytes): a `good` line must be stored, a `bad` one
    must fail, a `maybe` one is left to the command's own report (which the checks hold it to).
    Each line has a slug of its own, or repeats an earlier good line (a bad line then)."""
    numbers = draw(st.lists(st.integers(0, 10**6), min_size=1, max_size=6, unique=True))
    lines = []
    for number in numbers:
        good = [text for kind, _slug, text in lines if kind == "good"]
        if good and draw(st.integers(0, 9)) == 0:
            lines.append(("bad", "", draw(st.sampled_from(good))))
        else:
            lines.append(import_line(draw, f"fuzz-import-{number}"))
    return lines


def import_line(draw, slug):
    """One line of a kind drawn at random, for the item `slug` unless it updates one."""
    kind = draw(st.sampled_from(["good", "html", "bad", "bad-update", "bytes", "json", "maybe"]))
    if kind == "bad-update":
        slug = EXISTING_SLUG  # a bad line for an item that exists must not half-update it
    if kind == "good":
        return "good", slug, line(record(slug))
    if kind == "html":
        body = draw(st.sampled_from(HOSTILE_HTML))
        return "good", slug, line(record(slug, body_html=f"<p>Kept</p>{body}"))
    if kind in ("bad", "bad-update"):
        key, value = draw(BAD_CHANGES)
        data = record(slug)
        data = {k: v for k, v in data.items() if k != key} if value is None else data | {key: value}
        if key == "image":
            data["image_alt"] = "A photo"
        damage = draw(st.sampled_from(["none", "truncated", "not-utf8"]))
        text = line(data)
        if damage == "truncated":
            text = text[: draw(st.integers(1, len(text) - 1))]
        elif damage == "not-utf8":
            cut = draw(st.integers(0, len(text)))
            text = (
                text[:cut]
                + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80"]))
                + text[cut:]
            )
        return "bad", slug, text
    if kind == "bytes":
        text = draw(st.binary(min_size=1, max_size=200)).replace(b"\n", b"")
        # A line of whitespace is skipped, not reported; anything else that is not an object fails.
        blank_or_object = text.strip() == b"" or text.lstrip().startswith(b"{")
        return ("maybe" if blank_or_object else "bad"), slug, text
    if kind == "json":
        return "maybe", slug, json.dumps(draw(json_values)).encode()
    # A good record with one field given any JSON value at all.
    key = draw(st.sampled_from([*TEXT_KEYS[1:], *LIST_KEYS, "unknown"]))  # the slug stays
    return "maybe", slug, line(record(slug) | {key: draw(json_values)})


def snapshot(slugs):
    return {item.slug: export_line(item) for item in export_queryset().filter(slug__in=slugs)}


REPORT = re.compile(r"^line (\d+): (\S.*)$")


def run_import(path, lines):
    path.write_bytes(b"".join(text + b"\n" for text in lines))
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_news", str(path), stdout=out, stderr=err)
    except CommandError as error:
        assert "line(s) failed" in str(error)
    failed, warned = set(), set()
    for message in err.getvalue().splitlines():
        match = REPORT.match(message)
        assert match, f"not a 'line N: reason' report: {message!r}"
        number, reason = int(match[1]), match[2]
        (warned if reason.startswith("ignored unknown field") else failed).add(number)
    return failed, out.getvalue()


def test_import_of_hostile_lines_reports_each_bad_line_and_stores_exactly_the_good_ones(tmp_path):
    path = tmp_path / "news.jsonl"
    runs = []

    @fuzz_settings(IMPORT_EXAMPLES)
    @given(lines=import_files())
    def fuzz(lines):
        runs.append(lines)
        named = {slug for _kind, slug, _text in lines}
        before, tags_before = snapshot(named), set(Tag.objects.all())
        count_before = NewsItem.objects.count()
        failed, summary = run_import(path, [text for _kind, _slug, text in lines])

        stored_slugs = set()
        for number, (kind, _slug, text) in enumerate(lines, start=1):
            if kind == "good":
                assert number not in failed, (number, text[:300])
            elif kind == "bad":
                assert number in failed, (number, text[:300])
            if number not in failed and text.strip():
                stored_slugs.add(json.loads(text)["slug"])
        assert f"{len(failed)} failed" in summary

        after = snapshot(named)
        # An item that only failed lines named is exactly as it was, with every link (bodies,
        # fields, countries, tags), and a failed line left no item behind.
        assert {s: v for s, v in after.items() if s not in stored_slugs} == {
            s: v for s, v in before.items() if s not in stored_slugs
        }
        assert set(after) == set(before) | stored_slugs
        assert NewsItem.objects.count() == count_before + len(stored_slugs - set(before))
        new_tags = {tag.name.casefold() for tag in set(Tag.objects.all()) - tags_before}
        stored_tags = {
            tag.casefold() for slug in stored_slugs for tag in json.loads(after[slug])["tags"]
        }
        assert new_tags <= stored_tags
        for slug in stored_slugs:
            body = NewsItem.objects.get(slug=slug).body
            assert "<script" not in body and "onerror" not in body and "javascript:" not in body

    fuzz()
    assert len(runs) >= IMPORT_EXAMPLES


@pytest.mark.parametrize(
    "published_at", ["0001-01-01", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"]
)
def test_import_refuses_a_date_that_cannot_be_stored_and_read_back(tmp_path, published_at):
    # Once stored: PostgreSQL kept the year 0 (or 10000) in UTC, and every page that read the
    # item answered 500 from then on.
    failed, _summary = run_import(
        tmp_path / "news.jsonl", [line(record("far-away", published_at=published_at))]
    )
    assert failed == {1}
    assert not NewsItem.objects.filter(slug="far-away").exists()


def test_bad_line_for_an_existing_item_changes_nothing_of_it(tmp_path):
    before = snapshot([EXISTING_SLUG])
    failed, _summary = run_import(
        tmp_path / "news.jsonl",
        [line(record(EXISTING_SLUG, title="Half written", tags=["new-tag", "a\x00b"]))],
    )
    assert failed == {1}
    assert snapshot([EXISTING_SLUG]) == before
    assert not Tag.objects.filter(name="new-tag").exists()


# --- 3. the admin news form -------------------------------------------------------------------

ADMIN_EXAMPLES = 75  # for each of the add and the change form
# With the time at midnight, a date at the edge of the calendar is at its edge in UTC too.
MIDNIGHT = {"published_at_1": "00:00:00"}


@pytest.fixture
def superuser(visitor):
    user = User.objects.create_superuser("fuzz-admin", "fuzz@example.org", "pw")
    visitor.force_login(user)
    return user


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(content, name="photo.jpg"):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


ADMIN_VALUES = {
    "title": ["\x00", "x" * 301, "x" * 100_000, f"{MARKER}<script>", "\u202e\x01"],
    "slug": ["../../x", "a b", "\x00", "x" * 300, "ü", ""],
    "type": ["blog", "", "\x00", "' OR 1=1--"],
    "status": ["live", "", "\x00", "published"],
    "lead": ["\x00", "x" * 1_000_000, f"{MARKER}"],
    "body": ["\x00", f"<script>alert(1)</script>{MARKER}", "<img src=x onerror=alert(1)>"],
    "published_at_0": ["2024-02-30", "0000-01-01", "0001-01-01", "99999-01-01", "9999-12-31"],
    "published_at_1": ["25:61:61", "\x00", "-1", "23:59:59.9999999"],
    "withdrawn_reason": ["\x00", "x" * 100_000],
    "fields_of_work": [["-1"], ["9" * 30], ["abc"], ["\x00"], ["1.5"], list(map(str, range(300)))],
    "countries": [["-1"], ["9" * 30], ["\x00"], ["99999"]],
    "tags": ["\x00", "x" * 101, ",,,,", '"', "a" * 100_000, "a,\x00"],
    "image_alt": ["\x00", "x" * 301],
    "edit_version": ["-1", "9" * 30, "abc", "1e9", "\x00"],
    "issuing_bodies-0-structure": ["-1", "9" * 30, "abc", "\x00", "999999", ""],
    "issuing_bodies-0-position": ["-1", "9" * 30, "40000", "abc"],
    "issuing_bodies-TOTAL_FORMS": [None, "-1", "abc", "9" * 30, "1001", "\x00", ""],
    "issuing_bodies-INITIAL_FORMS": [None, "-1", "5", "9" * 30],
    "issuing_bodies-MAX_NUM_FORMS": [None, "-1", "0"],
    "image": [
        upload(b""),
        upload(b"\xff\xd8\xff" + b"\x00" * 50),  # a JPEG that stops after its first marker
        upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
        upload(b"GIF89a" + b"\x00" * 20, "photo.gif"),
        upload(b"<svg onload=alert(1)/>", "../../photo.svg"),
    ],
}  # fmt: skip
admin_changes = st.dictionaries(
    st.sampled_from(sorted(ADMIN_VALUES)),
    st.one_of(st.text(max_size=30), st.sampled_from(HOSTILE)),
    max_size=2,
) | st.sampled_from(sorted(ADMIN_VALUES)).flatmap(
    lambda key: st.sampled_from(ADMIN_VALUES[key]).map(lambda value: {key: value})
)


def hostile_post(data, changes):
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            if hasattr(value, "seek"):
                value.seek(0)
            data[key] = value
    return data


def check_admin_answer(client, url, data, changes, saved):
    """An invalid post is a 200 with form errors (or the site's 400) and stores nothing; a
    valid one is a redirect, and the item it saved can be read back."""
    response = client.post(url, data)
    assert response.status_code in (200, 302, 400), (changes, response.status_code)
    if response.status_code == 302:
        item = saved()
        assert client.get(change_url(item)).status_code == 200
        assert client.get("/admin/news/newsitem/").status_code == 200
        return True
    if response.status_code == 200:
        assert errors_of(response), changes
        assert MARKER.encode() not in response.content
    else:
        assert b"<h1>Bad request</h1>" in response.content
    return False


def test_admin_add_form_answers_hostile_posts_with_form_errors(visitor, superuser, media_root):
    sent = []

    @fuzz_settings(ADMIN_EXAMPLES)
    @given(changes=admin_changes, number=st.integers(0, 10**9))
    def fuzz(changes, number):
        sent.append(changes)
        count = NewsItem.objects.count()
        data = form_data(bodies=["secretariat"], slug=f"fuzz-admin-{number}", **MIDNIGHT)
        data = hostile_post(data, changes)
        if not check_admin_answer(
            visitor, ADD_URL, data, changes, lambda: NewsItem.objects.latest("pk")
        ):
            assert NewsItem.objects.count() == count
            assert not list(media_root.rglob("*.*"))

    fuzz()
    assert len(sent) >= ADMIN_EXAMPLES


def test_admin_change_form_answers_hostile_posts_with_form_errors(visitor, superuser, media_root):
    secretariat = Structure.objects.get(slug="secretariat")
    border_management = FieldOfWork.objects.get(slug="border-management")
    sent = []

    @fuzz_settings(ADMIN_EXAMPLES)
    @given(changes=admin_changes, status=st.sampled_from(["draft", "published"]))
    def fuzz(changes, status):
        sent.append(changes)
        item = NewsItemFactory(
            status=status, issued_by=[secretariat], fields_of_work=[border_management]
        )
        before = export_line(export_queryset().get(pk=item.pk))
        data = form_data(item, slug=item.slug, status=status, **MIDNIGHT)
        data = hostile_post(data, changes)
        if not check_admin_answer(visitor, change_url(item), data, changes, lambda: item):
            assert export_line(export_queryset().get(pk=item.pk)) == before

    fuzz()
    assert len(sent) >= ADMIN_EXAMPLES


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("countries", ":", "“:” is not a valid value."),
        ("issuing_bodies-0-structure", "abc", "Select a valid choice."),
    ],
)
def test_admin_shows_a_non_numeric_id_as_a_form_error(visitor, superuser, key, value, message):
    # Once a 500: the autocomplete widget looked the value up to show it again.
    data = form_data(bodies=["secretariat"]) | {key: value}
    response = visitor.post(ADD_URL, data)
    assert response.status_code == 200
    assert message in errors_of(response)
    assert not NewsItem.objects.filter(slug=data["slug"]).exists()


def test_a_post_without_the_management_form_is_a_form_error(visitor, superuser):
    data = form_data(bodies=["secretariat"])
    del data["issuing_bodies-TOTAL_FORMS"], data["issuing_bodies-INITIAL_FORMS"]
    response = visitor.post(ADD_URL, data)
    assert response.status_code == 200
    assert "ManagementForm data is missing or has been tampered with" in errors_of(response)
    assert not NewsItem.objects.filter(slug=data["slug"]).exists()


def test_admin_refuses_a_tag_longer_than_the_database_holds(visitor, superuser):
    # Once a 500: the database refused the 101st character.
    data = form_data(bodies=["secretariat"], tags="x" * 101)
    response = visitor.post(ADD_URL, data)
    assert response.status_code == 200
    assert "A tag may be at most 100 characters long" in errors_of(response)
    assert not NewsItem.objects.filter(slug=data["slug"]).exists()


def test_admin_refuses_a_body_listed_twice_by_a_tampered_form_count(visitor, superuser):
    # Once a 500 (IntegrityError): the stored row was left out of the form and posted again.
    item = NewsItemFactory(status="draft", issued_by=[Structure.objects.get(slug="secretariat")])
    data = form_data(item, slug=item.slug) | {"issuing_bodies-INITIAL_FORMS": "0"}
    response = visitor.post(change_url(item), data)
    assert response.status_code == 200
    assert "Each issuing body may be listed once" in errors_of(response)
    assert item.issuing_bodies.count() == 1


def test_unpublishing_with_an_error_in_the_form_shows_the_form_again(visitor, superuser):
    # Once a 500: the page was shown again with the slug editable (the new status, draft) but
    # the form had been built without it (the stored status, published).
    item = NewsItemFactory(
        issued_by=[Structure.objects.get(slug="secretariat")],
        fields_of_work=[FieldOfWork.objects.get(slug="border-management")],
    )
    data = form_data(item, slug=item.slug, status="draft", published_at_1="not a time")
    response = visitor.post(change_url(item), data)
    assert response.status_code == 200
    assert "Enter a valid time" in errors_of(response)
    item.refresh_from_db()
    assert item.status == NewsItem.Status.PUBLISHED


def test_admin_refuses_a_time_that_cannot_be_stored_and_read_back(visitor, superuser):
    # Once saved: midnight of 1 January of the year 1 in Vienna is in the year 0 in UTC, and
    # every page that read the item answered 500 from then on.
    data = form_data(bodies=["secretariat"], published_at_0="0001-01-01", published_at_1="0:00")
    response = visitor.post(ADD_URL, data)
    assert response.status_code == 200
    assert "Choose a date between the years 1 and 9999" in errors_of(response)
    assert not NewsItem.objects.filter(slug=data["slug"]).exists()

"""Hostile import files: each bad line reported with its number, nothing of it stored, the
good lines imported (issue 6): 100 generated files of 1 to 6 lines, and regression tests."""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st
from taggit.models import Tag

from news.jsonl import export_line, export_queryset
from news.models import NewsItem

from .fuzzing import fuzz_settings

pytestmark = pytest.mark.usefixtures("demo_news")


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

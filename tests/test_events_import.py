"""import_events / export_events (news/events/jsonl*.py): the rules of the news import — a bad
line is reported with its number and stores nothing, the others are imported, a re-run changes
nothing, and export → import into an empty database → export is byte-identical."""

import datetime
import json
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from news import pagecache
from news.models import Event, EventDocument, NewsItem

from .factories import NewsItemFactory
from .fuzzing import fuzz_settings, huge_texts, texts

pytestmark = pytest.mark.usefixtures("reference_data")


def record(**overrides):
    data = {
        "slug": "ministerial-council-2025",
        "title": "32nd OSCE Ministerial Council",
        "series": "Ministerial Council meetings",
        "edition": "32nd",
        "start": "2025-12-04T09:00:00+01:00",
        "end": "2025-12-05T18:00:00+01:00",
        "time_zone": "Europe/Vienna",
        "city": "Vienna",
        "country": "AT",
        "venue": "Hofburg",
        "attendance": "hybrid",
        "organised_by": ["OSCE Secretariat", "odihr"],
        "fields_of_work": ["Border management", "elections"],
        "description_html": "<p>The <b>annual</b> meeting.<script>alert(1)</script></p>",
        "registration_url": "https://example.org/register",
        "registration_deadline": "2025-11-20T23:59:00+01:00",
        "livestream_url": "https://example.org/live",
        "documents": [
            {"title": "Agenda", "url": "https://example.org/agenda.pdf"},
            {"title": "Journal", "url": "https://example.org/journal.pdf"},
        ],
        "news": ["council-opens", "council-closes"],
        "status": "published",
        "status_note": "",
    }
    data.update(overrides)
    return json.dumps(data, ensure_ascii=False)


def run(command, *args):
    out, err = StringIO(), StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
        failed = False
    except CommandError:
        failed = True
    return failed, out.getvalue(), err.getvalue()


def run_import(tmp_path, *lines, dry_run=False):
    path = tmp_path / "events.jsonl"
    lines = [line if isinstance(line, bytes) else line.encode() for line in lines]
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return run("import_events", str(path), *(["--dry-run"] if dry_run else []))


def export():
    failed, out, _ = run("export_events")
    assert not failed
    return out


@pytest.fixture
def news(db):
    """Three news items, and no event (the reference data's events removed for the test)."""
    Event.objects.all().delete()
    return [NewsItemFactory(slug=slug) for slug in ("council-opens", "council-closes", "other")]


# --- good lines ---------------------------------------------------------------------------------


def test_a_good_line_creates_the_event_with_everything_resolved(tmp_path, news):
    failed, out, err = run_import(tmp_path, record())
    assert not failed, err
    assert "1 created, 0 updated, 0 unchanged, 0 failed" in out
    event = Event.objects.get(slug="ministerial-council-2025")
    assert event.series.slug == "ministerial-council-meetings"
    assert event.country.slug == "austria"
    assert event.start == datetime.datetime(2025, 12, 4, 8, tzinfo=datetime.UTC)
    assert event.attendance == Event.Attendance.HYBRID
    assert [s.slug for s in event.organising_structures()] == ["secretariat", "odihr"]
    assert {f.slug for f in event.fields_of_work.all()} == {"border-management", "elections"}
    assert "<script>" not in event.description and "<b>annual</b>" in event.description
    assert [d.title for d in event.documents.all()] == ["Agenda", "Journal"]
    assert event.version == 1


def test_news_items_are_linked_both_ways(tmp_path, news):
    run_import(tmp_path, record())
    event = Event.objects.get(slug="ministerial-council-2025")
    assert {item.slug for item in event.news_items.all()} == {"council-opens", "council-closes"}
    assert NewsItem.objects.get(slug="council-opens").event == event
    assert NewsItem.objects.get(slug="other").event is None
    # A later line that names other items moves the links: those not named are unlinked.
    failed, out, _ = run_import(tmp_path, record(news=["other"]))
    assert not failed and "1 updated" in out
    assert NewsItem.objects.get(slug="other").event == event
    assert NewsItem.objects.get(slug="council-opens").event is None


def test_a_re_run_changes_nothing(tmp_path, news):
    run_import(tmp_path, record())
    event = Event.objects.get()
    failed, out, _ = run_import(tmp_path, record())
    assert not failed
    assert "0 created, 0 updated, 1 unchanged, 0 failed" in out
    again = Event.objects.get()
    assert (again.version, again.updated_at) == (event.version, event.updated_at)


def test_a_changed_line_updates_the_event_and_its_version(tmp_path, news):
    run_import(tmp_path, record())
    uid = Event.objects.get().uid
    failed, out, _ = run_import(tmp_path, record(status="cancelled", status_note="No quorum."))
    assert not failed and "1 updated" in out
    event = Event.objects.get()
    assert (event.status, event.version, event.uid) == ("cancelled", 2, uid)


def test_round_trip_is_byte_identical(tmp_path, news):
    failed, _, err = run_import(
        tmp_path,
        record(),
        record(slug="helsinki-1975", title="Helsinki Summit", series="summit-meetings",
               start="1975-07-30T10:00:00+02:00", end="1975-08-01T18:00:00+02:00",
               time_zone="Europe/Helsinki", country="Finland", news=[], documents=[],
               registration_deadline=None, status="postponed", status_note="A note."),
        json.dumps({"slug": "bare", "title": "Bare", "start": "2030-01-01T00:00:00Z",
                    "end": "2030-01-01T00:00:00Z"}),
    )  # fmt: skip
    assert not failed, err
    first = export()
    assert len(first.splitlines()) == 3
    assert json.loads(first.splitlines()[1])["start"] == "1975-07-30T10:00:00+02:00"
    path = tmp_path / "export.jsonl"
    path.write_text(first, encoding="utf-8")
    uids = dict(Event.objects.values_list("slug", "uid"))
    Event.objects.all().delete()  # an empty database, as far as events go
    failed, out, err = run("import_events", str(path))
    assert not failed and "3 created" in out, err
    assert export() == first
    # Calendars that hold the events see the same events, not new ones beside them.
    assert dict(Event.objects.values_list("slug", "uid")) == uids
    failed, out, _ = run("import_events", str(path))
    assert "3 unchanged" in out


def test_an_uploaded_document_survives_the_round_trip(tmp_path, news):
    name = default_storage.save("events/2025/journal.pdf", ContentFile(b"%PDF-1.4 journal"))
    try:
        failed, _, err = run_import(tmp_path, record(documents=[{"title": "J", "file": name}]))
        assert not failed, err
        assert EventDocument.objects.get().file.name == name
        assert json.loads(export())["documents"] == [{"file": name, "title": "J"}]
    finally:
        default_storage.delete(name)


def test_an_import_that_changed_something_renews_the_page_cache(tmp_path, news, monkeypatch):
    bumps = []
    monkeypatch.setattr(pagecache, "bump", lambda **kwargs: bumps.append(1))
    run_import(tmp_path, record(), record(slug="second", news=[]))
    assert len(bumps) == 1
    run_import(tmp_path, record(), record(slug="second", news=[]))
    assert len(bumps) == 1  # nothing changed: no bump


def test_a_dry_run_stores_nothing(tmp_path, news):
    failed, out, _ = run_import(tmp_path, record(), dry_run=True)
    assert not failed and "1 created" in out and "dry run" in out
    assert not Event.objects.exists()
    assert NewsItem.objects.filter(event__isnull=False).count() == 0


# --- bad lines ----------------------------------------------------------------------------------

BAD_LINES = {
    "not json": ("{not json", "invalid JSON"),
    "not an object": ("[1, 2]", "expected a JSON object"),
    "deep nesting": ("[" * 100_000 + "]" * 100_000, "invalid JSON"),
    "huge integer": ('{"slug": ' + "9" * 5000 + "}", "invalid JSON"),
    "title not a string": (record(title=42), "title must be a string"),
    "missing title": (record(title=" "), "missing title"),
    "title too long": (record(title="x" * 301), "title is longer than 300"),
    "bad slug": (record(slug="Not a slug!"), "slug 'Not a slug!'"),
    "reserved slug": (record(slug="atom"), "address of a site page"),
    "missing start": (record(start=None), "missing start"),
    "start not a date": (record(start="next tuesday"), "bad start"),
    "start a number": (record(start=20251204), "bad start"),
    "start without offset": (record(start="2025-12-04T09:00:00"), "has no UTC offset"),
    "end before start": (record(end="2025-12-03T09:00:00+01:00"), "end is before start"),
    "year out of range": (record(end="9999-12-31T23:59:59-12:00"), "out of range"),
    "year 1": (record(start="0001-01-01T00:00:00+14:00"), "out of range"),
    "unknown zone": (record(time_zone="Mars/Olympus_Mons"), "unknown time_zone"),
    "zone not a string": (record(time_zone=["Europe/Vienna"]), "time_zone must be a string"),
    "unknown series": (record(series="Tea parties"), "unknown series 'Tea parties'"),
    "unknown country": (record(country="Atlantis"), "unknown country 'Atlantis'"),
    "country a list": (record(country=["AT"]), "country must be a string"),
    "unknown organiser": (record(organised_by=["Ministry of Magic"]), "unknown organiser"),
    "unknown field": (record(fields_of_work=["Astrology"]), "unknown field of work"),
    "bad attendance": (record(attendance="telepathy"), "attendance 'telepathy' is not one of"),
    "bad status": (record(status="rumoured"), "status 'rumoured' is not one of"),
    "bad url": (record(registration_url="javascript:alert(1)"), "not an http(s) address"),
    "url too long": (record(livestream_url="https://e.org/" + "a" * 600), "longer than 500"),
    "documents not a list": (record(documents="agenda"), "documents must be a list"),
    "document without url": (record(documents=[{"title": "A"}]), "document 1: give either"),
    "document bad url": (record(documents=[{"title": "A", "url": "ftp://x"}]), "document 1:"),
    "document file outside": (
        record(documents=[{"title": "A", "file": "../etc/passwd"}]),
        "not a PDF",
    ),
    "document file missing": (
        record(documents=[{"title": "A", "file": "events/no.pdf"}]),
        "not in the media folder",
    ),
    "unknown news": (
        record(news=["council-opens", "no-such-item"]),
        "unknown news item(s) 'no-such-item'",
    ),
    "news not slugs": (record(news=[1, 2]), "news must be a list of strings"),
    "nul character": (record(venue="Hof\x00burg"), "venue holds a NUL character"),
    "huge name": (record(series="x" * 1_000_000), "unknown series"),
    "huge status": (record(status="x" * 1_000_000), "status 'xxx"),
    "huge unknown news": (record(news=["x" * 1_000_000]), "unknown news item(s) 'xxx"),
    "huge slug": (record(slug="x" * 1_000_000), "slug 'xxx"),
    "uid not a uuid": (record(uid="event-1@example.org"), "uid 'event-1@example.org' is not"),
}


@pytest.mark.parametrize("kind", BAD_LINES)
def test_each_bad_line_is_reported_and_stores_nothing(tmp_path, news, kind):
    line, reason = BAD_LINES[kind]
    failed, out, err = run_import(tmp_path, line, record(slug="good-one", news=["other"]))
    assert failed
    assert "1 created, 0 updated, 0 unchanged, 1 failed" in out
    assert err.startswith("line 1: ") and reason in err, err
    assert len(err) < 1000
    assert list(Event.objects.values_list("slug", flat=True)) == ["good-one"]
    assert set(NewsItem.objects.filter(event__isnull=False).values_list("slug", flat=True)) == {
        "other"
    }


def test_a_bad_update_leaves_the_stored_event_as_it_was(tmp_path, news):
    run_import(tmp_path, record())
    before = export()
    failed, _, err = run_import(tmp_path, record(title="New title", news=["no-such-item"]))
    assert failed and "line 1: unknown news item(s)" in err
    assert export() == before
    assert Event.objects.get().version == 1


def test_a_uid_that_is_another_events_fails_the_line(tmp_path, news):
    run_import(tmp_path, record(slug="first", news=[]))
    taken = str(Event.objects.get(slug="first").uid)
    failed, _, err = run_import(tmp_path, record(slug="second", news=[], uid=taken))
    assert failed and "is the calendar UID of another event, 'first'" in err
    assert not Event.objects.filter(slug="second").exists()


def test_lines_that_are_not_utf8_or_repeat_a_slug_or_a_news_item_fail(tmp_path, news):
    failed, out, err = run_import(
        tmp_path,
        b"\xff\xfe{}",
        record(news=["council-opens"]),
        record(title="Again", news=[]),
        record(slug="another", news=["council-opens"]),
    )
    assert failed and "1 created, 0 updated, 0 unchanged, 3 failed" in out
    assert "line 1: not UTF-8 text" in err
    assert "line 3: slug 'ministerial-council-2025' already used on line 2" in err
    assert "line 4: news item 'council-opens' already given on line 2" in err


def test_unknown_keys_are_reported_but_do_not_fail_the_line(tmp_path, news):
    failed, _, err = run_import(tmp_path, record(colour="blue"))
    assert not failed
    assert "line 1: ignored unknown field(s): colour" in err


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="cannot open"):
        call_command("import_events", str(tmp_path / "nope.jsonl"), stdout=StringIO())


# --- fuzzing ------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
hostile_values = st.one_of(json_values, texts, huge_texts, st.lists(texts, max_size=3))
FUZZ_EXAMPLES = 150


def test_hostile_values_of_any_key_fail_their_line_or_round_trip(tmp_path, news):
    """Whatever value a key is given, the line is either refused with a "line 1: reason" and
    nothing of it stored, or stored so that its export imports back unchanged."""
    runs = []

    @fuzz_settings(FUZZ_EXAMPLES)
    @given(
        changes=st.dictionaries(
            st.sampled_from(sorted(json.loads(record()))), hostile_values, min_size=1, max_size=3
        )
    )
    def fuzz(changes):
        runs.append(changes)
        Event.objects.all().delete()
        NewsItem.objects.update(event=None)
        line = json.dumps(json.loads(record()) | changes, ensure_ascii=False)
        failed, out, err = run_import(tmp_path, line.encode("utf-8", "surrogatepass"))
        assert all(message.startswith("line 1: ") for message in err.splitlines()), err[:500]
        assert len(err) < 2000, err[:500]
        if failed:
            assert "1 failed" in out
            assert not Event.objects.exists()
            assert not NewsItem.objects.filter(event__isnull=False).exists()
            return
        assert "1 created" in out, (out, err[:500])
        exported = export()
        failed, out, _ = run_import(tmp_path, exported.strip())
        assert not failed and "1 unchanged" in out, exported[:500]

    fuzz()
    assert len(runs) >= FUZZ_EXAMPLES

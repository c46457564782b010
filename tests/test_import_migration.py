"""Migration runs of import_news (issue 13, part 4 and the importer's side of part 3): the
report, aliases, --default-issuer, --create-missing, re-runs, streaming from a pipe in constant
memory, and the bulk path storing exactly what `store()` stores."""

import io
import json
import os
import subprocess
import sys
import threading
import tracemalloc
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from countries.models import Country
from news import import_batches
from news.jsonl import export_queryset, export_record, stored_records
from news.jsonl_import import Resolver, parse_line
from news.jsonl_store import store
from news.models import Alias, FieldOfWork, IssuingBody, NewsItem
from structures.models import Structure

pytestmark = pytest.mark.usefixtures("reference_data")


def record(slug, **overrides):
    data = {
        "slug": slug,
        "title": f"Item {slug}",
        "lead": "A lead.",
        "body_html": "<p>A body.</p>",
        "published_at": "2013-05-31",
        "issued_by": ["OSCE Secretariat"],
        "fields_of_work": ["Border management"],
        "countries": ["Tajikistan"],
        "tags": ["customs"],
        "status": "published",
    }
    data.update(overrides)
    return json.dumps({k: v for k, v in data.items() if v is not ...}, ensure_ascii=False)


def run_import(tmp_path, *lines, options=(), name="news.jsonl"):
    """(failed, stdout, {line number: [reasons]}) of import_news over `lines`."""
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    out, err = StringIO(), StringIO()
    try:
        call_command("import_news", str(path), *options, stdout=out, stderr=err)
        failed = False
    except CommandError:
        failed = True
    reasons = {}
    for message in err.getvalue().splitlines():
        if message.startswith("line "):
            number, reason = message.removeprefix("line ").split(": ", 1)
            reasons.setdefault(int(number), []).append(reason)
    return failed, out.getvalue(), reasons


def export_text():
    out = StringIO()
    call_command("export_news", stdout=out)
    return out.getvalue()


def slugs():
    return sorted(NewsItem.objects.values_list("slug", flat=True))


# --- the report ---------------------------------------------------------------------------------


EVERY_PROBLEM = [
    record("good-1"),  # 1
    record("magic-1", issued_by=["OSCE Ministry of Magic"]),  # 2
    record("astro", fields_of_work=["Astrology"]),  # 3
    record("atlantis", countries=["Atlantis"]),  # 4
    record("klingon", language="tlh"),  # 5
    "{not json",  # 6
    record("no-issuer", issued_by=[]),  # 7
    record("bad-date", published_at="31/05/2013"),  # 8
    record("good-1", title="Again"),  # 9: a duplicate slug
    # 10: every unknown name of a line is reported, not just the first
    record("many", issued_by=["Ministry of Magic"], countries=["Atlantis", "El Dorado"]),
    record("magic-2", issued_by=["ministry of   MAGIC"]),  # 11: the same name, spelt otherwise
    record("bad-date-2", published_at="2013-02-30"),  # 12
    record("good-2"),  # 13
]


def test_the_report_groups_every_kind_of_problem_with_counts_and_lines(tmp_path):
    report = tmp_path / "report.txt"
    failed, out, reasons = run_import(tmp_path, *EVERY_PROBLEM, options=["--report", str(report)])
    assert failed
    assert "2 created, 0 updated, 0 unchanged, 11 failed" in out
    assert reasons[10] == [
        "unknown issuing body 'Ministry of Magic'; unknown country 'Atlantis'; "
        "unknown country 'El Dorado'"
    ]
    text = report.read_text(encoding="utf-8")
    assert f"File:      {tmp_path / 'news.jsonl'}" in text
    assert "Options:   --dry-run no, --default-issuer (none), --create-missing no" in text
    assert "Lines read:  13 (0 blank, skipped)" in text
    for expected in ("Created:     2", "Updated:     0", "Unchanged:   0", "Failed:      11"):
        assert expected in text
    sections = text.split("\n\n")
    bodies = next(s for s in sections if s.startswith("Issuing bodies (1 name)"))
    assert "      3  'OSCE Ministry of Magic': lines 2, 10, 11" in bodies
    fields = next(s for s in sections if s.startswith("Fields of work (1 name)"))
    assert "      1  'Astrology': line 3" in fields
    countries = next(s for s in sections if s.startswith("Countries (2 names)"))
    # By count, most first.
    assert countries.index("'Atlantis': lines 4, 10") < countries.index("'El Dorado': line 10")
    assert "      1  'tlh': line 5" in next(s for s in sections if s.startswith("Languages"))
    other = text.split("Other failures\n--------------\n")[1]
    assert "      2  bad date …: expected YYYY-MM-DD or an ISO 8601 date-time: lines 8, 12" in other
    assert "e.g. line 8: bad date '31/05/2013': expected" in other
    assert (
        "      1  invalid JSON (Expecting property name enclosed in double quotes at column …)"
        in other
    )
    assert "missing issued_by (a published item needs at least one): line 7" in other
    assert "slug … already used on line …: line 9" in other
    assert "Added for review" not in text  # only with --create-missing


def test_the_report_shows_the_first_lines_of_a_name_and_counts_the_rest(tmp_path, monkeypatch):
    from news import import_report

    monkeypatch.setattr(import_report, "LINES_SHOWN", 3)
    report = tmp_path / "report.txt"
    lines = [record(f"m-{n}", countries=["Atlantis"]) for n in range(7)]
    run_import(tmp_path, *lines, options=["--report", str(report)])
    assert "      7  'Atlantis': lines 1, 2, 3 and 4 more" in report.read_text(encoding="utf-8")


def test_a_report_that_cannot_be_written_stops_the_run_before_it_reads(tmp_path):
    path = tmp_path / "news.jsonl"
    path.write_text(record("a") + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"cannot write the report to /nonexistent/r\.txt"):
        call_command("import_news", str(path), "--report", "/nonexistent/r.txt")
    assert not NewsItem.objects.exists()


# --- aliases -------------------------------------------------------------------------------------


def alias(label, **target):
    return Alias.objects.create(label=label, **target)


def test_names_resolve_through_aliases_of_their_kind(tmp_path):
    alias("Ministry of Borders", structure=Structure.objects.get(slug="secretariat"))
    alias("Frontiers", field_of_work=FieldOfWork.objects.get(slug="border-management"))
    alias("Tadjikistan", country=Country.objects.get(code="TJ"))
    failed, _, reasons = run_import(
        tmp_path,
        record(
            "aliased",
            issued_by=["OSCE  ministry of borders"],
            fields_of_work=["FRONTIERS"],
            countries=["Tadjikistan"],
        ),
        # An alias of a field is not a country.
        record("wrong-kind", countries=["Frontiers"]),
    )
    assert failed and reasons == {2: ["unknown country 'Frontiers'"]}
    exported = json.loads(export_text())
    assert exported["issued_by"] == ["secretariat"]
    assert exported["fields_of_work"] == ["border-management"]
    assert exported["countries"] == ["tajikistan"]


def test_an_entrys_own_name_wins_over_an_alias(tmp_path):
    # An alias labelled with another body's own name does not take that name from it.
    alias("ODIHR", structure=Structure.objects.get(slug="secretariat"))
    run_import(tmp_path, record("own", issued_by=["ODIHR"]))
    assert [s.slug for s in NewsItem.objects.get().issued_by.all()] == ["odihr"]


def test_a_rerun_after_adding_an_alias_imports_the_lines_that_failed(tmp_path):
    lines = [record("a"), record("b", issued_by=["Ministry of Borders"]), record("c")]
    failed, out, _ = run_import(tmp_path, *lines)
    assert failed and "2 created, 0 updated, 0 unchanged, 1 failed" in out
    alias("Ministry of Borders", structure=Structure.objects.get(slug="secretariat"))
    failed, out, _ = run_import(tmp_path, *lines)
    assert not failed
    assert "1 created, 0 updated, 2 unchanged, 0 failed" in out
    assert slugs() == ["a", "b", "c"]


# --- --default-issuer ----------------------------------------------------------------------------


def test_a_line_without_issuer_takes_the_default_issuer(tmp_path):
    failed, _, reasons = run_import(
        tmp_path,
        record("missing", issued_by=...),
        record("empty", issued_by=[]),
        record("own", issued_by=["ODIHR"]),
        options=["--default-issuer", "programme-office-in-dushanbe"],
    )
    assert not failed, reasons
    issuers = dict(IssuingBody.objects.values_list("news_item__slug", "structure__slug"))
    assert issuers == {
        "missing": "programme-office-in-dushanbe",
        "empty": "programme-office-in-dushanbe",
        "own": "odihr",
    }


def test_without_default_issuer_a_published_line_needs_one_and_a_draft_does_not(tmp_path):
    failed, _, reasons = run_import(
        tmp_path,
        record("published", issued_by=[]),
        record("draft", issued_by=[], status="draft"),
    )
    assert failed
    assert reasons == {1: ["missing issued_by (a published item needs at least one)"]}
    assert slugs() == ["draft"]


def test_an_unknown_default_issuer_is_refused_before_the_file_is_read(tmp_path):
    with pytest.raises(CommandError, match=r"--default-issuer 'nobody': no structure has that"):
        call_command("import_news", "/nonexistent.jsonl", "--default-issuer", "nobody")


# --- --create-missing ----------------------------------------------------------------------------


def test_create_missing_adds_bodies_and_fields_once_for_review(tmp_path):
    last_position = max(FieldOfWork.objects.values_list("position", flat=True))
    report = tmp_path / "report.txt"
    lines = [
        record("a", issued_by=["Ministry of Magic"], fields_of_work=["Astrology"]),
        record("b", issued_by=["OSCE ministry of magic"], fields_of_work=["astrology"]),
        record("c", countries=["Atlantis"], fields_of_work=["Alchemy"]),  # countries: never
    ]
    options = ["--create-missing", "--report", str(report)]
    failed, out, reasons = run_import(tmp_path, *lines, options=options)
    assert failed and reasons == {3: ["unknown country 'Atlantis'"]}
    assert "2 created" in out

    body = Structure.objects.get(needs_review=True)
    assert (body.name, body.issuing_label, body.slug, body.kind) == (
        "Ministry of Magic",
        "Ministry of Magic",
        "ministry-of-magic",
        Structure.Kind.OTHER_BODY,
    )
    field = FieldOfWork.objects.get(needs_review=True)  # not "Alchemy": its line failed
    assert (field.name, field.slug, field.position) == ("Astrology", "astrology", last_position + 1)
    assert not Country.objects.filter(name="Atlantis").exists()
    for slug in ("a", "b"):
        item = NewsItem.objects.get(slug=slug)
        assert list(item.issued_by.all()) == [body] and list(item.fields_of_work.all()) == [field]
    text = report.read_text(encoding="utf-8")
    assert "Issuing body 'Ministry of Magic' (slug ministry-of-magic), first on line 1" in text
    assert "Field of work 'Astrology' (slug astrology), first on line 1" in text

    failed, out, _ = run_import(tmp_path, *lines[:2], options=["--create-missing"])
    assert not failed and "0 created, 0 updated, 2 unchanged, 0 failed" in out
    assert Structure.objects.filter(needs_review=True).count() == 1
    assert FieldOfWork.objects.filter(needs_review=True).count() == 1


def test_a_created_entry_takes_a_free_slug(tmp_path):
    # "Secretariat!" is a new name whose slug the Secretariat has.
    run_import(tmp_path, record("a", issued_by=["Secretariat!"]), options=["--create-missing"])
    assert Structure.objects.get(needs_review=True).slug == "secretariat-2"


def test_create_missing_in_a_dry_run_adds_nothing(tmp_path):
    report = tmp_path / "report.txt"
    failed, out, _ = run_import(
        tmp_path,
        record("a", issued_by=["Ministry of Magic"]),
        options=["--create-missing", "--dry-run", "--report", str(report)],
    )
    assert not failed and "1 created" in out and "dry run" in out
    assert not Structure.objects.filter(needs_review=True).exists()
    assert not NewsItem.objects.exists()
    text = report.read_text(encoding="utf-8")
    assert "Would be created: 1" in text
    assert "Added for review (would be created by --create-missing)" in text


# --- re-runs -------------------------------------------------------------------------------------


def test_a_rerun_of_the_same_file_changes_nothing(tmp_path):
    lines = [
        record("a", tags=["Zeta", "alpha"]),
        record("a-ru", language="ru", translation_of="a"),
        record("d", status="draft", issued_by=[]),
        record("e", tags=["CUSTOMS"]),  # stored as the tag "customs" of the lines before
    ]
    run_import(tmp_path, *lines)
    before = export_text()
    versions = list(NewsItem.objects.order_by("slug").values_list("slug", "version", "updated_at"))
    with CaptureQueriesContext(connection) as queries:
        failed, out, _ = run_import(tmp_path, *lines)
    assert not failed and "0 created, 0 updated, 4 unchanged, 0 failed" in out
    assert export_text() == before
    assert versions == list(
        NewsItem.objects.order_by("slug").values_list("slug", "version", "updated_at")
    )
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert all("pg_temp." in sql for sql in writes), writes  # only the run's own ledger


# --- streaming -----------------------------------------------------------------------------------


def test_a_translation_before_its_source_waits_for_it_across_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(import_batches, "BATCH_LINES", 2)
    failed, out, reasons = run_import(
        tmp_path,
        record("x-de", language="de", translation_of="x-ru"),
        record("filler-1"),
        record("x-ru", language="ru", translation_of="x"),
        record("filler-2"),
        record("x"),
    )
    assert not failed, reasons
    assert "5 created" in out
    de, ru, x = (NewsItem.objects.get(slug=s) for s in ("x-de", "x-ru", "x"))
    assert de.translated_from == ru and ru.translated_from == x
    assert de.translation_key == ru.translation_key == x.translation_key


def test_a_duplicate_slug_is_found_in_a_later_batch(tmp_path, monkeypatch):
    monkeypatch.setattr(import_batches, "BATCH_LINES", 2)
    failed, _, reasons = run_import(
        tmp_path, record("a"), record("b"), record("c"), record("a", title="Again")
    )
    assert failed and reasons == {4: ["slug 'a' already used on line 1"]}
    assert NewsItem.objects.get(slug="a").title == "Item a"


def test_a_failed_bulk_creation_is_redone_line_by_line(tmp_path):
    run_import(tmp_path, record("a"), record("a-ru", language="ru", translation_of="a"))
    # The batch's check sees no clash; the database's constraint does, and only its line fails.
    failed, out, reasons = run_import(
        tmp_path, record("b"), record("other-ru", language="ru", translation_of="a"), record("c")
    )
    assert failed
    assert reasons == {
        2: ["translation_of 'a': the group already has an item in Russian (ru): 'a-ru'"]
    }
    assert "2 created, 0 updated, 0 unchanged, 1 failed" in out
    assert slugs() == ["a", "a-ru", "b", "c"]


BIG_BODY = "<p>" + "peace and security in the region " * 620 + "</p>"  # about 20 KB


def big_lines(count):
    for n in range(count):
        yield (record(f"piped-{n}", body_html=BIG_BODY) + "\n").encode()


def test_standard_input_is_read_from_a_pipe_in_constant_memory(tmp_path, monkeypatch):
    count = 2000
    warm_up = tmp_path / "warm-up.jsonl"
    warm_up.write_text(record("warm-up") + "\n", encoding="utf-8")
    read_end, write_end = os.pipe()

    def write():
        with os.fdopen(write_end, "wb") as pipe:
            for line in big_lines(count):
                pipe.write(line)
                pipe.flush()

    writer = threading.Thread(target=write, daemon=True)
    # What a first import loads once per process (the languages' CLDR data, some 20 MB) is
    # loaded before the count starts: the count is of what the lines cost.
    call_command("import_news", str(warm_up), stdout=StringIO(), stderr=StringIO())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(os.fdopen(read_end, "rb")))
    out = StringIO()
    tracemalloc.start()
    try:
        writer.start()
        call_command("import_news", "-", stdout=out, stderr=StringIO())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        writer.join(timeout=10)
    assert f"{count} created, 0 updated, 0 unchanged, 0 failed" in out.getvalue()
    assert NewsItem.objects.filter(slug__startswith="piped-").count() == count
    input_bytes = count * len(next(big_lines(1)))
    assert input_bytes > 40_000_000
    print(f"traced peak {peak:,} bytes for {input_bytes:,} bytes of input")
    assert peak < input_bytes / 4, f"peak {peak:,} bytes for {input_bytes:,} bytes of input"


WRITER = """
import json, sys
with open(sys.argv[1], "w", encoding="utf-8") as fifo:
    for n in range(int(sys.argv[2])):
        fifo.write(sys.argv[3].replace("SLUG", f"fifo-{n}") + "\\n")
        fifo.flush()
"""


def test_a_fifo_written_by_another_process_is_imported(tmp_path):
    fifo = tmp_path / "news.fifo"
    os.mkfifo(fifo)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(fifo), "300", record("SLUG")])
    out, err = StringIO(), StringIO()
    try:
        call_command("import_news", str(fifo), stdout=out, stderr=err)
    finally:
        assert writer.wait(timeout=30) == 0
    assert "300 created, 0 updated, 0 unchanged, 0 failed" in out.getvalue()
    assert NewsItem.objects.filter(slug__startswith="fifo-").count() == 300


def test_progress_gives_the_rate_and_for_a_file_how_far_it_is(tmp_path, monkeypatch):
    from news.management.commands import import_news

    monkeypatch.setattr(import_news, "PROGRESS_EVERY", 2)
    path = tmp_path / "news.jsonl"
    path.write_text("".join(record(f"p-{n}") + "\n" for n in range(4)), encoding="utf-8")
    err = StringIO()
    call_command("import_news", str(path), stdout=StringIO(), stderr=err)
    first, second = err.getvalue().splitlines()
    assert first.startswith("… 2 lines read (2 created, 0 updated, 0 unchanged, 0 failed); ")
    assert " lines/s, 50% of the file, about " in first
    assert second.endswith("100% of the file")


# --- the bulk path stores what store() stores ----------------------------------------------------


VARIED = [
    record("v-plain"),
    record("v-tags", tags=["Zeta", "alpha", "ALPHA", "customs"]),
    record("v-draft", status="draft", issued_by=[], published_at=None, lead=""),
    record("v-withdrawn", status="withdrawn", withdrawn_reason="Wrong date"),
    record("v-timed", published_at="2024-03-31T01:30:00+00:00", type="press_release"),
    record("v-many", issued_by=["ODIHR", "OSCE Secretariat"], countries=["FI", "Türkiye"]),
    record("v-html", body_html='<p>Hi<img src=x onerror="alert(1)"></p><script>x</script>'),
    record("v-ru", language="ru", translation_of="v-plain", title="Доклад"),
    record("v-de", language="de", translation_of="v-ru"),
    record("v-image-text", image_caption="A caption", image_credit="OSCE"),
]


def stored_state():
    return export_text(), list(
        NewsItem.objects.order_by("slug").values_list(
            "slug", "version", "search_config", "source_version", "search_document", "body"
        )
    )


def test_the_bulk_path_stores_exactly_what_store_stores(tmp_path):
    with CaptureQueriesContext(connection) as queries:
        failed, out, reasons = run_import(tmp_path, *VARIED)
    assert not failed, reasons
    assert f"{len(VARIED)} created" in out
    assert len(queries) < 40  # in bulk: `store` would take some thirty a line
    bulk = stored_state()

    NewsItem.objects.all().delete()
    resolver = Resolver()
    for line in VARIED:
        assert store(parse_line(line, resolver)) == "created"
    assert stored_state() == bulk


def test_stored_records_are_the_records_export_writes(tmp_path):
    failed, _, reasons = run_import(tmp_path, *VARIED)
    assert not failed, reasons
    NewsItem.objects.filter(slug="v-plain").update(
        image="news/photo.jpg", image_renditions={"480": "news/photo-480.jpg"}
    )
    # A version whose source was deleted names its group's first original.
    run_import(tmp_path, record("gone"), record("gone-ru", language="ru", translation_of="gone"))
    run_import(tmp_path, record("gone-de", language="de", translation_of="gone-ru"))
    NewsItem.objects.filter(slug="gone-ru").delete()
    wanted = {item.slug: export_record(item) for item in export_queryset()}
    with CaptureQueriesContext(connection) as queries:
        stored = stored_records([*wanted, "not-stored"])
    assert len(queries) == 5
    assert {slug: record for slug, (record, _) in stored.items()} == wanted
    assert stored["v-plain"][1] == {"480": "news/photo-480.jpg"}
    assert stored["gone-de"][0]["translation_of"] == "gone"


# --- the writer's thread -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_batches_written_in_the_writers_thread_store_what_the_inline_writer_stores(
    tmp_path, monkeypatch, reference_data
):
    """Outside a transaction, on PostgreSQL, new items are written on a second connection
    while the next batch is read; batches of two make every dependency cross a batch."""
    if connection.vendor != "postgresql":
        pytest.skip("the writer's thread is used on PostgreSQL only")
    monkeypatch.setattr(import_batches, "BATCH_LINES", 2)
    writers = []
    real_writer_for = import_batches.writer_for
    monkeypatch.setattr(
        import_batches,
        "writer_for",
        lambda **kwargs: writers.append(real_writer_for(**kwargs)) or writers[-1],
    )
    lines = [
        *VARIED,
        record("w-1"),
        record("w-1-ru", language="ru", translation_of="w-1"),  # its source: the batch before
        record("w-2", tags=["brand new tag"]),
        record("w-3", tags=["Brand New Tag"]),  # the tag the batch in flight created
        record("w-ru", language="ru", translation_of="v-plain"),  # the group has a Russian one
        record("w-4"),
    ]
    v_ru_line = next(n for n, line in enumerate(lines, 1) if json.loads(line)["slug"] == "v-ru")
    failed, out, reasons = run_import(tmp_path, *lines)
    assert [type(writer).__name__ for writer in writers] == ["ThreadWriter"]
    assert failed and reasons == {
        len(VARIED) + 5: [
            "translation_of 'v-plain': the group already has an item in Russian (ru): "
            f"'v-ru', line {v_ru_line}"
        ]
    }
    assert f"{len(lines) - 1} created, 0 updated, 0 unchanged, 1 failed" in out
    threaded = stored_state()
    assert len(threaded[1]) == len(lines) - 1
    assert {tag.casefold() for tag in NewsItem.objects.get(slug="w-3").tags.names()} == {
        "brand new tag"
    }
    failed, out, _ = run_import(tmp_path, *lines)
    assert f"0 created, 0 updated, {len(lines) - 1} unchanged, 1 failed" in out

    NewsItem.objects.all().delete()
    with transaction.atomic():  # the caller's transaction: written in place
        run_import(tmp_path, *lines)
    assert [type(writer).__name__ for writer in writers[-1:]] == ["InlineWriter"]
    assert stored_state() == threaded

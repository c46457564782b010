import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from news.models import NewsItem

pytestmark = pytest.mark.usefixtures("reference_data")

SEED_SLUG = "tajik-customs-officials-learn-from-finnish-experience-in-osce-organized-study-visit"


def record(**overrides):
    data = {
        "slug": "customs-study-visit",
        "title": "Customs study visit",
        "type": "news",
        "lead": "Officials visited.",
        "body_html": "<p>They learned.</p>",
        "published_at": "2013-05-31",
        "issued_by": ["OSCE Secretariat"],
        "fields_of_work": ["Border management"],
        "countries": ["Tajikistan"],
        "tags": ["customs"],
        "status": "published",
    }
    data.update(overrides)
    return json.dumps(data, ensure_ascii=False)


def run_import(tmp_path, *lines, dry_run=False):
    path = tmp_path / "news.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    out, err = StringIO(), StringIO()
    args = [str(path)] + (["--dry-run"] if dry_run else [])
    try:
        call_command("import_news", *args, stdout=out, stderr=err)
        failed = False
    except CommandError:
        failed = True
    return failed, out.getvalue(), err.getvalue()


def test_good_line_creates_an_item_with_everything_resolved(tmp_path):
    failed, out, _ = run_import(tmp_path, record())
    assert not failed
    assert "1 created, 0 updated, 0 unchanged, 0 failed" in out
    item = NewsItem.objects.get(slug="customs-study-visit")
    assert item.title == "Customs study visit"
    assert [s.slug for s in item.issued_by.all()] == ["secretariat"]
    assert [f.slug for f in item.fields_of_work.all()] == ["border-management"]
    assert [c.code for c in item.countries.all()] == ["TJ"]
    assert [t.name for t in item.tags.all()] == ["customs"]
    assert timezone.localtime(item.published_at).date().isoformat() == "2013-05-31"
    assert item in NewsItem.objects.published()


@pytest.mark.parametrize(
    ("issued_by", "slug"),
    [
        ("OSCE Office in Tajikistan", "programme-office-in-dushanbe"),  # former name
        ("Office in Tajikistan", "programme-office-in-dushanbe"),  # without "OSCE "
        ("programme-office-in-dushanbe", "programme-office-in-dushanbe"),  # slug
        ("OSCE Office in Yerevan (closed)", "office-in-yerevan"),  # with " (closed)"
        ("osce   centre in BISHKEK", "programme-office-in-bishkek"),  # case and spacing
        ("ODIHR", "odihr"),  # acronym
        ("OSCE Centre in Dushanbe", "centre-in-dushanbe"),  # own name beats a former name
    ],
)
def test_issuing_bodies_resolve_by_name_former_name_or_slug(tmp_path, issued_by, slug):
    failed, _, err = run_import(tmp_path, record(issued_by=[issued_by]))
    assert not failed, err
    assert [s.slug for s in NewsItem.objects.get().issued_by.all()] == [slug]


def test_countries_resolve_by_name_slug_or_iso_code(tmp_path):
    failed, _, err = run_import(
        tmp_path, record(countries=["Türkiye", "the-netherlands", "fi", "Czech Republic"])
    )
    assert not failed, err
    codes = sorted(NewsItem.objects.get().countries.values_list("code", flat=True))
    assert codes == ["CZ", "FI", "NL", "TR"]


def test_fields_resolve_by_name_or_slug(tmp_path):
    failed, _, err = run_import(
        tmp_path, record(fields_of_work=["economic-activities", "border MANAGEMENT"])
    )
    assert not failed, err
    slugs = sorted(NewsItem.objects.get().fields_of_work.values_list("slug", flat=True))
    assert slugs == ["border-management", "economic-activities"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 2: invalid JSON"),
        ("[1, 2]", "line 2: expected a JSON object, got list"),
        (record(slug="x", title=""), "line 2: missing title"),
        (record(slug="x", title=None), "line 2: missing title"),
        (record(slug="x", title=42), "line 2: title must be a string, not int"),
        (
            record(slug="x", issued_by=["OSCE Ministry of Magic"]),
            "line 2: unknown issuing body 'OSCE Ministry of Magic'",
        ),
        (
            record(slug="x", fields_of_work=["Astrology"]),
            "line 2: unknown field of work 'Astrology'",
        ),
        (record(slug="x", countries=["Atlantis"]), "line 2: unknown country 'Atlantis'"),
        (record(slug="x", published_at="31/05/2013"), "line 2: bad date '31/05/2013'"),
        (record(slug="x", published_at="2013-02-30"), "line 2: bad date '2013-02-30'"),
        (record(slug="x", published_at=20130531), "line 2: bad date 20130531"),
        (record(slug="x", published_at=None), "line 2: missing published_at"),
        (record(slug="x", issued_by=[]), "line 2: missing issued_by"),
        (record(slug="x", type="blog"), "line 2: type 'blog' is not one of"),
        (record(slug="x", status="live"), "line 2: status 'live' is not one of"),
        (record(slug="Not A Slug"), "line 2: slug 'Not A Slug' may only hold"),
        (record(slug="x", tags="ok", issued_by={"a": 1}), "line 2: issued_by must be a list"),
        (record(slug="x", title="T" * 301), "line 2: title: Ensure this value has at most 300"),
        (
            record(slug="x", image="../../etc/passwd", image_alt="a"),
            "line 2: image '../../etc/passwd' is not a relative path",
        ),
        (record(slug="x", image="news/a.jpg"), "line 2: image_alt is required"),
        (record(slug="", title="Доклад"), "line 2: missing slug, and none can be made"),
    ],
)
def test_bad_line_is_reported_with_its_number_and_reason_and_stores_nothing(
    tmp_path, line, message
):
    failed, out, err = run_import(tmp_path, record(slug="good"), line, record(slug="also-good"))
    assert failed
    assert message in err
    assert "2 created, 0 updated, 0 unchanged, 1 failed" in out
    assert sorted(NewsItem.objects.values_list("slug", flat=True)) == ["also-good", "good"]


def test_a_failing_line_does_not_touch_the_stored_item(tmp_path):
    run_import(tmp_path, record(title="Original"))
    failed, _, err = run_import(tmp_path, record(title="Changed", countries=["Atlantis"]))
    assert failed and "unknown country" in err
    item = NewsItem.objects.get()
    assert item.title == "Original"
    assert [c.code for c in item.countries.all()] == ["TJ"]


def test_reimport_updates_by_slug_or_reports_unchanged(tmp_path):
    run_import(tmp_path, record())
    _, out, _ = run_import(tmp_path, record())
    assert "0 created, 0 updated, 1 unchanged, 0 failed" in out
    _, out, _ = run_import(tmp_path, record(title="New title", countries=["FI"]))
    assert "0 created, 1 updated, 0 unchanged, 0 failed" in out
    item = NewsItem.objects.get()
    assert item.title == "New title"
    assert [c.code for c in item.countries.all()] == ["FI"]


def test_same_slug_twice_in_one_file_is_refused_the_second_time(tmp_path):
    failed, _, err = run_import(tmp_path, record(title="First"), record(title="Second"))
    assert failed
    assert "line 2: slug 'customs-study-visit' already used on line 1" in err
    assert NewsItem.objects.get().title == "First"


def test_missing_slug_is_made_from_the_title(tmp_path):
    data = json.loads(record())
    del data["slug"]
    failed, _, _ = run_import(tmp_path, json.dumps(data))
    assert not failed
    assert NewsItem.objects.get().slug == "customs-study-visit"


def test_dry_run_checks_everything_and_stores_nothing(tmp_path):
    failed, out, err = run_import(
        tmp_path, record(), record(slug="bad", countries=["Atlantis"]), dry_run=True
    )
    assert failed
    assert "line 2: unknown country 'Atlantis'" in err
    assert "1 created, 0 updated, 0 unchanged, 1 failed (dry run: nothing stored)" in out
    assert not NewsItem.objects.exists()


def test_body_html_is_sanitised_on_import(tmp_path):
    hostile = '<p>Hi<img src=x onerror="alert(1)"></p><script>x</script>'
    run_import(tmp_path, record(body_html=hostile))
    assert NewsItem.objects.get().body == "<p>Hi</p>"


def test_unknown_keys_are_reported_as_warnings_not_failures(tmp_path):
    data = json.loads(record())
    data["url"] = "https://example.org"
    failed, _, err = run_import(tmp_path, json.dumps(data))
    assert not failed
    assert "line 1: ignored unknown field(s): url" in err


def test_blank_lines_are_skipped(tmp_path):
    failed, out, _ = run_import(tmp_path, "", record(), "   ")
    assert not failed
    assert "1 created, 0 updated, 0 unchanged, 0 failed" in out


def test_progress_is_reported_on_large_files(tmp_path, monkeypatch):
    from news.management.commands import import_news

    monkeypatch.setattr(import_news, "PROGRESS_EVERY", 2)
    lines = [record(slug=f"item-{n}") for n in range(5)]
    _, _, err = run_import(tmp_path, *lines)
    assert "… 2 lines read (2 created" in err
    assert "… 4 lines read (4 created" in err


def test_file_that_is_not_utf8_is_reported_not_crashed(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(record().encode() + b"\n" + b'{"title": "caf\xe9"}\n')
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_news", str(path), stdout=StringIO(), stderr=err)
    assert "line 2: not UTF-8 text" in err.getvalue()
    assert NewsItem.objects.count() == 1


def test_missing_file_is_a_clear_command_error():
    with pytest.raises(CommandError, match=r"cannot open /nonexistent\.jsonl"):
        call_command("import_news", "/nonexistent.jsonl", stdout=StringIO())


def export_text():
    out = StringIO()
    call_command("export_news", stdout=out)
    return out.getvalue()


def test_export_import_export_is_byte_identical(tmp_path, django_db_blocker):
    call_command("import_news", str(settings.DEMO_NEWS_FILE), stdout=StringIO(), stderr=StringIO())
    run_import(
        tmp_path,
        record(slug="draft-item", status="draft", published_at=None, issued_by=[]),
        record(slug="timed", published_at="2024-03-31T01:30:00+00:00", tags=["Zeta", "alpha"]),
        record(slug="withdrawn", status="withdrawn", withdrawn_reason="Wrong date"),
    )
    first = export_text()
    assert first.count("\n") == NewsItem.objects.count() > 40

    dump = tmp_path / "export.jsonl"
    dump.write_text(first, encoding="utf-8")
    NewsItem.objects.all().delete()
    assert not NewsItem.objects.exists()
    call_command("import_news", str(dump), stdout=StringIO(), stderr=StringIO())

    assert export_text() == first


def test_export_writes_canonical_slugs_and_the_seed_item():
    call_command("import_news", str(settings.DEMO_NEWS_FILE), stdout=StringIO(), stderr=StringIO())
    seed = next(json.loads(line) for line in export_text().splitlines() if SEED_SLUG in line)
    assert seed["issued_by"] == ["secretariat", "programme-office-in-dushanbe"]
    assert seed["fields_of_work"] == ["border-management", "economic-activities"]
    assert seed["countries"] == ["finland", "tajikistan"]
    assert seed["published_at"].startswith("2013-05-31T00:00:00")
    assert list(seed) == sorted(seed)


def test_export_to_a_file(tmp_path):
    call_command("import_news", str(settings.DEMO_NEWS_FILE), stdout=StringIO(), stderr=StringIO())
    target = tmp_path / "out.jsonl"
    err = StringIO()
    call_command("export_news", str(target), stderr=err)
    assert target.read_text(encoding="utf-8") == export_text()
    assert f"written to {target}" in err.getvalue()


@pytest.mark.parametrize("slug", ["rss", "atom"])
def test_slugs_of_site_pages_are_refused(tmp_path, slug):
    failed, _, err = run_import(tmp_path, record(slug=slug))
    assert failed
    assert f"line 1: slug: “{slug}” is the address of a site page" in err


def test_bulk_creation_gives_what_the_import_gives(tmp_path):
    from news.jsonl import create_all, parse_file

    call_command("import_news", str(settings.DEMO_NEWS_FILE), stdout=StringIO(), stderr=StringIO())
    imported = export_text()
    NewsItem.objects.all().delete()
    create_all(parse_file(settings.DEMO_NEWS_FILE))
    assert export_text() == imported

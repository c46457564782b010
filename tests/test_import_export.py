import json
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from news import images
from news.models import EditorProfile, NewsItem

from .test_admin import form_data

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
        # A group of three language versions, a translation before its source.
        record(slug="visit-de", language="de", translation_of="visit-ru"),
        record(slug="visit-en"),
        record(slug="visit-ru", language="ru", translation_of="visit-en"),
    )
    first = export_text()
    assert first.count("\n") == NewsItem.objects.count() > 40
    assert '"language": "ru"' in first and '"translation_of": "visit-ru"' in first

    dump = tmp_path / "export.jsonl"
    dump.write_text(first, encoding="utf-8")
    NewsItem.objects.all().delete()
    assert not NewsItem.objects.exists()
    call_command("import_news", str(dump), stdout=StringIO(), stderr=StringIO())

    assert export_text() == first
    group = NewsItem.objects.filter(slug__startswith="visit-")
    assert len({item.translation_key for item in group}) == 1
    assert NewsItem.objects.get(slug="visit-de").translated_from.slug == "visit-ru"


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
    from news.jsonl_import import parse_file
    from news.jsonl_store import create_all

    call_command("import_news", str(settings.DEMO_NEWS_FILE), stdout=StringIO(), stderr=StringIO())
    imported = export_text()
    NewsItem.objects.all().delete()
    create_all(parse_file(settings.DEMO_NEWS_FILE))
    assert export_text() == imported


# --- the version counter and the row lock -------------------------------------------------------


def test_an_update_moves_the_version_on_and_unchanged_does_not(tmp_path):
    run_import(tmp_path, record())
    assert NewsItem.objects.get().version == 1
    run_import(tmp_path, record())
    assert NewsItem.objects.get().version == 1
    run_import(tmp_path, record(title="New title"))
    assert NewsItem.objects.get().version == 2
    run_import(tmp_path, record(title="Newer title"))
    assert NewsItem.objects.get().version == 3


def test_the_stored_item_is_read_under_a_row_lock(tmp_path):
    run_import(tmp_path, record())
    with CaptureQueriesContext(connection) as queries:
        run_import(tmp_path, record(title="New title"))
    # A batch first reads its items without a lock, to tell the unchanged ones (which are not
    # written); a changed one is read again under the lock before it is written.
    sql = [q["sql"] for q in queries]
    locked = [
        n for n, text in enumerate(sql)
        if text.startswith('SELECT "news_newsitem"') and text.endswith("FOR UPDATE")
    ]  # fmt: skip
    written = [n for n, text in enumerate(sql) if text.startswith('UPDATE "news_newsitem"')]
    assert locked and written and locked[0] < written[0]


def manager():
    user = User.objects.create_user("manager", password="pw", is_staff=True)
    user.groups.set(Group.objects.filter(name="Manager"))
    EditorProfile.objects.create(user=user)
    return user


def change_form_post(item, *, edit_version, **overrides):
    """What the admin's change form of the item posts, with the version it was opened at."""
    return form_data(item, status=item.status, edit_version=edit_version, **overrides)


def test_a_form_opened_before_an_import_cannot_save_over_it(tmp_path, client):
    run_import(tmp_path, record())
    item = NewsItem.objects.get()
    client.force_login(manager())
    url = f"/admin/news/newsitem/{item.pk}/change/"
    opened = client.get(url).context["adminform"].form["edit_version"].value()

    failed, _, err = run_import(tmp_path, record(title="Imported title"))
    assert not failed, err
    response = client.post(url, change_form_post(item, edit_version=opened, title="Editor's title"))

    assert response.status_code == 200
    assert "after you opened it" in str(response.context["adminform"].form.errors)
    assert NewsItem.objects.get().title == "Imported title"


def test_a_form_opened_after_an_import_saves(tmp_path, client):
    run_import(tmp_path, record())
    run_import(tmp_path, record(title="Imported title"))
    item = NewsItem.objects.get()
    client.force_login(manager())
    url = f"/admin/news/newsitem/{item.pk}/change/"
    opened = client.get(url).context["adminform"].form["edit_version"].value()
    response = client.post(url, change_form_post(item, edit_version=opened, title="Editor's title"))
    assert response.status_code == 302
    assert NewsItem.objects.get().title == "Editor's title"


# --- photos -------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def put_photo(media, name, color=(200, 30, 30), image_format="JPEG"):
    path = media / name
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1000, 600), color).save(path, image_format)
    return path


def with_photo(name, **overrides):
    return record(image=name, image_alt="Officials at the border", **overrides)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs what an import leaves for after its commit (the photo files' moves)."""

    def run(tmp_path, *lines, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return run_import(tmp_path, *lines, **kwargs)

    return run


def rendition_files(item):
    return images.photo_files(item) - {item.image.name}


def test_an_imported_photo_gets_its_renditions(tmp_path, media, commit):
    put_photo(media, "news/a.jpg")
    failed, _, err = commit(tmp_path, with_photo("news/a.jpg"))
    assert not failed, err
    item = NewsItem.objects.get()
    assert item.image.name == "news/a.jpg"
    thumbnail = item.rendition("thumbnail")
    assert (thumbnail["width"], thumbnail["height"]) == (320, 192)
    assert all((media / name).is_file() for name in rendition_files(item))
    assert len(rendition_files(item)) == 6


def test_a_new_photo_replaces_the_renditions_and_the_old_files_go_private(
    tmp_path, media, settings, commit
):
    put_photo(media, "news/a.jpg", (200, 30, 30))
    put_photo(media, "news/b.jpg", (30, 30, 200))
    commit(tmp_path, with_photo("news/a.jpg"))
    old = NewsItem.objects.get()
    old_files = images.photo_files(old)

    failed, out, err = commit(tmp_path, with_photo("news/b.jpg"))
    assert not failed, err
    assert "1 updated" in out
    item = NewsItem.objects.get()
    assert not any((media / name).exists() for name in old_files)
    assert all((settings.PRIVATE_MEDIA_ROOT / name).is_file() for name in old_files)
    assert all((media / name).is_file() for name in images.photo_files(item))
    thumbnail = item.image_renditions["thumbnail"]["path"]
    assert thumbnail.startswith("news/b-thumbnail")
    assert item.rendition("thumbnail")["url"] == f"/media/{thumbnail}"


def test_an_item_without_renditions_gets_them_when_imported_again(tmp_path, media, commit):
    from news.jsonl_import import Resolver, parse_line
    from news.jsonl_store import create_all

    put_photo(media, "news/a.jpg")
    create_all([parse_line(with_photo("news/a.jpg"), Resolver())])  # bulk: no renditions
    assert NewsItem.objects.get().image_renditions == {}
    failed, out, err = commit(tmp_path, with_photo("news/a.jpg"))
    assert not failed, err
    assert "0 created, 1 updated, 0 unchanged" in out
    assert NewsItem.objects.get().rendition("thumbnail")["width"] == 320
    _, out, _ = commit(tmp_path, with_photo("news/a.jpg"))
    assert "0 created, 0 updated, 1 unchanged" in out


def test_a_withdrawn_line_hides_the_photo_and_publishing_it_again_brings_it_back(
    tmp_path, media, settings, commit
):
    put_photo(media, "news/a.jpg")
    commit(tmp_path, with_photo("news/a.jpg"))
    files = images.photo_files(NewsItem.objects.get())
    commit(tmp_path, with_photo("news/a.jpg", status="withdrawn", withdrawn_reason="Wrong"))
    assert not any((media / name).exists() for name in files)
    assert all((settings.PRIVATE_MEDIA_ROOT / name).is_file() for name in files)
    commit(tmp_path, with_photo("news/a.jpg"))
    assert all((media / name).is_file() for name in files)


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (None, "image 'news/x.jpg' not found in the media folder"),
        (
            lambda path: path.write_bytes(b"%PDF-1.4 not a picture"),
            "image 'news/x.jpg' is not a JPEG, PNG or WebP image",
        ),
        (
            lambda path: Image.new("RGB", (10, 10)).save(path, "PNG"),
            "image 'news/x.jpg': The file name ends in .jpg but the file is a PNG image",
        ),
    ],
)
def test_a_photo_file_that_is_missing_or_no_photo_is_a_line_error(
    tmp_path, media, commit, make_file, message
):
    put_photo(media, "news/a.jpg")
    commit(tmp_path, with_photo("news/a.jpg", slug="existing"))
    existing = NewsItem.objects.get()
    (media / "news").mkdir(parents=True, exist_ok=True)
    if make_file:
        make_file(media / "news" / "x.jpg")
    files_before = sorted(media.rglob("*"))

    failed, out, err = commit(
        tmp_path,
        with_photo("news/x.jpg", slug="new", title="New"),
        with_photo("news/x.jpg", slug="existing", title="Changed"),
    )
    assert failed
    assert f"line 1: {message}" in err and f"line 2: {message}" in err
    assert "0 created, 0 updated, 0 unchanged, 2 failed" in out
    assert list(NewsItem.objects.values_list("slug", "title", "image", "version")) == [
        ("existing", existing.title, "news/a.jpg", 1)
    ]
    assert sorted(media.rglob("*")) == files_before


def test_dry_run_checks_the_photo_and_writes_no_file(tmp_path, media, commit):
    put_photo(media, "news/a.jpg")
    failed, out, err = commit(
        tmp_path, with_photo("news/a.jpg"), with_photo("news/gone.jpg", slug="b"), dry_run=True
    )
    assert failed and "line 2: image 'news/gone.jpg' not found" in err
    assert "1 created" in out
    assert [p.name for p in media.rglob("*.*")] == ["a.jpg"]


def test_export_import_export_with_photos_is_byte_identical(tmp_path, media, commit):
    put_photo(media, "news/live.jpg")
    put_photo(media, "news/gone.jpg", (30, 30, 200))
    commit(
        tmp_path,
        with_photo("news/live.jpg", slug="live"),
        with_photo("news/gone.jpg", slug="gone", status="withdrawn", withdrawn_reason="Wrong"),
    )
    first = export_text()
    assert '"image": "news/live.jpg"' in first and '"image": "news/gone.jpg"' in first

    dump = tmp_path / "export.jsonl"
    dump.write_text(first, encoding="utf-8")
    NewsItem.objects.all().delete()
    failed, _, err = commit(tmp_path, *dump.read_text(encoding="utf-8").splitlines())
    assert not failed, err  # the withdrawn item's photo is found where it was hidden
    assert export_text() == first
    assert all(NewsItem.objects.values_list("image_renditions", flat=True))

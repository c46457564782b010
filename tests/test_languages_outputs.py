"""Languages in the import and export (JSON Lines `language` and `translation_of`) and in every
machine-readable view of the news: feeds, the JSON API, the CSV export and the sitemap (issue 12,
points 2 and 6)."""

import json
import uuid
import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from news.jsonl import LineError
from news.jsonl_import import Resolver, parse_line
from news.jsonl_store import create_all
from news.models import NewsItem

from .factories import NewsItemFactory
from .outputs import ATOM, SEED_SLUG, SITEMAP, atom_entries, csv_records, rss_items

pytestmark = pytest.mark.usefixtures("reference_data")

XHTML_LINK = "{http://www.w3.org/1999/xhtml}link"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RU_SLUG = f"{SEED_SLUG}-ru"


def record(slug, **overrides):
    data = {
        "slug": slug,
        "title": f"Item {slug}",
        "lead": "A lead.",
        "body_html": "<p>A body.</p>",
        "published_at": "2013-05-31",
        "issued_by": ["OSCE Secretariat"],
        "fields_of_work": ["Border management"],
        "status": "published",
    }
    return json.dumps(data | overrides, ensure_ascii=False)


def run_import(tmp_path, *lines, dry_run=False):
    """(failed, summary, {line number: reason}) of import_news over `lines`."""
    path = tmp_path / "news.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    out, err = StringIO(), StringIO()
    try:
        call_command(
            "import_news", str(path), *(["--dry-run"] if dry_run else []), stdout=out, stderr=err
        )
        failed = False
    except CommandError:
        failed = True
    reasons = {}
    for message in err.getvalue().splitlines():
        number, reason = message.removeprefix("line ").split(": ", 1)
        reasons[int(number)] = reason
    return failed, out.getvalue(), reasons


def item(slug):
    return NewsItem.objects.get(slug=slug)


def assert_translates(slug, source_slug):
    translation, source = item(slug), item(source_slug)
    assert translation.translated_from == source
    assert translation.translation_key == source.translation_key
    assert translation.source_version == source.version


def export_text():
    out = StringIO()
    call_command("export_news", stdout=out)
    return out.getvalue()


def exported(slug):
    records = (json.loads(line) for line in export_text().splitlines())
    return next(data for data in records if data["slug"] == slug)


# --- import: `language` --------------------------------------------------------------------------


def test_language_defaults_to_english_and_sets_the_search_configuration(tmp_path):
    failed, _, reasons = run_import(tmp_path, record("plain"), record("russian", language="RU"))
    assert not failed, reasons
    assert (item("plain").language, item("plain").search_config) == ("en", "english")
    assert (item("russian").language, item("russian").search_config) == ("ru", "russian")


def test_unknown_language_is_a_line_error_and_stores_nothing_of_the_line(tmp_path):
    failed, out, reasons = run_import(
        tmp_path, record("good"), record("klingon", language="tlh"), record("also-good")
    )
    assert failed
    assert reasons[2].startswith("unknown language 'tlh': not one of the configured (en, fr,")
    assert "2 created, 0 updated, 0 unchanged, 1 failed" in out
    assert sorted(NewsItem.objects.values_list("slug", flat=True)) == ["also-good", "good"]


def test_language_must_be_a_string(tmp_path):
    failed, _, reasons = run_import(tmp_path, record("x", language=["ru"]))
    assert failed and reasons == {1: "language must be a string, not list"}


# --- import: `translation_of` in any order -------------------------------------------------------


def test_translation_of_an_earlier_line(tmp_path):
    failed, out, reasons = run_import(
        tmp_path, record("a"), record("a-ru", language="ru", translation_of="a")
    )
    assert not failed, reasons
    assert "2 created" in out
    assert_translates("a-ru", "a")


def test_translation_of_a_later_line_waits_for_it(tmp_path):
    failed, out, reasons = run_import(
        tmp_path,
        record("a-de", language="de", translation_of="a-ru"),  # a chain, sources last
        record("a-ru", language="ru", translation_of="a"),
        record("a"),
    )
    assert not failed, reasons
    assert "3 created, 0 updated, 0 unchanged, 0 failed" in out
    assert_translates("a-ru", "a")
    assert_translates("a-de", "a-ru")
    assert item("a").translated_from is None


def test_translation_of_a_stored_item(tmp_path):
    run_import(tmp_path, record("a"))
    failed, _, reasons = run_import(tmp_path, record("a-fr", language="fr", translation_of="a"))
    assert not failed, reasons
    assert_translates("a-fr", "a")


def test_a_stored_source_updated_later_in_the_file_is_linked_after_its_update(tmp_path):
    run_import(tmp_path, record("a"))
    failed, _, reasons = run_import(
        tmp_path,
        record("a-fr", language="fr", translation_of="a"),
        record("a", title="A new title"),
    )
    assert not failed, reasons
    assert item("a").version == 2
    assert_translates("a-fr", "a")  # against version 2


@pytest.mark.parametrize(
    ("lines", "number", "reason"),
    [
        (
            [record("a"), record("b", language="ru", translation_of="nowhere")],
            2,
            "translation_of 'nowhere': no such item in the file or stored",
        ),
        (
            [record("b", language="ru", translation_of="a"), record("a", countries=["Atlantis"])],
            1,
            "translation_of 'a': no such item (line 2, which has it, failed)",
        ),
        (
            [record("b", language="ru", translation_of="b")],
            1,
            "translation_of names the item itself",
        ),
        (
            [record("b", language="ru", translation_of="Not A Slug")],
            1,
            "translation_of 'Not A Slug' is not a slug",
        ),
        (
            [
                record("a"),
                record("a-ru", language="ru", translation_of="a"),
                record("other-ru", language="ru", translation_of="a"),
            ],
            3,
            "translation_of 'a': the group already has an item in Russian (ru): 'a-ru', line 2",
        ),
        (  # through a chain: a ← a-de ← a-ru, and another Russian item of a
            [
                record("a"),
                record("a-de", language="de", translation_of="a"),
                record("a-ru", language="ru", translation_of="a-de"),
                record("other-ru", language="ru", translation_of="a"),
            ],
            4,
            "translation_of 'a': the group already has an item in Russian (ru): 'a-ru', line 3",
        ),
        (  # a waiting line comes second to a Russian item stored in its turn
            [
                record("other-ru", language="ru", translation_of="a"),
                record("a"),
                record("a-ru", language="ru", translation_of="a"),
            ],
            1,
            "translation_of 'a': the group already has an item in Russian (ru): 'a-ru', line 3",
        ),
        (  # English translating English
            [record("a"), record("a-again", translation_of="a")],
            2,
            "translation_of 'a': the group already has an item in English (en): 'a', line 1",
        ),
    ],
    ids=[
        "unknown",
        "source-failed",
        "itself",
        "not-a-slug",
        "same-language",
        "chain",
        "waiting",
        "english-twice",
    ],
)
def test_a_bad_translation_of_fails_its_line_only(tmp_path, lines, number, reason):
    failed, out, reasons = run_import(tmp_path, *lines)
    assert failed
    assert reasons[number] == reason
    bad_slug = json.loads(lines[number - 1])["slug"]
    assert not NewsItem.objects.filter(slug=bad_slug).exists()
    stored = NewsItem.objects.count()
    assert f"{stored} created" in out


def test_a_loop_of_translations_fails_each_of_its_lines(tmp_path):
    failed, _, reasons = run_import(
        tmp_path,
        record("a", language="fr", translation_of="b"),
        record("b", language="de", translation_of="a"),
        record("c"),
    )
    assert failed
    assert reasons == {
        1: "translation_of 'b': a loop of translations (lines 1, 2)",
        2: "translation_of 'a': a loop of translations (lines 1, 2)",
    }
    assert list(NewsItem.objects.values_list("slug", flat=True)) == ["c"]


def test_a_source_that_translates_the_item_would_make_a_loop(tmp_path):
    run_import(tmp_path, record("a"), record("a-ru", language="ru", translation_of="a"))
    failed, _, reasons = run_import(tmp_path, record("a", translation_of="a-ru"))
    assert failed
    assert reasons == {1: "translation_of 'a-ru': that item is a translation of this one"}
    assert item("a").translated_from is None


def test_dry_run_resolves_translations_in_any_order_and_stores_nothing(tmp_path):
    failed, out, reasons = run_import(
        tmp_path,
        record("a-ru", language="ru", translation_of="a"),
        record("a"),
        record("a-de", language="de", translation_of="a"),
        record("b-ru", language="ru", translation_of="nowhere"),
        dry_run=True,
    )
    assert failed
    assert reasons == {4: "translation_of 'nowhere': no such item in the file or stored"}
    assert "3 created, 0 updated, 0 unchanged, 1 failed (dry run: nothing stored)" in out
    assert not NewsItem.objects.exists()


def test_a_line_without_translation_of_takes_a_translation_out_of_its_group(tmp_path):
    run_import(tmp_path, record("a"), record("a-ru", language="ru", translation_of="a"))
    failed, out, _ = run_import(tmp_path, record("a-ru", language="ru"))
    assert not failed and "1 updated" in out
    alone = item("a-ru")
    assert alone.translated_from is None and alone.source_version is None
    assert alone.translation_key != item("a").translation_key


def test_changing_language_into_one_the_group_has_fails(tmp_path):
    run_import(
        tmp_path,
        record("a"),
        record("a-ru", language="ru", translation_of="a"),
        record("a-fr", language="fr", translation_of="a"),
    )
    failed, _, reasons = run_import(tmp_path, record("a-fr", language="ru", translation_of="a"))
    assert failed
    assert reasons == {
        1: "translation_of 'a': the group already has an item in Russian (ru): 'a-ru'"
    }
    assert item("a-fr").language == "fr"


def test_an_original_cannot_take_the_language_of_its_translation(tmp_path):
    run_import(tmp_path, record("a"), record("a-ru", language="ru", translation_of="a"))
    failed, _, reasons = run_import(tmp_path, record("a", language="ru"))
    assert failed
    assert reasons == {1: "the group already has an item in Russian (ru): 'a-ru'"}
    assert item("a").language == "en"


def test_reimporting_a_translation_unchanged_keeps_its_source_version(tmp_path):
    lines = [record("a"), record("a-ru", language="ru", translation_of="a")]
    run_import(tmp_path, *lines)
    run_import(tmp_path, record("a", title="The source changed"))
    _, out, _ = run_import(tmp_path, lines[1])
    assert "1 unchanged" in out
    assert item("a-ru").source_changed  # until the translation itself is saved again
    run_import(tmp_path, record("a-ru", language="ru", translation_of="a", title="Новое"))
    assert not item("a-ru").source_changed


def parsed(*lines):
    resolver = Resolver()
    return [parse_line(line, resolver) for line in lines]


def test_bulk_creation_links_translations_in_any_order(tmp_path):
    run_import(tmp_path, record("stored"))
    create_all(
        parsed(
            record("b-de", language="de", translation_of="b-ru"),
            record("b-ru", language="ru", translation_of="b"),
            record("b"),
            record("stored-fr", language="fr", translation_of="stored"),
        )
    )
    assert_translates("b-ru", "b")
    assert_translates("b-de", "b-ru")
    assert item("b-de").translation_key == item("b").translation_key
    assert_translates("stored-fr", "stored")
    assert item("b-ru").search_config == "russian"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            [
                record("b"),
                record("b-ru", language="ru", translation_of="b"),
                record("b-ru2", language="ru", translation_of="b"),
            ],
            "b-ru2: the group already has an item in Russian (ru): 'b-ru'",
        ),
        ([record("b-ru", language="ru", translation_of="b")], "b-ru: translation_of 'b': no such"),
        (
            [record("x", translation_of="y"), record("y", language="ru", translation_of="x")],
            "x: translation_of makes a loop: x → y → x",
        ),
    ],
)
def test_bulk_creation_refuses_a_bad_group(lines, message):
    with pytest.raises(LineError) as error:
        create_all(parsed(*lines))
    assert str(error.value).startswith(message)
    assert not NewsItem.objects.exists()


# --- export and the round trip -------------------------------------------------------------------


GROUP = [
    record("group-fr", language="fr", translation_of="group-ru"),  # before its source
    record("group-en"),
    record("group-ru", language="ru", translation_of="group-en"),
]


def test_export_writes_language_and_translation_of(tmp_path):
    run_import(tmp_path, *GROUP)
    assert (exported("group-en")["language"], exported("group-en")["translation_of"]) == (
        "en",
        None,
    )
    assert exported("group-ru")["translation_of"] == "group-en"
    assert exported("group-fr")["translation_of"] == "group-ru"
    assert list(exported("group-fr")) == sorted(exported("group-fr"))


def groups():
    """The translation groups as sets of slugs, whatever their keys."""
    found = {}
    for slug, key in NewsItem.objects.values_list("slug", "translation_key"):
        found.setdefault(key, set()).add(slug)
    return sorted(sorted(group) for group in found.values())


def round_trip(tmp_path):
    first = export_text()
    before = groups()
    dump = tmp_path / "export.jsonl"
    dump.write_text(first, encoding="utf-8")
    NewsItem.objects.all().delete()
    call_command("import_news", str(dump), stdout=StringIO(), stderr=StringIO())
    assert export_text() == first
    assert groups() == before
    _, out, _ = run_import(tmp_path, *first.splitlines())
    assert f"0 created, 0 updated, {NewsItem.objects.count()} unchanged, 0 failed" in out


def test_round_trip_with_languages_is_byte_identical_and_keeps_the_groups(tmp_path):
    call_command("import_news", str(settings.DEMO_NEWS_FILE), stdout=StringIO(), stderr=StringIO())
    run_import(tmp_path, *GROUP)
    assert ["group-en", "group-fr", "group-ru"] in groups()
    assert [SEED_SLUG, RU_SLUG] in groups()
    round_trip(tmp_path)


def test_round_trip_keeps_a_group_whose_original_was_deleted(tmp_path):
    run_import(
        tmp_path,
        record("gone"),
        record("left-ru", language="ru", translation_of="gone"),
        record("left-fr", language="fr", translation_of="gone"),
    )
    item("gone").delete()  # both translations lose their source, not their group
    assert groups() == [["left-fr", "left-ru"]]
    assert exported("left-ru")["translation_of"] is None  # the first of the group
    assert exported("left-fr")["translation_of"] == "left-ru"
    round_trip(tmp_path)


def test_the_demo_news_has_the_russian_seed_item_in_the_seed_group(demo_news):
    russian = item(RU_SLUG)
    assert russian.language == "ru" and russian.search_config == "russian"
    assert "Финляндии" in russian.title
    assert_translates(RU_SLUG, SEED_SLUG)
    seed = item(SEED_SLUG)
    for links in ("issued_by", "fields_of_work", "countries"):
        assert list(getattr(russian, links).all()) == list(getattr(seed, links).all())


# --- feeds ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("prefix", "code"), [("", "en"), ("/ru", "ru"), ("/tg", "tg")])
def test_the_feeds_are_in_the_language_of_their_address(client, demo_news, prefix, code):
    rss = ET.fromstring(client.get(f"{prefix}/news/rss/").content)
    assert rss.find("channel").findtext("language") == code
    assert rss.find("channel").findtext("link") == f"http://testserver{prefix}/news/"
    atom = ET.fromstring(client.get(f"{prefix}/news/atom/").content)
    assert atom.get(XML_LANG) == code


def test_feed_entries_link_each_item_in_its_own_language(client, demo_news):
    links = [i.findtext("link") for i in rss_items(client.get("/ru/news/rss/"))]
    assert f"http://testserver/ru/news/{RU_SLUG}/" in links
    assert f"http://testserver/news/{SEED_SLUG}/" not in links  # it has a Russian version
    english = [link for link in links if not link.endswith(f"/{RU_SLUG}/")]
    assert english and all(link.startswith("http://testserver/news/") for link in english)


def test_atom_entries_in_another_language_say_which(client, demo_news):
    entries = atom_entries(client.get("/ru/news/atom/"))
    languages = {e.findtext(f"{ATOM}id").rstrip("/").rsplit("/", 1)[1]: e.get(XML_LANG)
                 for e in entries}  # fmt: skip
    assert languages[RU_SLUG] is None  # the feed's own language
    english = [slug for slug in languages if slug != RU_SLUG]
    assert english and all(languages[slug] == "en" for slug in english)


# --- the JSON API --------------------------------------------------------------------------------


def test_api_items_carry_their_language_and_public_translations(client, demo_news):
    NewsItemFactory(
        slug="seed-de-draft",
        language="de",
        status=NewsItem.Status.DRAFT,
        translation_key=item(SEED_SLUG).translation_key,
    )
    [russian] = client.get("/api/news/", {"language": "ru"}).json()["results"]
    assert russian["language"] == "ru"
    assert russian["url"] == f"http://testserver/ru/news/{RU_SLUG}/"
    assert russian["translations"] == [
        {"language": "en", "slug": SEED_SLUG, "url": f"http://testserver/news/{SEED_SLUG}/"}
    ]
    detail = client.get(f"/api/news/{SEED_SLUG}/").json()
    assert [t["language"] for t in detail["translations"]] == ["ru"]  # not the draft
    alone = client.get("/api/news/", {"page_size": 100, "language": "en"}).json()["results"]
    assert [r["translations"] for r in alone if r["slug"] != SEED_SLUG] == [[]] * (len(alone) - 1)
    # Without a language chosen, the API lists every language.
    every = client.get("/api/news/", {"page_size": 100}).json()["results"]
    assert {r["language"] for r in every} == {"en", "ru"}


def test_api_filters_by_language(client, demo_news):
    data = client.get("/api/news/", {"language": ["ru", "en"], "page_size": 100}).json()
    assert {r["language"] for r in data["results"]} == {"en", "ru"}
    response = client.get("/api/news/", {"language": ["xx", "EN"]})
    assert (response.status_code, response["Location"]) == (301, "/api/news/?language=en")


# --- the CSV export ------------------------------------------------------------------------------


def test_csv_has_a_language_column(client, demo_news):
    records = csv_records(client.get("/ru/news/export.csv"))
    by_slug = {record["slug"]: record for record in records}
    assert by_slug[RU_SLUG]["language"] == "ru"
    assert by_slug[RU_SLUG]["url"] == f"http://testserver/ru/news/{RU_SLUG}/"
    assert {record["language"] for record in records} == {"en", "ru"}


# --- the sitemap ---------------------------------------------------------------------------------


def sitemap_urls(client):
    """{location: {hreflang: href}} of the news sitemap."""
    response = client.get("/sitemap-news.xml")
    assert response.status_code == 200
    assert b'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in response.content
    return {
        url.findtext(f"{SITEMAP}loc"): {
            link.get("hreflang"): link.get("href")
            for link in url.iter(XHTML_LINK)
            if link.get("rel") == "alternate"
        }
        for url in ET.fromstring(response.content)
    }


def test_sitemap_lists_each_item_in_its_language_with_its_public_siblings(client, demo_news):
    NewsItemFactory(
        slug="seed-de-draft",
        language="de",
        status=NewsItem.Status.DRAFT,
        translation_key=item(SEED_SLUG).translation_key,
    )
    urls = sitemap_urls(client)
    english, russian = (
        f"http://testserver/news/{SEED_SLUG}/",
        f"http://testserver/ru/news/{RU_SLUG}/",
    )
    expected = {"en": english, "ru": russian, "x-default": english}
    assert urls[english] == expected
    assert urls[russian] == expected
    alone = [links for location, links in urls.items() if location not in (english, russian)]
    assert alone and all(links == {} for links in alone)


def test_sitemap_group_without_english_has_no_x_default(client, reference_data):
    key = uuid.uuid4()
    NewsItemFactory(slug="only-ru", language="ru", translation_key=key)
    NewsItemFactory(slug="only-fr", language="fr", translation_key=key)
    links = sitemap_urls(client)["http://testserver/ru/news/only-ru/"]
    assert links == {
        "fr": "http://testserver/fr/news/only-fr/",
        "ru": "http://testserver/ru/news/only-ru/",
    }


def test_sitemap_index_reads_the_last_change_of_the_news_in_one_aggregate(client, demo_news):
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/sitemap.xml").status_code == 200
    news_reads = [q["sql"] for q in captured if 'FROM "news_newsitem"' in q["sql"]]
    assert any('MAX("news_newsitem"."updated_at")' in sql for sql in news_reads)
    assert not any(sql.startswith('SELECT "news_newsitem"') for sql in news_reads)  # no rows


# --- queries: constant in page size and in the number of languages -------------------------------


def make_groups(count, codes):
    """`count` English items, each with a published version in every other language of `codes`."""
    for _ in range(count):
        original = NewsItemFactory()
        for code in codes[1:]:
            NewsItemFactory(language=code, translation_key=original.translation_key,
                            translated_from=original, source_version=1)  # fmt: skip


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        "/api/news/?page_size=100",
        f"/api/news/{SEED_SLUG}/",
        "/sitemap-news.xml",
        "/news/rss/",
        "/ru/news/rss/",
        "/ru/news/atom/",
        "/ru/news/export.csv",
    ],
)
def test_queries_do_not_grow_with_items_or_languages(client, reference_data, url):
    seed = NewsItemFactory(slug=SEED_SLUG)
    make_groups(3, ["en"])
    few = queries(client, url)
    NewsItemFactory(language="ru", translation_key=seed.translation_key)
    make_groups(12, ["en", "ru", "fr"])
    assert queries(client, url) == few

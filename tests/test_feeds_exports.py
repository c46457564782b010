"""The machine-readable views of the news listing: RSS and Atom feeds, the CSV export, the JSON
API, the sitemap and robots.txt. Each gives exactly what the filtered listing gives, and never an
item the public cannot see."""

import csv
import datetime
import html
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from countries.models import Country
from news import exports
from news.models import FieldOfWork, NewsItem
from news.sitemaps import NewsSitemap
from structures.models import Structure

from .factories import NewsItemFactory

SEED_SLUG = "tajik-customs-officials-learn-from-finnish-experience-in-osce-organized-study-visit"
SEED_URL = f"http://testserver/news/{SEED_SLUG}/"
ATOM = "{http://www.w3.org/2005/Atom}"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

# Each filter of the listing, with the same selection written directly against the ORM, so that
# the expected items do not come from the code under test.
FILTERS = {
    "field": (
        {"field": "border-management"},
        lambda qs: qs.filter(fields_of_work__slug="border-management"),
    ),
    "country": ({"country": "tajikistan"}, lambda qs: qs.filter(countries__slug="tajikistan")),
    "issued_by": (
        {"issued_by": "programme-office-in-dushanbe"},
        lambda qs: qs.filter(issued_by__slug="programme-office-in-dushanbe"),
    ),
    "type": ({"type": "press_release"}, lambda qs: qs.filter(type="press_release")),
    "year": (
        {"from": "2013-01-01", "to": "2013-12-31"},
        lambda qs: qs.filter(published_at__year=2013),
    ),
    "two fields": (
        {"field": ["border-management", "human-rights"]},
        lambda qs: qs.filter(fields_of_work__slug__in=["border-management", "human-rights"]),
    ),
    "field and country": (
        {"field": "border-management", "country": "tajikistan"},
        lambda qs: qs.filter(fields_of_work__slug="border-management").filter(
            countries__slug="tajikistan"
        ),
    ),
}


def public_slugs(select=lambda qs: qs):
    """Published items whose time has come, newest first, written without published()."""
    queryset = NewsItem.objects.filter(
        status=NewsItem.Status.PUBLISHED, published_at__lte=timezone.now()
    )
    return list(
        select(queryset).distinct().order_by("-published_at", "-pk").values_list("slug", flat=True)
    )


@pytest.fixture
def hidden_items(reference_data):
    """A draft, a withdrawn and a scheduled item that every filter above would otherwise match."""
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    fields = FieldOfWork.objects.filter(slug__in=["border-management", "human-rights"])
    tajikistan = Country.objects.get(slug="tajikistan")
    common = {
        "type": NewsItem.Type.PRESS_RELEASE,
        "issued_by": [dushanbe],
        "fields_of_work": fields,
        "countries": [tajikistan],
        "published_at": timezone.make_aware(datetime.datetime(2013, 6, 1, 12)),
    }
    items = [
        NewsItemFactory(slug="hidden-draft", status=NewsItem.Status.DRAFT, **common),
        NewsItemFactory(slug="hidden-withdrawn", status=NewsItem.Status.WITHDRAWN, **common),
        NewsItemFactory(
            slug="hidden-scheduled",
            **common | {"published_at": timezone.now() + datetime.timedelta(hours=1)},
        ),
    ]
    for item in items:
        item.tags.add("demo")
    return {item.slug for item in items}


def rss_items(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return ET.fromstring(response.content).find("channel").findall("item")


def atom_entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def slug_of(url):
    return url.rstrip("/").rsplit("/", 1)[1]


def csv_rows(response):
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def csv_records(response):
    header, *rows = csv_rows(response)
    return [dict(zip(header, row, strict=True)) for row in rows]


# Feeds


def test_rss_feed_lists_the_newest_50_public_items(client, demo_news, hidden_items):
    for _ in range(10):
        NewsItemFactory()
    items = rss_items(client.get("/news/rss/"))
    expected = public_slugs()[:50]
    assert len(expected) == 50
    assert [slug_of(item.findtext("link")) for item in items] == expected


def test_rss_item_has_absolute_link_guid_date_and_the_lead(client, demo_news):
    items = rss_items(client.get("/news/rss/", {"from": "2013-05-31", "to": "2013-05-31"}))
    [seed] = items
    seed_item = NewsItem.objects.get(slug=SEED_SLUG)
    assert seed.findtext("link") == SEED_URL
    assert seed.find("guid").text == SEED_URL
    assert seed.find("guid").get("isPermaLink") == "true"
    assert seed.findtext("title") == seed_item.title
    assert html.unescape(seed.findtext("description")) == seed_item.lead
    assert seed.findtext("pubDate") == "Fri, 31 May 2013 00:00:00 +0200"


def test_rss_channel_links_to_the_listing(client, demo_news):
    channel = ET.fromstring(client.get("/news/rss/").content).find("channel")
    assert channel.findtext("title") == "OSCE Portal news"
    assert channel.findtext("link") == "http://testserver/news/"
    assert channel.findtext("description")


def test_feed_items_carry_issuing_bodies_and_fields_of_work_as_categories(client, demo_news):
    items = rss_items(client.get("/news/rss/", {"from": "2013-05-31", "to": "2013-05-31"}))
    categories = [category.text for category in items[0].findall("category")]
    assert categories == [
        "OSCE Secretariat",
        "OSCE Programme Office in Dushanbe",
        "Border management",
        "Economic activities",
    ]
    # The author is the names it was issued under, as on its page.
    assert items[0].findtext(DC_CREATOR) == "OSCE Secretariat, OSCE Office in Tajikistan"


@pytest.mark.parametrize("name", FILTERS)
def test_filtered_rss_feed_has_exactly_the_listing_items(client, demo_news, hidden_items, name):
    params, select = FILTERS[name]
    expected = public_slugs(select)
    assert expected, "the demo data should match this filter"
    items = rss_items(client.get("/news/rss/", params))
    assert [slug_of(item.findtext("link")) for item in items] == expected


@pytest.mark.parametrize("name", FILTERS)
def test_filtered_atom_feed_has_exactly_the_listing_items(client, demo_news, hidden_items, name):
    params, select = FILTERS[name]
    entries = atom_entries(client.get("/news/atom/", params))
    links = [entry.find(f"{ATOM}link").get("href") for entry in entries]
    assert [slug_of(link) for link in links] == public_slugs(select)


def test_filtered_feed_is_named_and_linked_after_its_filters(client, demo_news):
    response = client.get("/news/rss/", {"country": "tajikistan", "field": "border-management"})
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("title") == (
        "OSCE Portal news: news items about Border management in Tajikistan"
    )
    assert channel.findtext("link") == (
        "http://testserver/news/?country=tajikistan&field=border-management"
    )


def test_atom_feed_is_complete(client, demo_news):
    response = client.get("/news/atom/", {"issued_by": "programme-office-in-dushanbe"})
    feed = ET.fromstring(response.content)
    assert feed.findtext(f"{ATOM}title") == (
        "OSCE Portal news: news items, issued by the OSCE Programme Office in Dushanbe"
    )
    assert feed.findtext(f"{ATOM}id") == (
        "http://testserver/news/?issued_by=programme-office-in-dushanbe"
    )
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == (
        "http://testserver/news/atom/?issued_by=programme-office-in-dushanbe"
    )
    assert feed.findtext(f"{ATOM}updated")
    assert feed.findtext(f"{ATOM}author/{ATOM}name")
    seed = next(e for e in feed.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}id") == SEED_URL)
    assert seed.findtext(f"{ATOM}published") == "2013-05-31T00:00:00+02:00"
    assert seed.findtext(f"{ATOM}updated")
    assert seed.find(f"{ATOM}summary").get("type") == "html"
    terms = [category.get("term") for category in seed.findall(f"{ATOM}category")]
    assert "OSCE Programme Office in Dushanbe" in terms and "Border management" in terms


def test_feed_escapes_markup_in_the_lead(client, reference_data):
    NewsItemFactory(lead="Tom & Jerry <script>alert(1)</script>")
    [item] = rss_items(client.get("/news/rss/"))
    # The description is HTML: the lead's text shows as text, never as markup.
    assert item.findtext("description") == "Tom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt;"


def test_feed_ignores_the_sort_order_and_stays_newest_first(client, demo_news):
    items = rss_items(client.get("/news/rss/", {"sort": "oldest"}))
    assert [slug_of(item.findtext("link")) for item in items] == public_slugs()[:50]
    channel = ET.fromstring(client.get("/news/rss/", {"sort": "oldest"}).content).find("channel")
    assert channel.findtext("title") == "OSCE Portal news"


BAD_FILTERS = [
    ({"country": "atlantis"}, "country", "atlantis"),
    ({"from": "2013-13-45"}, "from", "valid date"),
    ({"type": "rumour"}, "type", "rumour"),
    ({"from": "2014-01-01", "to": "2013-01-01"}, "to", "before the start date"),
]


@pytest.mark.parametrize("url", ["/news/rss/", "/news/atom/", "/news/export.csv"])
@pytest.mark.parametrize(("params", "field", "words"), BAD_FILTERS)
def test_bad_filter_is_a_400_that_names_the_problem(
    client, reference_data, url, params, field, words
):
    response = client.get(url, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert f"{field}: " in text and words in text


# CSV export


def test_csv_has_a_header_and_one_row_per_listed_item(client, demo_news, hidden_items):
    rows = csv_rows(client.get("/news/export.csv"))
    assert tuple(rows[0]) == exports.COLUMNS
    assert [row[0] for row in rows[1:]] == public_slugs()


def test_csv_row_values(client, demo_news):
    records = csv_records(client.get("/news/export.csv", {"issued_by": "secretariat"}))
    seed = next(record for record in records if record["slug"] == SEED_SLUG)
    assert seed == {
        "slug": SEED_SLUG,
        "url": SEED_URL,
        "title": "Tajik customs officials learn from Finnish experience in OSCE-organized "
        "study visit",
        "type": "news",
        "published_at": "2013-05-31T00:00:00+02:00",
        "issued_by": "OSCE Secretariat; OSCE Office in Tajikistan",
        "fields_of_work": "Border management; Economic activities",
        "countries": "Finland; Tajikistan",
        "tags": "customs; study visit",
        "lead": NewsItem.objects.get(slug=SEED_SLUG).lead,
    }


@pytest.mark.parametrize("name", FILTERS)
def test_filtered_csv_has_exactly_the_listing_items(client, demo_news, hidden_items, name):
    params, select = FILTERS[name]
    records = csv_records(client.get("/news/export.csv", params))
    assert [record["slug"] for record in records] == public_slugs(select)


def test_csv_follows_the_listing_sort_order(client, demo_news):
    records = csv_records(client.get("/news/export.csv", {"sort": "oldest"}))
    assert [record["slug"] for record in records] == list(reversed(public_slugs()))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas(client, reference_data, start):
    NewsItemFactory(title=f'{start}HYPERLINK("http://evil.example")', lead=f"{start}1+2")
    [record] = csv_records(client.get("/news/export.csv"))
    assert record["title"] == f'\'{start}HYPERLINK("http://evil.example")'
    assert record["lead"] == f"'{start}1+2"


def test_csv_keeps_ordinary_cells_as_they_are(client, reference_data):
    NewsItemFactory(title="OSCE: 2+2 = 4 - a headline", lead="Plain lead.")
    [record] = csv_records(client.get("/news/export.csv"))
    assert record["title"] == "OSCE: 2+2 = 4 - a headline"
    assert record["lead"] == "Plain lead."


def test_csv_is_an_attachment_that_states_its_cap_and_total(client, demo_news):
    response = client.get("/news/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="osce-news.csv"'
    assert response["X-Export-Cap"] == "10000"
    assert response["X-Total-Count"] == str(len(public_slugs()))


def test_csv_stops_at_the_cap_and_still_counts_every_match(client, demo_news, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_CAP", 5)
    response = client.get("/news/export.csv")
    assert [record["slug"] for record in csv_records(response)] == public_slugs()[:5]
    assert response["X-Export-Cap"] == "5"
    assert response["X-Total-Count"] == str(len(public_slugs()))


def test_csv_fetches_related_data_once_per_chunk_not_once_per_row(
    client, reference_data, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 10)
    NewsItemFactory.create_batch(40)
    # The count and the rows (one cursor, read chunk by chunk), then five prefetches a chunk.
    with django_assert_max_num_queries(2 + 4 * 5) as captured:
        rows = csv_rows(client.get("/news/export.csv"))
    assert len(rows) == 41
    assert len(captured) < 40


# JSON API


def test_api_list_gives_the_first_page_with_links(client, demo_news, hidden_items):
    response = client.get("/api/news/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    expected = public_slugs()
    assert data["count"] == len(expected)
    assert [result["slug"] for result in data["results"]] == expected[:20]
    assert data["previous"] is None
    assert data["next"] == "http://testserver/api/news/?page=2"


def test_api_pages_through_a_filtered_listing(client, demo_news, hidden_items):
    params, select = FILTERS["two fields"]
    url, slugs, pages = (
        "/api/news/?" + "field=human-rights&field=border-management&page_size=3",
        [],
        0,
    )
    while url:
        data = client.get(url).json()
        slugs += [result["slug"] for result in data["results"]]
        url, pages = data["next"], pages + 1
    assert slugs == public_slugs(select)
    assert pages == (len(slugs) + 2) // 3
    last_page = client.get("/api/news/", {**params, "page_size": 3, "page": 2}).json()
    assert last_page["previous"] == (
        "http://testserver/api/news/?field=border-management&field=human-rights&page_size=3"
    )


def test_api_keeps_the_sort_order_in_its_links(client, demo_news):
    data = client.get("/api/news/", {"sort": "oldest"}).json()
    assert [result["slug"] for result in data["results"]] == list(reversed(public_slugs()))[:20]
    assert data["next"] == "http://testserver/api/news/?sort=oldest&page=2"


@pytest.mark.parametrize("name", FILTERS)
def test_filtered_api_list_has_exactly_the_listing_items(client, demo_news, hidden_items, name):
    params, select = FILTERS[name]
    data = client.get("/api/news/", {**params, "page_size": 100}).json()
    assert [result["slug"] for result in data["results"]] == public_slugs(select)
    assert data["count"] == len(public_slugs(select))


def test_api_result_fields_and_values(client, demo_news):
    data = client.get("/api/news/", {"from": "2013-05-31", "to": "2013-05-31"}).json()
    [result] = data["results"]
    assert result == {
        "slug": SEED_SLUG,
        "url": SEED_URL,
        "api_url": f"http://testserver/api/news/{SEED_SLUG}/",
        "title": "Tajik customs officials learn from Finnish experience in OSCE-organized "
        "study visit",
        "type": "news",
        "type_label": "News item",
        "published_at": "2013-05-31T00:00:00+02:00",
        "issued_by": [
            {
                "slug": "secretariat",
                "name": "OSCE Secretariat",
                "name_in_force": "OSCE Secretariat",
                "url": "http://testserver/structures/secretariat/",
            },
            {
                "slug": "programme-office-in-dushanbe",
                "name": "OSCE Programme Office in Dushanbe",
                "name_in_force": "OSCE Office in Tajikistan",
                "url": "http://testserver/structures/programme-office-in-dushanbe/",
            },
        ],
        "fields_of_work": [
            {"slug": "border-management", "name": "Border management"},
            {"slug": "economic-activities", "name": "Economic activities"},
        ],
        "countries": [
            {"slug": "finland", "name": "Finland", "code": "FI"},
            {"slug": "tajikistan", "name": "Tajikistan", "code": "TJ"},
        ],
        "tags": ["customs", "study visit"],
        "lead": NewsItem.objects.get(slug=SEED_SLUG).lead,
    }


def test_api_detail_adds_the_body(client, demo_news):
    response = client.get(f"/api/news/{SEED_SLUG}/")
    assert response.status_code == 200
    data = response.json()
    listed = client.get("/api/news/", {"from": "2013-05-31", "to": "2013-05-31"}).json()
    assert data == listed["results"][0] | {"body_html": NewsItem.objects.get(slug=SEED_SLUG).body}
    assert data["body_html"].startswith("<p>A week-long study visit")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"country": "atlantis"}, "country"),
        ({"from": "yesterday"}, "from"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "many"}, "page_size"),
    ],
)
def test_api_bad_parameter_is_a_400_with_errors_by_field(client, reference_data, params, field):
    response = client.get("/api/news/", params)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert all(isinstance(message, str) for message in errors[field])


def test_api_reports_every_bad_parameter_at_once(client, reference_data):
    response = client.get("/api/news/", {"country": "atlantis", "page_size": "0"})
    assert set(response.json()["errors"]) == {"country", "page_size"}


@pytest.mark.parametrize("page", ["abc", "0", "-1", "4", "1.5"])
def test_api_bad_page_is_a_json_404(client, demo_news, page):
    response = client.get("/api/news/", {"page": page})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_api_empty_listing_is_a_page_of_nothing(client, reference_data):
    data = client.get("/api/news/").json()
    assert data == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize(
    "slug", ["no-such-item", "hidden-draft", "hidden-withdrawn", "hidden-scheduled"]
)
def test_api_detail_of_an_item_the_public_cannot_see_is_a_json_404(client, hidden_items, slug):
    response = client.get(f"/api/news/{slug}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No published news item has this slug."}


def test_api_may_be_read_from_any_web_page(client, reference_data):
    assert client.get("/api/news/")["Access-Control-Allow-Origin"] == "*"


# Nothing the public cannot see, anywhere


def listed_slugs(client, url):
    response = client.get(url, {"tag": "demo"})
    if url.endswith("rss/"):
        return {slug_of(item.findtext("link")) for item in rss_items(response)}
    if url.endswith("atom/"):
        return {slug_of(e.findtext(f"{ATOM}id")) for e in atom_entries(response)}
    if url.endswith(".csv"):
        return {record["slug"] for record in csv_records(response)}
    return {result["slug"] for result in response.json()["results"]}


@pytest.mark.parametrize("url", ["/news/rss/", "/news/atom/", "/news/export.csv", "/api/news/"])
def test_drafts_withdrawn_and_scheduled_items_never_appear(client, demo_news, hidden_items, url):
    slugs = listed_slugs(client, url)
    assert slugs and not slugs & hidden_items


def test_scheduled_item_appears_once_its_time_has_come(client, reference_data):
    item = NewsItemFactory(published_at=timezone.now() + datetime.timedelta(hours=1))
    assert client.get("/api/news/").json()["count"] == 0
    NewsItem.objects.filter(pk=item.pk).update(
        published_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get("/api/news/").json()["count"] == 1


def test_api_count_comes_from_the_cached_facet_counts(client, demo_news, settings):
    settings.FACET_CACHE = True
    url = "/api/news/?field=border-management&page_size=3"
    first = client.get(url).json()
    with CaptureQueriesContext(connection) as again:
        second = client.get(url).json()
    assert [q for q in again.captured_queries if "COUNT(" in q["sql"]] == []
    expected = NewsItem.objects.published().filter(fields_of_work__slug="border-management")
    assert first["count"] == second["count"] == expected.count() > 3


# Bounded queries


def make_items(count):
    fields = list(FieldOfWork.objects.all()[:2])
    countries = list(Country.objects.filter(slug__in=["tajikistan", "finland"]))
    structures = list(Structure.objects.filter(slug__in=["secretariat", "odihr"])[:2])
    for _ in range(count):
        item = NewsItemFactory(issued_by=structures, fields_of_work=fields, countries=countries)
        item.tags.add("demo", "bounded")


def consume(response):
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


QUERY_BOUNDS = {
    # filter validation (one per facet given), the items, three prefetches
    "/news/rss/?field=border-management": 5,
    "/news/atom/?field=border-management": 5,
    # validation, the count, the rows, five prefetches
    "/news/export.csv?field=border-management": 8,
    "/api/news/?field=border-management&page_size=100": 8,
    "/api/news/?page_size=100": 7,
}


@pytest.mark.parametrize("url", QUERY_BOUNDS)
def test_query_count_does_not_grow_with_the_number_of_items(
    client, reference_data, django_assert_max_num_queries, url
):
    make_items(10)
    with django_assert_max_num_queries(QUERY_BOUNDS[url]) as few:
        consume(client.get(url))
    make_items(30)
    with django_assert_max_num_queries(QUERY_BOUNDS[url]) as many:
        body = consume(client.get(url))
    assert len(few) == len(many)
    assert body.count(b"news-item-") >= 40


def test_api_detail_costs_a_fixed_number_of_queries(
    client, demo_news, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        assert client.get(f"/api/news/{SEED_SLUG}/").status_code == 200


# Sitemap and robots.txt


def sitemap_locations(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return [loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]


def test_sitemap_index_lists_one_sitemap_per_section(client, demo_news):
    assert sitemap_locations(client, "/sitemap.xml") == [
        f"http://testserver/sitemap-{section}.xml"
        for section in ("pages", "news", "fields-of-work", "countries", "structures")
    ]


def test_news_sitemap_lists_every_public_item_with_its_last_change(client, demo_news, hidden_items):
    response = client.get("/sitemap-news.xml")
    root = ET.fromstring(response.content)
    urls = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root}
    assert {slug_of(url) for url in urls} == set(public_slugs())
    seed = NewsItem.objects.get(slug=SEED_SLUG)
    assert urls[SEED_URL] == timezone.localdate(seed.updated_at).isoformat()


def test_sitemap_lists_the_taxonomy_pages(client, demo_news):
    locations = {
        location
        for section in ("pages", "fields-of-work", "countries", "structures")
        for location in sitemap_locations(client, f"/sitemap-{section}.xml")
    }
    for path in (
        "/",
        "/news/",
        "/fields-of-work/",
        "/fields-of-work/border-management/",
        "/countries/",
        "/countries/tajikistan/",
        "/structures/",
        "/structures/programme-office-in-dushanbe/",
    ):
        assert f"http://testserver{path}" in locations
    assert len(locations) == 5 + sum(
        model.objects.count() for model in (FieldOfWork, Country, Structure)
    )


def test_large_news_sitemap_is_split_into_pages_the_index_lists(client, demo_news, monkeypatch):
    monkeypatch.setattr(NewsSitemap, "limit", 20)
    index = sitemap_locations(client, "/sitemap.xml")
    pages = [url for url in index if "sitemap-news.xml" in url]
    assert pages == [
        "http://testserver/sitemap-news.xml",
        "http://testserver/sitemap-news.xml?p=2",
        "http://testserver/sitemap-news.xml?p=3",
    ]
    found = [slug_of(url) for page in pages for url in sitemap_locations(client, page)]
    assert found == public_slugs()


def test_unknown_sitemap_section_is_a_404(client, reference_data):
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_robots_txt_allows_all_but_the_admin_and_points_at_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "User-agent: *\nDisallow: /admin/\n\nSitemap: http://testserver/sitemap.xml\n"
    )


# Public responses


PUBLIC_URLS = [
    "/news/rss/",
    "/news/atom/",
    "/news/export.csv",
    "/api/news/",
    f"/api/news/{SEED_SLUG}/",
    "/api/news/no-such-item/",
    "/api/news/?page=99",
    "/api/news/?country=atlantis",
    "/news/rss/?country=atlantis",
    "/sitemap.xml",
    "/sitemap-news.xml",
    "/robots.txt",
]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_responses_set_no_cookies(client, demo_news, url):
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    assert not response.cookies
    assert "Set-Cookie" not in response


@pytest.mark.parametrize("url", ["/news/rss/", "/news/atom/", "/news/export.csv", "/api/news/"])
@pytest.mark.parametrize(
    "query",
    [
        "field=%00",
        "q=%00",
        "from=0000-00-00",
        "to=99999-01-01",
        "q=" + "x" * 500,
        "type=",
        "sort=random",
        "country=" + "&country=".join(["tajikistan"] * 25),
        "issued_by=../../etc/passwd",
        "page=1&page=2",
        "page_size=1e3",
        "tag=%F0%9F%92%A5",
    ],
)
def test_hostile_query_strings_get_an_answer_never_a_500(client, reference_data, url, query):
    NewsItemFactory()
    response = client.get(f"{url}?{query}")
    assert response.status_code in (200, 400, 404)
    if response.status_code == 200 and response.streaming:
        b"".join(response.streaming_content)


def test_json_is_utf8_not_ascii_escapes(client, reference_data):
    NewsItemFactory(title="Türkiye and the OSCE")
    body = client.get("/api/news/").content
    assert "Türkiye".encode() in body
    assert json.loads(body)["results"][0]["title"] == "Türkiye and the OSCE"

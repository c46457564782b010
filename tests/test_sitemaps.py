"""The sitemap index and its sections, and robots.txt."""

import xml.etree.ElementTree as ET

from django.utils import timezone

from countries.models import Country
from news.models import FieldOfWork, NewsItem
from news.sitemaps import NewsSitemap
from structures.models import Structure

from .outputs import SEED_SLUG, SEED_URL, SITEMAP, public_slugs, slug_of


def sitemap_locations(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return [loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]


def test_sitemap_index_lists_one_sitemap_per_section(client, demo_news):
    assert sitemap_locations(client, "/sitemap.xml") == [
        f"http://testserver/sitemap-{section}.xml"
        for section in (
            "pages",
            "news",
            "fields-of-work",
            "countries",
            "structures",
            "meeting-series",
            "meetings",
        )
    ]


def test_news_sitemap_lists_every_public_item_with_its_last_change(client, demo_news, hidden_items):
    response = client.get("/sitemap-news.xml")
    root = ET.fromstring(response.content)
    urls = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root}
    assert {slug_of(url) for url in urls} == set(public_slugs(language=None))
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
    assert len(locations) == 6 + sum(
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
    assert found == public_slugs(language=None)


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

"""What the tests of the machine-readable views share (feeds, CSV, API, sitemaps): the filters
they are tried with, the public items counted without published(), and the readers of each
format."""

import csv
import io
import xml.etree.ElementTree as ET

from django.utils import timezone

from news.models import NewsItem

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


def public_slugs(select=lambda qs: qs, language="en"):
    """Published items whose time has come, newest first, written without published(): those
    in `language` (what the English addresses of the feeds and the CSV list), or in every
    language (None: the sitemap and the API)."""
    queryset = NewsItem.objects.filter(
        status=NewsItem.Status.PUBLISHED, published_at__lte=timezone.now()
    )
    if language is not None:
        queryset = queryset.filter(language=language)
    return list(
        select(queryset).distinct().order_by("-published_at", "-pk").values_list("slug", flat=True)
    )


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

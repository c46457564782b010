"""What the public sees is defined once (`NewsItem.objects.published()`): a draft, a scheduled,
a withdrawn and a published item, through every public surface. Only the published one shows."""

import datetime

import pytest
from django.utils import timezone

from countries.models import Country
from news.models import FieldOfWork

from .factories import NewsItemFactory
from .test_admin import structure

pytestmark = pytest.mark.usefixtures("reference_data")

STATES = ["published", "draft", "scheduled", "withdrawn", "awaiting"]  # awaiting sign-off


@pytest.fixture
def items():
    """One item in each state, alike in everything else, and a published companion that shares
    all their links (so that "Read more on this topic" would find any of them)."""
    links = {
        "issued_by": [structure("programme-office-in-dushanbe")],
        "fields_of_work": [FieldOfWork.objects.get(slug="border-management")],
        "countries": [Country.objects.get(code="TJ")],
    }
    made = {}
    for state in STATES:
        status = {"scheduled": "published"}.get(state, state)
        when = timezone.now() + datetime.timedelta(days=1 if state == "scheduled" else -1)
        made[state] = NewsItemFactory(
            title=f"Quokkaesque {state} statement",
            slug=f"quokkaesque-{state}",
            status=status,
            published_at=when,
            withdrawn_reason="Wrong" if state == "withdrawn" else "",
            **links,
        )
        made[state].tags.set(["quokkaesque"])
    made["companion"] = NewsItemFactory(title="Companion", slug="companion", **links)
    return made


SURFACES = {
    "home": "/",
    "listing": "/news/",
    "filtered listing": "/news/?country=tajikistan&field=border-management",
    "search": "/news/?q=quokkaesque",
    "RSS": "/news/rss/",
    "Atom": "/news/atom/",
    "CSV": "/news/export.csv",
    "API": "/api/news/",
    "field page": "/fields-of-work/border-management/",
    "country page": "/countries/tajikistan/",
    "structure page": "/structures/programme-office-in-dushanbe/",
    "sitemap": "/sitemap-news.xml",
    "related items": "/news/companion/",
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("surface", SURFACES)
def test_only_the_published_item_shows(client, items, surface, state):
    response = client.get(SURFACES[surface])
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode()
    assert (items[state].slug in text) == (state == "published"), f"{state} on {surface}"


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("address", ["/news/{slug}/", "/api/news/{slug}/"])
def test_only_the_published_item_has_a_page(client, items, address, state):
    status = client.get(address.format(slug=items[state].slug)).status_code
    assert status == (200 if state == "published" else 404)


def test_the_facet_counts_count_the_published_item_only(client, items):
    counts = client.get("/api/news/", {"tag": "quokkaesque"}).json()["count"]
    assert counts == 1
    tag_facet = client.get("/news/").context["facets"]
    tags = {option.value: option.count for facet in tag_facet for option in facet.options}
    assert tags.get("quokkaesque") == 1

import json

import pytest
from django.conf import settings
from django.db import connection

from news.models import NewsItem

from .factories import NewsItemFactory

SEED_URL = (
    "/news/tajik-customs-officials-learn-from-finnish-experience-in-osce-organized-study-visit/"
)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/news/",
        SEED_URL,
        "/fields-of-work/",
        "/fields-of-work/border-management/",
        "/countries/",
        "/countries/tajikistan/",
        "/structures/",
        "/structures/programme-office-in-dushanbe/",
        "/healthz",
    ],
)
def test_public_pages_answer(client, demo_news, url):
    assert client.get(url).status_code == 200


def test_database_is_postgresql():
    # The suite is meant to run where production runs.
    assert settings.DATABASES["default"]["ENGINE"] == "osceportal.postgresql"
    assert connection.vendor == "postgresql"


def test_seed_item_page_shows_the_name_in_force_in_2013(client, demo_news):
    page = client.get(SEED_URL).content.decode()
    assert "Tajik customs officials learn from Finnish experience" in page
    dushanbe = "/structures/programme-office-in-dushanbe/"
    assert f'<a href="{dushanbe}">OSCE Office in Tajikistan</a>' in page
    assert '<a href="/structures/secretariat/">OSCE Secretariat</a>' in page
    assert "Border management" in page and "Economic activities" in page


def test_home_and_listing_show_the_published_news(client, demo_news):
    home = client.get("/").content.decode()
    newest = NewsItem.objects.published().newest_first().first()
    assert newest.get_absolute_url() in home
    listing = client.get("/news/").content.decode()
    # Counted from the file itself: its English lines that are published, none of them ahead.
    lines = [json.loads(line) for line in settings.DEMO_NEWS_FILE.read_text().splitlines()]
    english = sum(
        line.get("language", "en") == "en" and line.get("status", "published") == "published"
        for line in lines
    )
    assert english > 40 and f">{english} news items</p>" in listing
    pages = [client.get("/news/", {"page": n}).content.decode() for n in (1, 2, 3)]
    assert sum(SEED_URL in page for page in pages) == 1


@pytest.mark.parametrize("status", [NewsItem.Status.DRAFT, NewsItem.Status.WITHDRAWN])
def test_unpublished_item_is_a_404_for_the_public(client, reference_data, status):
    item = NewsItemFactory(status=status)
    response = client.get(item.get_absolute_url())
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_unknown_slug_is_a_404_page(client, reference_data):
    assert client.get("/news/no-such-item/").status_code == 404
    assert client.get("/countries/atlantis/").status_code == 404


@pytest.mark.parametrize("page", ["abc", "-1", "0", "1.5"])
def test_a_malformed_page_number_is_a_400_not_a_500(client, demo_news, page):
    assert client.get("/news/", {"page": page}).status_code == 400


def test_a_page_past_the_end_leads_to_the_last_page(client, demo_news):
    response = client.get("/news/", {"page": "99999"})
    assert response.status_code == 302
    last = client.get(response["Location"])
    assert last.status_code == 200
    assert last.context["page_obj"].number == last.context["paginator"].num_pages > 1


def test_listing_costs_a_fixed_number_of_queries(client, demo_news, django_assert_max_num_queries):
    client.get("/news/")  # the menus are built once, then come from the cache
    with django_assert_max_num_queries(14):
        client.get("/news/")

"""The JSON API: the listing page by page with its links, one item with its body, errors by
parameter."""

import pytest

from news.models import NewsItem

from .outputs import FILTERS, SEED_SLUG, SEED_URL, public_slugs


def test_api_list_gives_the_first_page_with_links(client, demo_news, hidden_items):
    response = client.get("/api/news/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    expected = public_slugs(language=None)
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
    assert slugs == public_slugs(select, language=None)
    assert pages == (len(slugs) + 2) // 3
    last_page = client.get("/api/news/", {**params, "page_size": 3, "page": 2}).json()
    assert last_page["previous"] == (
        "http://testserver/api/news/?field=border-management&field=human-rights&page_size=3"
    )


def test_api_keeps_the_sort_order_in_its_links(client, demo_news):
    data = client.get("/api/news/", {"sort": "oldest"}).json()
    assert [result["slug"] for result in data["results"]] == list(
        reversed(public_slugs(language=None))
    )[:20]
    assert data["next"] == "http://testserver/api/news/?sort=oldest&page=2"


@pytest.mark.parametrize("name", FILTERS)
def test_filtered_api_list_has_exactly_the_listing_items(client, demo_news, hidden_items, name):
    params, select = FILTERS[name]
    data = client.get("/api/news/", {**params, "page_size": 100}).json()
    assert [result["slug"] for result in data["results"]] == public_slugs(select, language=None)
    assert data["count"] == len(public_slugs(select, language=None))


def test_api_result_fields_and_values(client, demo_news):
    data = client.get(
        "/api/news/", {"from": "2013-05-31", "to": "2013-05-31", "language": "en"}
    ).json()
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
        "language": "en",
        "translations": [
            {
                "language": "ru",
                "slug": f"{SEED_SLUG}-ru",
                "url": f"http://testserver/ru/news/{SEED_SLUG}-ru/",
            }
        ],
    }


def test_api_detail_adds_the_body(client, demo_news):
    response = client.get(f"/api/news/{SEED_SLUG}/")
    assert response.status_code == 200
    data = response.json()
    listed = client.get(
        "/api/news/", {"from": "2013-05-31", "to": "2013-05-31", "language": "en"}
    ).json()
    assert data == listed["results"][0] | {"body_html": NewsItem.objects.get(slug=SEED_SLUG).body}
    assert data["body_html"].startswith("<p>A week-long study visit")


@pytest.mark.parametrize(
    ("params", "field"),
    [
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
    response = client.get("/api/news/", {"from": "2013-13-45", "page_size": "0"})
    assert set(response.json()["errors"]) == {"from", "page_size"}


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

"""The CSV export of the listing: a row per listed item, cells a spreadsheet cannot run, a cap
it states."""

import re

import pytest
from django.utils import timezone, translation

from countries.models import Country
from news import exports
from news.models import NewsItem

from .factories import NewsItemFactory
from .outputs import FILTERS, SEED_SLUG, SEED_URL, csv_records, csv_rows, public_slugs

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
        "language": "en",
        "type_label": "News item",
        "language_label": "English",
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
    assert response["Content-Disposition"] == (
        f'attachment; filename="osce-news-{timezone.localdate().isoformat()}.csv"'
    )
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


# The file's name and the labels beside the codes (issue 19)


def test_csv_is_named_after_its_filters_and_the_day(client, demo_news):
    response = client.get("/news/export.csv?country=tajikistan&field=border-management")
    day = timezone.localdate().isoformat()
    name = f"osce-news-border-management-tajikistan-{day}.csv"  # field before country
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_csv_name_writes_codes_and_search_words_in_safe_characters(client, demo_news):
    response = client.get(
        "/news/export.csv",
        {"type": "press_release", "q": 'Études "visite" <b>;/\\', "sort": "oldest"},
    )
    day = timezone.localdate().isoformat()
    name = f"osce-news-press-release-etudes-visite-b-{day}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_csv_name_stays_short_with_many_filters(client, reference_data):
    slugs = sorted(Country.objects.values_list("slug", flat=True))[:20]
    response = client.get("/news/export.csv", {"country": slugs})
    assert response.status_code == 200
    name = re.fullmatch(r'attachment; filename="(.*)"', response["Content-Disposition"]).group(1)
    assert re.fullmatch(r"osce-news-[a-z0-9-]+-\d{4}-\d{2}-\d{2}\.csv", name)
    assert len(name) <= len("osce-news--2026-12-01.csv") + exports.MAX_NAME_LENGTH
    assert "--" not in name


def test_csv_carries_labels_beside_the_codes(client, reference_data):
    NewsItemFactory(type=NewsItem.Type.PRESS_RELEASE)
    [record] = csv_records(client.get("/news/export.csv"))
    assert (record["type"], record["type_label"]) == ("press_release", "Press release")
    assert (record["language"], record["language_label"]) == ("en", "English")
    assert list(record)[-2:] == ["type_label", "language_label"]  # added last


def test_csv_labels_are_in_the_language_of_the_address(client, reference_data):
    NewsItemFactory(type=NewsItem.Type.PRESS_RELEASE)  # English, shown where no Russian exists
    [record] = csv_records(client.get("/ru/news/export.csv"))
    with translation.override("ru"):
        expected = str(NewsItem.Type.PRESS_RELEASE.label)
    assert record["type"] == "press_release"
    assert record["type_label"] == expected != "Press release"
    assert record["language_label"] not in ("", "en", "English")

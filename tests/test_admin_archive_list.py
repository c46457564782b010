"""The news change list over a large archive (news/admin/archive_list.py): search in the search
document, filters with EXISTS, years from the first and last item, a capped count; and an
editor still sees their own bodies' items only."""

import datetime
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from countries.models import Country
from news.admin import archive_list
from news.models import FieldOfWork, NewsItem

from .factories import NewsItemFactory
from .test_admin import make_editor, structure

pytestmark = pytest.mark.usefixtures("reference_data")

LIST = "/admin/news/newsitem/"


@pytest.fixture
def archive():
    dushanbe, bishkek = (
        structure("programme-office-in-dushanbe"),
        structure("programme-office-in-bishkek"),
    )
    border = FieldOfWork.objects.get(slug="border-management")
    tajikistan = Country.objects.get(slug="tajikistan")
    return {
        "managed": NewsItemFactory(
            title="Border managers trained in Dushanbe", slug="border-managers",
            issued_by=[dushanbe], fields_of_work=[border], countries=[tajikistan],
            published_at=timezone.now() - datetime.timedelta(days=400),
        ),
        "elections": NewsItemFactory(
            title="Elections observed", slug="elections-observed", lead="A lead on voting.",
            issued_by=[bishkek],
        ),
        "body_only": NewsItemFactory(
            title="A report", slug="a-report", body="<p>The managing of borders.</p>",
            issued_by=[bishkek],
        ),
    }  # fmt: skip


def listed(client, query=""):
    response = client.get(f"{LIST}{query}")
    assert response.status_code == 200
    return {item.slug for item in response.context["cl"].result_list}


def test_search_finds_words_stemmed_prefixes_names_and_the_slug(admin_client, archive):
    assert listed(admin_client, "?q=managing") == {"border-managers", "a-report"}
    assert listed(admin_client, "?q=border+Dushanb") == {"border-managers"}  # a word's start
    assert listed(admin_client, "?q=voting") == {"elections-observed"}  # the lead
    assert listed(admin_client, "?q=Bishkek") == {"elections-observed", "a-report"}  # names
    assert listed(admin_client, "?q=a-report") == {"a-report"}
    assert listed(admin_client, "?q=%22%29%28%21%3A*") == set()  # tsquery syntax is no error


def test_an_editor_searches_and_filters_only_their_bodies_items(client, archive):
    client.force_login(make_editor("bishkek", bodies=["programme-office-in-bishkek"]))
    assert listed(client, "?q=managing") == {"a-report"}
    assert listed(client) == {"elections-observed", "a-report"}


def test_link_filters_and_years(admin_client, archive):
    border = FieldOfWork.objects.get(slug="border-management")
    tajikistan = Country.objects.get(slug="tajikistan")
    dushanbe = structure("programme-office-in-dushanbe")
    assert listed(admin_client, f"?field={border.pk}") == {"border-managers"}
    assert listed(admin_client, f"?country={tajikistan.pk}") == {"border-managers"}
    assert listed(admin_client, f"?issued_by={dushanbe.pk}") == {"border-managers"}
    year = timezone.localtime(archive["managed"].published_at).year
    assert listed(admin_client, f"?year={year}") == {"border-managers"}
    page = admin_client.get(LIST).content.decode()
    for each in range(year, timezone.localdate().year + 1):
        assert f"?year={each}" in page


def test_the_count_stops_at_its_cap(admin_client, archive, monkeypatch):
    monkeypatch.setattr(archive_list, "COUNT_CAP", 2)
    page = admin_client.get(LIST).content.decode()
    assert re.search(r"more than 2\s+news items", page)
    assert "3 news items" not in page
    searched = admin_client.get(f"{LIST}?q=report").content.decode()
    assert re.search(r"\b1 result\b", searched)


def test_a_search_is_counted_to_a_lower_cap(admin_client, archive, monkeypatch):
    """A search stops counting at SEARCH_COUNT_CAP, the list itself at COUNT_CAP."""
    monkeypatch.setattr(archive_list, "SEARCH_COUNT_CAP", 1)
    for n in range(2):
        NewsItemFactory(title=f"Border report {n}", slug=f"border-report-{n}")
    searched = admin_client.get(f"{LIST}?q=border").content.decode()
    assert re.search(r"more than 1 results", searched)
    assert re.search(r"more than 1\s+news items", searched)
    assert "2 results" not in searched and "3 results" not in searched
    page = admin_client.get(LIST).content.decode()
    assert "more than" not in page
    blank = admin_client.get(f"{LIST}?q=+").content.decode()
    assert "more than" not in blank


def test_each_rows_checkbox_and_language_are_what_django_writes(archive):
    model_admin = admin.site._registry[NewsItem]
    item = archive["managed"]
    item.title = 'Quotes "and" <b>tags</b> & more'
    django_own = admin.ModelAdmin.action_checkbox(model_admin, item)
    assert model_admin.action_checkbox(item) == django_own
    assert f'value="{item.pk}"' in django_own
    for code in ("en", "ru", "xx"):  # xx: a language no longer configured
        item.language = code
        assert model_admin.language_column(item) == item.get_language_display()


def test_a_page_of_a_short_list_comes_by_its_ids_in_the_lists_order(
    admin_client, archive, monkeypatch
):
    """Under COUNT_CAP items the page's items are found by their ids, sorted as PostgreSQL sorts
    the list: items without a date first, then the newest, equal dates by id."""
    same_day = timezone.now() - datetime.timedelta(days=3)
    for n in range(5):
        NewsItemFactory(title=f"Tied {n}", slug=f"tied-{n}", published_at=same_day)
    for n in range(2):
        NewsItemFactory(
            title=f"Undated {n}", slug=f"undated-{n}", status=NewsItem.Status.DRAFT,
            published_at=None,
        )  # fmt: skip
    expected = list(
        NewsItem.objects.order_by("-published_at", "-pk").values_list("slug", flat=True)
    )
    assert expected[:2] == ["undated-1", "undated-0"]
    monkeypatch.setattr(admin.site._registry[NewsItem], "list_per_page", 3)
    shown = []
    for number in range(1, 5):
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(f"{LIST}?p={number}")
        shown += [item.slug for item in response.context["cl"].result_list]
        page_query = [
            q["sql"] for q in queries.captured_queries if '"news_newsitem"."title"' in q["sql"]
        ]
        assert len(page_query) == 1 and " IN (" in page_query[0] and "OFFSET" not in page_query[0]
    assert shown == expected

    # Past the cap, or in another order, the page is the database's own slice.
    monkeypatch.setattr(archive_list, "COUNT_CAP", 5)
    response = admin_client.get(f"{LIST}?p=2")
    assert [item.slug for item in response.context["cl"].result_list] == expected[3:6]
    by_title = list(NewsItem.objects.order_by("title", "-pk").values_list("slug", flat=True))
    monkeypatch.setattr(archive_list, "COUNT_CAP", 10_000)
    response = admin_client.get(f"{LIST}?o=1&p=2")  # the title column, ascending
    assert [item.slug for item in response.context["cl"].result_list] == by_title[3:6]


@pytest.mark.parametrize("page", ["0", "-3", "99", "99999999999999999999999", "x"])
def test_a_page_out_of_range_is_no_error(admin_client, archive, page):
    response = admin_client.get(f"{LIST}?p={page}")
    assert response.status_code in {200, 302}

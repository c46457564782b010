import datetime

import pytest
from django.utils import timezone

from countries.models import Chairpersonship, Country
from news.models import NewsItem
from structures.models import Structure

from .factories import NewsItemFactory

pytestmark = pytest.mark.usefixtures("reference_data")


def days_from_now(days):
    return timezone.now() + datetime.timedelta(days=days)


def test_published_item_in_the_past_is_public():
    item = NewsItemFactory(published_at=days_from_now(-1))
    assert item in NewsItem.objects.published()


def test_scheduled_item_is_hidden_until_its_time(settings):
    item = NewsItemFactory(published_at=days_from_now(1))
    assert item not in NewsItem.objects.published()


def test_scheduled_item_goes_public_by_itself_when_its_time_passes(monkeypatch):
    item = NewsItemFactory(published_at=days_from_now(1))
    later = days_from_now(2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert item in NewsItem.objects.published()


@pytest.mark.parametrize("status", [NewsItem.Status.DRAFT, NewsItem.Status.WITHDRAWN])
def test_draft_and_withdrawn_items_are_not_public(status):
    item = NewsItemFactory(status=status, published_at=days_from_now(-30))
    assert item not in NewsItem.objects.published()


def test_not_public_is_exactly_what_published_leaves_out():
    for status, days in [(status, days) for status in NewsItem.Status.values for days in (-1, 1)]:
        NewsItemFactory(status=status, published_at=days_from_now(days))
    public = set(NewsItem.objects.published().values_list("pk", flat=True))
    hidden = set(NewsItem.objects.not_public().values_list("pk", flat=True))
    assert public and hidden and not public & hidden
    assert public | hidden == set(NewsItem.objects.values_list("pk", flat=True))


def test_published_item_must_have_a_date():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        NewsItemFactory(published_at=None)


def test_reverse_managers_inherit_published():
    tajikistan = Country.objects.get(code="TJ")
    public = NewsItemFactory(countries=[tajikistan])
    NewsItemFactory(countries=[tajikistan], status=NewsItem.Status.DRAFT)
    assert list(tajikistan.news_items.published()) == [public]


def test_issuing_bodies_keep_the_order_given():
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    secretariat = Structure.objects.get(slug="secretariat")
    odihr = Structure.objects.get(slug="odihr")
    item = NewsItemFactory(issued_by=[odihr, dushanbe, secretariat])
    assert [s for s, _ in item.issuers_in_force()] == [odihr, dushanbe, secretariat]
    other = NewsItemFactory(issued_by=[secretariat, odihr])
    assert [s for s, _ in other.issuers_in_force()] == [secretariat, odihr]


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (datetime.date(1999, 3, 1), "OSCE Mission to Tajikistan"),
        (datetime.date(2005, 3, 1), "OSCE Centre in Dushanbe"),
        (datetime.date(2013, 5, 31), "OSCE Office in Tajikistan"),
        (datetime.date(2017, 6, 30), "OSCE Office in Tajikistan"),
        (datetime.date(2017, 7, 1), "OSCE Programme Office in Dushanbe"),
        (datetime.date(2025, 1, 1), "OSCE Programme Office in Dushanbe"),
    ],
)
def test_name_on_gives_the_name_in_force_across_renames(day, name):
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    assert dushanbe.name_on(day) == name


def test_name_on_a_rename_year_prefers_the_newer_name():
    # Known only to the year: the Centre became the Office in 2008.
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    assert dushanbe.name_on(datetime.date(2008, 7, 1)) == "OSCE Office in Tajikistan"


def test_former_name_without_a_start_covers_everything_before_its_end():
    chair = Structure.objects.get(slug="chairpersonship")
    assert chair.name_on(datetime.date(2010, 1, 1)) == "OSCE Chairmanship"
    assert chair.name_on(datetime.date(2024, 1, 1)) == "OSCE Chairpersonship"


def test_old_item_shows_the_name_in_force_on_its_date():
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    item = NewsItemFactory(
        issued_by=[dushanbe],
        published_at=timezone.make_aware(datetime.datetime(2013, 5, 31, 10, 0)),
    )
    assert item.issuers_in_force() == [(dushanbe, "OSCE Office in Tajikistan")]


def test_body_is_sanitised_when_saved():
    item = NewsItemFactory(body='<p onclick="x()">Hi<script>alert(1)</script></p>')
    item.refresh_from_db()
    assert item.body == "<p>Hi</p>"


def test_closed_structure_is_labelled_closed_only_for_today():
    yerevan = Structure.objects.get(slug="office-in-yerevan")
    assert not yerevan.is_open
    assert str(yerevan) == "OSCE Office in Yerevan (closed)"
    assert yerevan.name_on(datetime.date(2010, 1, 1)) == "OSCE Office in Yerevan"


def test_chairpersonship_reads_as_in_the_menu():
    finland = Chairpersonship.objects.get(year=2025)
    assert str(finland) == "Finland – OSCE Chairpersonship 2025"


def test_public_models_link_to_their_pages():
    assert Country.objects.get(code="TR").get_absolute_url() == "/countries/turkiye/"
    assert Country.objects.get(code="NL").get_absolute_url() == "/countries/the-netherlands/"
    assert Structure.objects.get(slug="odihr").get_absolute_url() == "/structures/odihr/"
    item = NewsItemFactory(slug="a-slug")
    assert item.get_absolute_url() == "/news/a-slug/"

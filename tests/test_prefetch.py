"""Prefetched relations kept as lists (structures/prefetch.py): the related managers still give
what Django's own prefetch gives, and the pages read the lists without them."""

import pickle

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from news.models import FieldOfWork, NewsItem
from structures import prefetch

from .factories import NewsItemFactory

pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.fixture
def item_with_fields():
    border, gender = (
        FieldOfWork.objects.get(slug=s) for s in ("border-management", "gender-equality")
    )
    item = NewsItemFactory(fields_of_work=[border, gender])
    NewsItemFactory(fields_of_work=[gender])  # another item's link, never this one's
    return NewsItem.objects.get(pk=item.pk), border, gender


def test_a_kept_list_is_what_the_manager_gives_and_filtering_it_asks_the_database(
    item_with_fields,
):
    item, border, gender = item_with_fields
    prefetch.keep(item, "fields_of_work", [gender, border])
    with CaptureQueriesContext(connection) as queries:
        assert prefetch.records(item, "fields_of_work") == [gender, border]
        assert list(item.fields_of_work.all()) == [gender, border]
        assert item.fields_of_work.count() == 2
    assert len(queries) == 0
    # Anything more than the list is the relation's own query: this item's links only.
    assert list(item.fields_of_work.filter(slug="gender-equality")) == [gender]
    assert set(item.fields_of_work.order_by("pk")) == {border, gender}


def test_a_change_through_the_manager_forgets_the_list(item_with_fields):
    item, border, gender = item_with_fields
    prefetch.keep(item, "fields_of_work", [gender])  # a stale list
    item.fields_of_work.remove(gender)
    assert list(item.fields_of_work.all()) == [border]
    assert prefetch.records(item, "fields_of_work") == [border]
    prefetch.keep(item, "fields_of_work", [])
    item.refresh_from_db()
    assert list(item.fields_of_work.all()) == [border]


def test_records_reads_djangos_own_prefetch_and_otherwise_asks(item_with_fields):
    item, border, gender = item_with_fields
    assert set(prefetch.records(item, "fields_of_work")) == {border, gender}  # no prefetch
    prefetched = NewsItem.objects.prefetch_related("fields_of_work").get(pk=item.pk)
    with CaptureQueriesContext(connection) as queries:
        assert set(prefetch.records(prefetched, "fields_of_work")) == {border, gender}
    assert len(queries) == 0


def test_a_kept_list_survives_pickling(item_with_fields):
    item, border, gender = item_with_fields
    prefetch.keep(item, "fields_of_work", [gender, border])
    copy = pickle.loads(pickle.dumps(item))
    with CaptureQueriesContext(connection) as queries:
        assert list(copy.fields_of_work.all()) == [gender, border]
    assert len(queries) == 0

"""The links of a page read in one statement with the taxonomy kept in the process
(news/taxonomy_cache.py) are the links Django's prefetching gives, and a change to the taxonomy,
by any session, is seen by the next page. Outside a transaction (`transactional_db`): inside
one, pages prefetch as Django does."""

import datetime

import pytest
from django.db import connection
from django.db.models import prefetch_related_objects
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from countries.models import Country
from news import taxonomy_cache
from news.models import FieldOfWork, IssuingBody, NewsItem
from structures.models import FormerName, Structure

from .test_listing_index import other_session

ARTICLE = ("issued_by", "field", "country", "tag")


@pytest.fixture
def items(transactional_db, reference_data):
    fields = list(FieldOfWork.objects.order_by("pk")[:4])
    countries = list(Country.objects.order_by("pk")[:4])
    bodies = list(Structure.objects.order_by("pk")[:3])
    made = []
    for number in range(6):
        item = NewsItem.objects.create(
            title=f"Item {number}", slug=f"cache-item-{number}", lead="Lead.", body="<p>B.</p>",
            status=NewsItem.Status.PUBLISHED,
            published_at=timezone.now() - datetime.timedelta(days=number),
        )  # fmt: skip
        item.fields_of_work.set(fields[number % 3 : number % 3 + 2])
        item.countries.set(countries[: number % 4])
        for position, body in enumerate(reversed(bodies[: 1 + number % 3])):
            IssuingBody.objects.create(news_item=item, structure=body, position=position)
        item.tags.add(*[f"tag {n}" for n in range(number % 4)])
        made.append(item)
    return made


def described(item):
    return {
        "bodies": [(b.pk, b.structure.pk, b.position) for b in item.issuing_bodies.all()],
        "issuers": [(s.pk, name) for s, name in item.issuers_in_force()],
        "fields": [field.pk for field in item.fields_of_work.all()],
        "countries": [country.pk for country in item.countries.all()],
        "tags": sorted(tag.name for tag in item.tags.all()),
    }


def as_django_prefetches(ids):
    items = list(NewsItem.objects.filter(pk__in=ids).order_by("pk"))
    prefetch_related_objects(items, *taxonomy_cache.prefetch_lookups(NewsItem, ARTICLE))
    return [described(item) for item in items]


def from_one_statement(ids):
    queryset = NewsItem.objects.filter(pk__in=ids).order_by("pk").with_links(ARTICLE)
    with CaptureQueriesContext(connection) as captured:
        items = list(queryset)
        found = [described(item) for item in items]
    return found, len(captured.captured_queries)


def test_one_statement_gives_what_django_prefetches(items):
    ids = [item.pk for item in items]
    from_one_statement(ids)  # the taxonomy is read
    found, queries = from_one_statement(ids)
    assert found == as_django_prefetches(ids)
    assert queries == 1  # the items, with their links and the taxonomy's version


def test_a_slice_further_on_reads_its_links_apart(items):
    """PostgreSQL would work out the links of the rows an OFFSET skips: a slice that does not
    start at the first row reads its page's links in a statement of their own."""
    ids = [item.pk for item in items]
    from_one_statement(ids)  # the taxonomy is read
    queryset = NewsItem.objects.filter(pk__in=ids).order_by("pk").with_links(ARTICLE)
    with CaptureQueriesContext(connection) as captured:
        found = [described(item) for item in queryset[2:5]]
    assert found == as_django_prefetches(ids)[2:5]
    assert len(captured.captured_queries) == 2
    assert "OFFSET" in captured.captured_queries[0]["sql"]
    assert "jsonb_agg" not in captured.captured_queries[0]["sql"]
    assert not hasattr(queryset[0], taxonomy_cache.LINKS_COLUMN)  # taken off the item


def test_a_change_to_the_taxonomy_is_seen_by_the_next_page(items):
    ids = [item.pk for item in items]
    from_one_statement(ids)
    body = items[0].issuing_bodies.first().structure
    FormerName.objects.create(
        structure=body, name="A name of old", valid_from=datetime.date(1990, 1, 1),
        valid_until=timezone.localdate() + datetime.timedelta(days=1),
    )  # fmt: skip
    found, _queries = from_one_statement(ids)
    assert found == as_django_prefetches(ids)
    assert "A name of old" in dict(found[0]["issuers"]).values()
    with other_session() as other:
        other.execute("UPDATE news_fieldofwork SET name = name || ' (renamed)'")
    renamed = NewsItem.objects.filter(pk=ids[0]).with_links(ARTICLE).get()
    assert all(f.name.endswith("(renamed)") for f in renamed.fields_of_work.all())


def test_inside_a_transaction_pages_prefetch_as_django_does(items):
    from django.db import transaction

    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        list(NewsItem.objects.filter(pk__in=[i.pk for i in items]).with_links(ARTICLE))
    assert not any("news_taxonomyversion" in q["sql"] for q in captured.captured_queries)


def test_an_export_reads_the_links_of_each_chunk_at_once(items):
    queryset = NewsItem.objects.order_by("pk").with_links(ARTICLE)
    with CaptureQueriesContext(connection) as captured:
        found = [described(item) for item in queryset.iterator(chunk_size=4)]
    assert found == as_django_prefetches([item.pk for item in items])
    link_reads = [q for q in captured.captured_queries if "news_taxonomyversion" in q["sql"]]
    assert len(link_reads) == 2  # two chunks of at most four items


def test_a_listings_chosen_values_come_from_the_taxonomy_kept(client, items):
    """The slugs of fields, countries and bodies a listing is given are checked against the
    taxonomy the process keeps, at the version the request reads: no query of their tables;
    an unknown slug is still refused, a renamed one (by another session) is seen at once."""
    field, country = items[0].fields_of_work.first(), items[1].countries.first()
    url = f"/news/?country={country.slug}&field={field.slug}"
    client.get(url)  # the taxonomy is read
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert [value.pk for value in response.context["form"].cleaned_data["field"]] == [field.pk]
    tables = ('"news_fieldofwork"', '"countries_country"', '"structures_structure"')
    assert not any(
        query["sql"].lstrip().startswith("SELECT") and any(t in query["sql"] for t in tables)
        for query in captured.captured_queries
        if "news_newsitem" not in query["sql"]
    )
    assert client.get("/news/?field=no-such-field").status_code in (301, 302, 400)
    with other_session() as other:
        other.execute("UPDATE news_fieldofwork SET slug = 'renamed-elsewhere' WHERE id = %s",
                      [field.pk])  # fmt: skip
    assert client.get("/news/?field=renamed-elsewhere").status_code == 200

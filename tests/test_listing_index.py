"""The listing index (news/listing/index.py, news/listing/fast.py) gives exactly what the SQL
of the listing gives: the facet counts (disjunctive, public items only, in the language view),
the number of results and the order of the pages, on random archives and random filters, and
still after publish, withdraw, edit, delete, a change made by another database session and a
scheduled item going live.

These tests run outside a transaction (`transactional_db`): inside one, the listing does not
use the index (it could take in changes that are then rolled back)."""

import datetime
import itertools
import random
import time
import uuid
from array import array

import psycopg
import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyroaring import BitMap

from countries.models import Country
from languages import registry as languages
from news.listing import fast
from news.listing import index as listing_index_module
from news.listing import words as search_words
from news.listing.facets import compute_counts
from news.listing.fast import IndexedListing
from news.listing.filters import NewsFilter
from news.listing.index import listing_index
from news.models import FieldOfWork, IssuingBody, NewsItem
from structures.models import Structure

from .site_tables import copy_site_tables, put_back

WORDS = ["border", "police", "election", "media", "water", "youth", "customs", "reform"]
TAGS = ["training", "Customs", "dialogue", "youth", "cyber", "elections"]
SEED = 20261201


@pytest.fixture(scope="session")
def archive_copy():
    """The archive's tables as the first test that asked for it made them, and its choices."""
    return {}


@pytest.fixture
def archive(transactional_db, reference_data, archive_copy):
    """Some 90 items drawn at random: every status, times in the past and a few ahead, English
    items and Russian translations of some, several types, fields (a sub-topic among them),
    countries, bodies and tags. Drawn once a session; the tests after the first get its tables
    back by COPY (tests/site_tables.py)."""
    listing_index_module.forget()
    search_words.forget()
    if archive_copy:
        put_back(archive_copy["tables"])
    else:
        archive_copy["tables"], archive_copy["chosen"] = draw_archive()
    chosen = {
        name: sorted(model.objects.filter(pk__in=keys), key=lambda row: keys.index(row.pk))
        for (name, model), keys in zip(CHOSEN, archive_copy["chosen"], strict=True)
    }
    with listing_index_module.index_lock:
        search_words.word_index()  # starts reading the search words, in a thread of its own
    assert search_words.wait_until_built(timeout=30), "the search words are read"
    yield chosen
    search_words.forget()


CHOSEN = [("fields", FieldOfWork), ("countries", Country), ("bodies", Structure)]


def draw_archive():
    """The archive drawn, its tables copied, and the keys of the fields, countries and bodies
    it drew from."""
    draw = random.Random(SEED)
    parent = FieldOfWork.objects.filter(parent=None).order_by("pk").first()
    FieldOfWork.objects.create(name="Index sub-topic", slug="index-sub-topic", parent=parent)
    fields = [
        *FieldOfWork.objects.order_by("pk")[:6],
        FieldOfWork.objects.get(slug="index-sub-topic"),
    ]
    countries = list(Country.objects.order_by("pk")[:6])
    bodies = list(Structure.objects.order_by("pk")[:5])
    now = timezone.now()
    originals, translated = [], set()
    for number in range(90):
        untranslated = [item for item in originals if item.pk not in translated]
        source = draw.choice(untranslated) if untranslated and draw.random() < 0.2 else None
        if source:
            translated.add(source.pk)
        status = draw.choices(
            [NewsItem.Status.PUBLISHED, NewsItem.Status.DRAFT, NewsItem.Status.WITHDRAWN],
            weights=[8, 1, 1],
        )[0]
        published_at = now - datetime.timedelta(days=draw.randint(1, 900), seconds=number)
        if draw.random() < 0.08:
            published_at = now + datetime.timedelta(days=draw.randint(1, 30))
        words = " ".join(draw.sample(WORDS, 2))
        item = NewsItem.objects.create(
            title=f"Item {number} on {words}",
            slug=f"index-item-{number}",
            lead=f"A lead about {draw.choice(WORDS)}.",
            body=f"<p>{' '.join(draw.choices(WORDS, k=5))}</p>",
            language="ru" if source else "en",
            translation_key=source.translation_key if source else uuid.uuid4(),
            type=draw.choice(NewsItem.Type.values[:3]),
            status=status,
            published_at=None if status == NewsItem.Status.DRAFT and number % 2 else published_at,
        )
        if not source:
            originals.append(item)
        item.fields_of_work.set(draw.sample(fields, draw.randint(0, 2)))
        item.countries.set(draw.sample(countries, draw.randint(0, 2)))
        for position, body in enumerate(draw.sample(bodies, draw.randint(1, 2))):
            IssuingBody.objects.create(news_item=item, structure=body, position=position)
        item.tags.add(*draw.sample(TAGS, draw.randint(0, 3)))
    keys = [[row.pk for row in rows] for rows in (fields, countries, bodies)]
    return copy_site_tables(), keys


def filterset_for(params, content_language):
    data = QueryDict(mutable=True)
    for name, values in params.items():
        data.setlist(name, values)
    published = NewsItem.objects.published()
    return NewsFilter(data, queryset=published, content_language=content_language)


def reference(filterset):
    """What the SQL of the listing gives: the counts, and every result in order."""
    return compute_counts(filterset), list(filterset.qs.values_list("pk", flat=True))


def from_index(filterset, pages=3):
    with listing_index() as index:
        assert index is not None, "the index must serve outside a transaction on PostgreSQL"
        listing = IndexedListing(index, filterset)
        ids = []
        for page in range(pages):
            ids += listing.page_ids(page * 20, 20)
        return listing.counts(), ids, listing.count


def assert_same(params, content_language="en"):
    with languages.using(content_language or languages.DEFAULT):
        filterset = filterset_for(params, content_language)
        if not filterset.is_valid():
            return
        counts, ids, count = from_index(filterset)
        expected_counts, expected_ids = reference(filterset)
    assert counts == expected_counts, params
    assert count == len(expected_ids), params
    assert ids == expected_ids[: len(ids)], params
    assert len(ids) == min(len(expected_ids), 60), params


def queries(archive):
    fields = [field.slug for field in archive["fields"]]
    countries = [country.slug for country in archive["countries"]]
    bodies = [body.slug for body in archive["bodies"]]

    def some(values):
        return st.lists(st.sampled_from(values), max_size=2, unique=True)

    texts = st.sampled_from(
        [*WORDS, "border police", '"item 1"', "police -border", "customs or water", "nothing"]
    )
    dates = st.dates(datetime.date(2023, 1, 1), datetime.date(2027, 1, 1)).map(str)
    return st.fixed_dictionaries(
        {},
        optional={
            "field": some(fields),
            "country": some(countries),
            "issued_by": some(bodies),
            "type": some(NewsItem.Type.values[:3]),
            "language": some(["en", "ru"]),
            "tag": some([tag.lower() for tag in TAGS]),
            "q": texts.map(lambda text: [text]),
            "from": dates.map(lambda day: [day]),
            "to": dates.map(lambda day: [day]),
            "sort": st.sampled_from(["newest", "oldest", "relevance"]).map(lambda s: [s]),
        },
    )


def test_random_filters_count_and_order_as_sql_does(archive):
    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(params=queries(archive), content_language=st.sampled_from(["en", "ru", None]))
    def check(params, content_language):
        assert_same(params, content_language)

    check()


def fixed_queries(archive):
    field = archive["fields"][0].slug
    country = archive["countries"][0].slug
    return [
        {},
        {"field": [field]},
        {"field": [field], "country": [country]},
        {"type": ["news"], "language": ["ru"]},
        {"q": ["border"]},
        {"q": ["police"], "sort": ["oldest"], "field": [field]},
        {"tag": ["customs"]},
    ]


def assert_all_same(archive):
    for params in fixed_queries(archive):
        for code in ("en", "ru", None):
            assert_same(params, code)


def test_changes_by_every_door_are_taken_in(archive):
    assert_all_same(archive)  # the index is built
    items = NewsItem.objects.order_by("pk")
    draft = items.filter(status=NewsItem.Status.DRAFT).exclude(published_at=None).first()
    draft.status = NewsItem.Status.PUBLISHED
    draft.save()
    published = items.filter(status=NewsItem.Status.PUBLISHED, language="en").first()
    published.status = NewsItem.Status.WITHDRAWN
    published.save()
    edited = items.filter(status=NewsItem.Status.PUBLISHED).last()
    edited.countries.set(archive["countries"][:1])
    edited.fields_of_work.set(archive["fields"][:1])
    edited.tags.add("Brand new tag")
    edited.published_at = timezone.now() - datetime.timedelta(minutes=5)  # now the newest
    edited.save()
    items.filter(status=NewsItem.Status.PUBLISHED).first().delete()
    translation = items.filter(language="ru").first()
    translation.status = NewsItem.Status.PUBLISHED
    translation.published_at = timezone.now() - datetime.timedelta(days=1)
    translation.save()
    IssuingBody.objects.filter(news_item=edited).delete()
    IssuingBody.objects.create(news_item=edited, structure=archive["bodies"][-1])
    NewsItem.objects.filter(type="news").update(type="press_release")  # a bulk update
    assert_all_same(archive)
    assert_same({"tag": ["brand-new-tag"]})


def other_session():
    """A connection of its own, as another app server or a script would write."""
    options = connection.settings_dict
    return psycopg.connect(
        dbname=options["NAME"],
        user=options["USER"],
        host=options["HOST"] or "127.0.0.1",
        port=options["PORT"] or 5432,
        password=options["PASSWORD"] or None,
    )


def test_a_change_made_by_another_session_is_taken_in(archive):
    assert_all_same(archive)
    with other_session() as other:
        other.execute(
            "UPDATE news_newsitem SET status = 'withdrawn' "
            "WHERE id IN (SELECT id FROM news_newsitem WHERE status = 'published' "
            "ORDER BY published_at DESC LIMIT 3)"
        )
        other.execute(
            "DELETE FROM news_newsitem_countries WHERE id IN "
            "(SELECT id FROM news_newsitem_countries ORDER BY id LIMIT 5)"
        )
    assert_all_same(archive)


def test_a_transaction_that_commits_after_a_later_one_is_not_missed(archive):
    """Feed rows are numbered when written, not when committed: a reader must not skip the
    rows of a transaction still running when it last read."""
    assert_all_same(archive)
    first, second = other_session(), other_session()
    try:
        first.execute(
            "UPDATE news_newsitem SET type = 'daily_report' WHERE id = "
            "(SELECT min(id) FROM news_newsitem WHERE status = 'published')"
        )  # open: its feed row has the smaller number
        second.execute(
            "UPDATE news_newsitem SET type = 'daily_report' WHERE id = "
            "(SELECT max(id) FROM news_newsitem WHERE status = 'published')"
        )
        second.commit()
        assert_same({"type": ["daily_report"]})  # the second's change read, the first's not yet
        first.commit()
        assert_same({"type": ["daily_report"]})
    finally:
        first.close()
        second.close()


def test_a_scheduled_item_goes_live_at_its_time(archive):
    assert_all_same(archive)
    item = NewsItem.objects.filter(status=NewsItem.Status.PUBLISHED, language="en").first()
    soon = timezone.now() + datetime.timedelta(seconds=1.5)
    item.published_at = soon
    item.save()
    only = {"issued_by": [item.issuing_bodies.first().structure.slug]}
    assert_same(only)
    assert item.pk not in listed()
    time.sleep(max((soon - timezone.now()).total_seconds(), 0) + 0.1)
    assert_same(only)
    assert item.pk in listed()


def listed():
    filterset = filterset_for({}, "en")
    assert filterset.is_valid()
    with listing_index() as index:
        return IndexedListing(index, filterset).results


def test_a_truncated_table_rebuilds_the_index(archive):
    assert_all_same(archive)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE news_newsitem CASCADE")
    assert_same({})
    with listing_index() as index:
        assert index.total == 0


def test_inside_a_transaction_the_listing_counts_in_sql(archive):
    from django.db import transaction

    with transaction.atomic(), listing_index() as index:
        assert index is None


def test_the_listing_queries_do_not_grow_with_the_archive(archive, client):
    field = archive["fields"][0]
    country = archive["countries"][0]
    urls = [f"/news/?country={country.slug}&field={field.slug}", "/news/?q=border", "/ru/news/"]

    def queries():
        counts = []
        for url in urls:
            client.get(url)  # the index is current, the search words matched
            # Many changes at once are read as a rebuild: the words are read again meanwhile.
            assert search_words.wait_until_built(timeout=30)
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured.captured_queries))
        return counts

    before = queries()
    for number in range(40):
        item = NewsItem.objects.create(
            title=f"More border news {number}", slug=f"more-{number}", lead="Lead.",
            body="<p>Border.</p>", status=NewsItem.Status.PUBLISHED,
            published_at=timezone.now() - datetime.timedelta(hours=number + 1),
        )  # fmt: skip
        item.fields_of_work.add(field)
        item.countries.add(country)
        IssuingBody.objects.create(news_item=item, structure=archive["bodies"][0])
        item.tags.add(TAGS[number % len(TAGS)])
    assert queries() == before


def test_the_options_follow_a_renamed_country(archive, client):
    """The facets' options are made from the taxonomy the process keeps, at the version the
    index read: a country renamed by any session is offered under its new name at once."""
    country = archive["countries"][0]

    def labels():
        response = client.get("/news/?type=news")
        facet = next(facet for facet in response.context["facets"] if facet.name == "country")
        return {option.label for option in facet.options}

    assert country.name in labels()
    with other_session() as other:
        other.execute(
            "UPDATE countries_country SET name = 'Renamed by another session' WHERE id = %s",
            [country.pk],
        )
    assert "Renamed by another session" in labels()
    assert country.name not in labels()


def test_counts_under_the_same_other_filters_are_counted_once_per_version(archive, monkeypatch):
    """Every listing of one country counts the fields over the same items: the second listing
    of that country, whatever its field, takes them as the first counted them."""
    first, second = (field.slug for field in archive["fields"][:2])
    country = archive["countries"][0].slug
    assert_same({"country": [country], "field": [first]})
    counted = []
    count_facet = IndexedListing.count_facet

    def counting(listing, name, over):
        counted.append(name)
        return count_facet(listing, name, over)

    monkeypatch.setattr(IndexedListing, "count_facet", counting)
    assert_same({"country": [country], "field": [second]})
    assert "field" not in counted  # kept from the first listing
    assert "country" in counted  # counted under the other field


def test_counts_kept_under_other_filters_follow_a_change_of_families(archive):
    """A field made a sub-topic of another, by another session (no item changes): the kept
    counts of the fields under a country are counted again, with the new family."""
    published = NewsItem.objects.published()
    country, head, moved = next(
        (country, head, moved)
        for country in archive["countries"]
        for head, moved in itertools.permutations(archive["fields"][:6], 2)
        if head.parent_id is None and moved.parent_id is None and not moved.subtopics.exists()
        and published.filter(countries=country, fields_of_work=moved, language="en")
        .exclude(fields_of_work__in=[head, *head.subtopics.all()]).exists()
    )  # fmt: skip
    third = next(field for field in archive["fields"] if field not in (head, moved))
    chosen = {"country": [country.slug], "field": [third.slug]}
    assert_same(chosen, "en")  # the fields are counted under the country, and kept
    with other_session() as other:
        other.execute(
            "UPDATE news_fieldofwork SET parent_id = %s WHERE id = %s", [head.pk, moved.pk]
        )
    assert_same(chosen, "en")


def test_tags_tied_at_the_cut_are_taken_in_name_order(archive):
    """Only the most used tags are offered; those tied with the last are taken as SQL sorts
    their names."""
    items = list(NewsItem.objects.published().order_by("pk")[:40])
    for number, item in enumerate(items):
        item.tags.add(f"{'zyxwvutsrqponmlkjihgfedcba'[number % 26]} tied {number % 20}")
    for params in ({}, {"country": [archive["countries"][0].slug]}, {"q": ["border"]}):
        assert_same(params)
    # Renamed by another session, the last tied tags come first in the order of names.
    with other_session() as other:
        other.execute(
            "UPDATE taggit_tag SET name = 'aaa ' || name WHERE name LIKE %s", ["% tied 1_"]
        )
    for params in ({}, {"country": [archive["countries"][0].slug]}, {"q": ["border"]}):
        assert_same(params)


def test_the_tag_options_follow_a_renamed_tag(archive, client):
    """The tag options come from the tags the process keeps with the taxonomy: renamed by
    another session, a tag is offered under its new name at once."""

    def labels():
        response = client.get("/news/?type=news")
        facet = next(facet for facet in response.context["facets"] if facet.name == "tag")
        return {option.label for option in facet.options}

    assert "training" in labels()
    with other_session() as other:
        other.execute("UPDATE taggit_tag SET name = 'Vocational training' WHERE name = 'training'")
    assert "Vocational training" in labels()
    assert "training" not in labels()


@given(
    members=st.sets(st.integers(1, 3000), max_size=800),
    offset=st.integers(0, 900),
    limit=st.integers(0, 30),
    newest=st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_a_page_of_the_order_is_the_same_however_it_is_found(members, offset, limit, newest):
    """`first` walks the order, skipping whole chunks before the page, or sorts the members:
    either way the page is the members' slice in the order."""
    stamps = {item: (item * 7919) % 1000 for item in range(1, 3001)}  # ties broken by id

    def key(item):
        return stamps[item], item

    order = array("I", sorted(stamps, key=key, reverse=True))
    expected = sorted(members, key=key, reverse=newest)[offset : offset + limit]
    assert fast.first(BitMap(members), order, offset, limit, key, newest=newest) == expected
    walked = fast.walk(order, BitMap(members), offset, limit, backwards=not newest)
    assert walked == expected

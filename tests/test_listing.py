import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from countries.models import Country
from news import pagecache
from news.listing.facets import counts_of_one_facet, counts_over
from news.listing.filters import FACETS, NewsFilter
from news.models import FieldOfWork, NewsItem
from structures.models import Structure

from .factories import NewsItemFactory

SEED_TITLE = "Tajik customs officials learn from Finnish experience in OSCE-organized study visit"


@pytest.fixture
def demo_news(demo_news):
    # Never counted: a draft and a scheduled item with the same taxonomy as the seed.
    for status, days in ((NewsItem.Status.DRAFT, -3), (NewsItem.Status.PUBLISHED, 3)):
        NewsItemFactory(
            status=status,
            published_at=timezone.now() + datetime.timedelta(days=days),
            issued_by=[Structure.objects.get(slug="programme-office-in-dushanbe")],
            fields_of_work=[FieldOfWork.objects.get(slug="border-management")],
            countries=[Country.objects.get(code="TJ")],
        )


def public_items(language="en"):
    """Each public item's facets as plain sets, computed without the code under test: those in
    `language` (the English listing /news/ shows English items only), or in every language."""
    public = NewsItem.objects.published()
    if language:
        public = public.filter(language=language)
    items = []
    for item in public.prefetch_related("fields_of_work", "countries", "issued_by", "tags"):
        items.append(
            {
                "slug": item.slug,
                "field": {f.slug for f in item.fields_of_work.all()},
                "country": {c.slug for c in item.countries.all()},
                "issued_by": {s.slug for s in item.issued_by.all()},
                "type": {item.type},
                "tag": {t.slug for t in item.tags.all()},
                "language": {item.language},
            }
        )
    return items


def matches(item, filters, skip=None):
    return all(item[name] & set(values) for name, values in filters.items() if name != skip)


def get_listing(client, **params):
    response = client.get("/news/", params, follow=True)
    return response


def all_slugs(client, **params):
    slugs, page = [], 1
    while True:
        response = client.get("/news/", {**params, "page": page}, follow=True)
        if response.status_code == 404:
            return slugs
        slugs += [item.slug for item in response.context["news_items"]]
        if not response.context["page_obj"].has_next():
            return slugs
        page += 1


FILTER_CASES = [
    {},
    {"field": ["border-management"]},
    {"field": ["border-management", "elections"]},
    {"field": ["border-management"], "country": ["tajikistan"]},
    {"country": ["tajikistan", "finland"], "type": ["news"]},
    {"issued_by": ["programme-office-in-dushanbe", "secretariat"], "field": ["human-rights"]},
    {"tag": ["demo"], "type": ["press_release", "press_statement"]},
]


@pytest.mark.parametrize("filters", FILTER_CASES)
def test_or_within_a_facet_and_across_facets(client, demo_news, filters):
    expected = {item["slug"] for item in public_items() if matches(item, filters)}
    assert expected, "each case should find something"
    assert sorted(all_slugs(client, **filters)) == sorted(expected)


@pytest.mark.parametrize("filters", FILTER_CASES)
def test_facet_counts_are_what_each_option_would_give(client, demo_news, filters):
    response = get_listing(client, **filters)
    assert response.status_code == 200
    for facet in response.context["facets"]:
        # The language facet counts over every language: choosing one leaves the English view.
        items = public_items(None if facet.name == "language" else "en")
        for option in facet.options:
            others = {k: v for k, v in filters.items() if k != facet.name}
            expected = sum(
                1 for item in items if matches(item, others) and option.value in item[facet.name]
            )
            assert option.count == expected, (facet.name, option.value)
            assert option.disabled == (expected == 0 and not option.selected)


def test_unfiltered_facet_counts_leave_out_hidden_items(client, demo_news):
    # Unfiltered, the counts are taken over all link rows minus those of hidden items: drafts,
    # withdrawn and scheduled items must not be counted.
    border = FieldOfWork.objects.get(slug="border-management")
    before = facet_option(get_listing(client), "field", "border-management").count
    for status, days in ((NewsItem.Status.DRAFT, -1), (NewsItem.Status.WITHDRAWN, -1),
                         (NewsItem.Status.PUBLISHED, 1)):  # fmt: skip
        hidden = NewsItemFactory(
            status=status,
            published_at=timezone.now() + datetime.timedelta(days=days),
            fields_of_work=[border],
        )
        hidden.tags.add("demo")
    cache.clear()
    after = get_listing(client)
    assert facet_option(after, "field", "border-management").count == before
    assert facet_option(after, "tag", "demo").count == sum(
        1 for item in public_items() if "demo" in item["tag"]
    )
    NewsItemFactory(fields_of_work=[border])
    cache.clear()
    assert facet_option(get_listing(client), "field", "border-management").count == before + 1


def facet_option(response, name, value):
    facet = next(facet for facet in response.context["facets"] if facet.name == name)
    return next(option for option in facet.options if option.value == value)


def test_options_that_give_nothing_are_shown_disabled(client, demo_news):
    page = get_listing(client, country="tajikistan").content.decode()
    # The Court has issued nothing about Tajikistan, but it is still listed.
    court = "court-of-conciliation-and-arbitration"
    assert f'value="{court}" id="issued_by-{court}" disabled' in page


def test_structure_filter_finds_items_issued_under_former_names(client, demo_news):
    slugs = all_slugs(client, issued_by="programme-office-in-dushanbe")
    old = NewsItem.objects.get(slug=slugs[-1])
    assert old.published_at.year < 2017
    names = {name for _, name in old.issuers_in_force()}
    assert names & {"OSCE Office in Tajikistan", "OSCE Mission to Tajikistan"}
    seed = NewsItem.objects.get(title=SEED_TITLE)
    assert seed.slug in slugs


def test_sentence_states_the_active_filters(client, demo_news):
    response = get_listing(
        client,
        field="border-management",
        country="tajikistan",
        issued_by="programme-office-in-dushanbe",
        **{"from": "2013-01-01", "to": "2013-12-31"},
    )
    assert response.context["summary"] == (
        "1 news item about Border management in Tajikistan, "
        "issued by the OSCE Programme Office in Dushanbe, 2013"
    )
    assert 'id="result-summary"' in response.content.decode()


def test_each_active_filter_is_removable_with_one_link(client, demo_news):
    response = get_listing(client, field="border-management", country="tajikistan")
    links = {a.label: a.remove_query for a in response.context["active_filters"]}
    assert links == {
        "Border management": "country=tajikistan",
        "Tajikistan": "field=border-management",
    }
    page = response.content.decode()
    assert 'href="/news/?country=tajikistan" aria-label="Remove filter: Border management"' in page


def test_filter_urls_are_canonical(client, demo_news):
    response = client.get(
        "/news/", {"q": "", "to": "", "field": "border-management", "country": "tajikistan"}
    )
    assert response.status_code == 301
    assert response["Location"] == "/news/?country=tajikistan&field=border-management"
    assert client.get(response["Location"]).status_code == 200


def test_repeated_values_collapse_into_the_canonical_url(client, demo_news):
    response = client.get("/news/?field=border-management&field=border-management&page=1")
    assert response.status_code == 301
    assert response["Location"] == "/news/?field=border-management"


def test_pagination_keeps_the_filters(client, demo_news):
    response = client.get("/news/?tag=demo")
    assert response.context["paginator"].num_pages > 1
    page = response.content.decode()
    assert 'href="/news/?tag=demo&amp;page=2"' in page
    second = client.get("/news/?tag=demo&page=2")
    assert second.status_code == 200
    assert 'rel="prev" href="/news/?tag=demo"' in second.content.decode()


def test_listing_rows_show_title_date_bodies_and_fields(client, demo_news):
    page = get_listing(client, field="border-management", country="tajikistan").content.decode()
    assert SEED_TITLE in page
    assert "31 May 2013" in page
    assert "OSCE Office in Tajikistan" in page  # the name in force in 2013
    assert '<a href="/fields-of-work/economic-activities/">Economic activities</a>' in page


@pytest.mark.parametrize(
    "query",
    [
        "from=2013-13-45",
        "to=yesterday",
        "from=2014-01-01&to=2013-01-01",
        "q=" + "x" * 201,
        "q=a%00b",
        "page=abc",
        "page=0",
        "page=-3",
        "page=1.5",
        "&".join(f"country={c}" for c in ["finland"] * 21),
    ],
)
def test_bad_filters_are_a_400_page_with_a_message(client, demo_news, query):
    response = client.get(f"/news/?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Some filters could not be understood" in page


def test_odd_but_valid_text_gives_an_empty_result_not_an_error(client, demo_news):
    response = get_listing(client, q="'; DROP TABLE news_newsitem; -- ☃ <script>")
    assert response.status_code == 200
    assert response.context["paginator"].count == 0
    assert "<script>" not in response.content.decode().split('id="result-summary"')[1][:300]


def test_listing_query_count_does_not_grow_with_the_page(client, reference_data):
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    fields = list(FieldOfWork.objects.all()[:3])
    counts = []
    for total in (5, 20):
        NewsItem.objects.all().delete()
        for _ in range(total):
            NewsItemFactory(issued_by=[dushanbe], fields_of_work=fields)
        client.get("/news/?field=" + fields[0].slug)  # warms the menu cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/news/?field=" + fields[0].slug).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # filter validation, count, five facet aggregates, three option lists, the page and its
    # prefetches (issuing bodies, former names, fields of work)
    assert counts[1] <= 14


def test_pages_deeper_than_the_cap_are_sent_to_the_last(client, reference_data, monkeypatch):
    from news.listing import pagination

    monkeypatch.setattr(pagination, "MAX_PAGES", 2)
    for _ in range(50):
        NewsItemFactory()
    response = client.get("/news/", {"page": 2})
    assert response.status_code == 200
    assert response.context["paginator"].num_pages == 2
    assert 'rel="next"' not in response.content.decode()
    response = client.get("/news/", {"page": 3})
    assert (response.status_code, response["Location"]) == (302, "/news/?page=2")


def test_rows_show_the_thumbnail_made_at_upload(client, reference_data):
    renditions = {
        "thumbnail": {"path": "news/p-thumbnail.jpg", "webp": "news/p-thumbnail.webp",
                      "width": 320, "height": 213},
    }  # fmt: skip
    NewsItemFactory(image="news/p.jpg", image_alt="Officers", image_renditions=renditions)
    page = client.get("/news/").content.decode()
    assert '<source type="image/webp" srcset="/media/news/p-thumbnail.webp">' in page
    assert 'src="/media/news/p-thumbnail.jpg" alt="" width="320" height="213"' in page


def test_facet_counts_are_cached_per_filter_and_renewed_by_changes(
    client, demo_news, settings, django_capture_on_commit_callbacks
):
    settings.FACET_CACHE = True
    client.get("/news/?field=border-management")
    with CaptureQueriesContext(connection) as first:
        client.get("/news/?field=border-management&page=1&sort=oldest", follow=True)
    aggregates = [q for q in first.captured_queries if "COUNT(" in q["sql"]]
    assert aggregates == []  # the same filter: counts (and the total) from the cache
    connection.run_on_commit.clear()  # as after the fixtures' own commit
    with django_capture_on_commit_callbacks(execute=True):
        NewsItemFactory(fields_of_work=[FieldOfWork.objects.get(slug="border-management")])
    response = client.get("/news/?field=border-management")
    option = next(
        o for f in response.context["facets"] if f.name == "field" for o in f.options
        if o.value == "border-management"
    )  # fmt: skip
    expected = sum(1 for item in public_items() if "border-management" in item["field"])
    assert option.count == expected == response.context["paginator"].count


def test_facet_options_are_named_as_the_taxonomy_is_after_a_change(
    client, demo_news, settings, django_capture_on_commit_callbacks
):
    """A renamed country is offered under its new name from the next request on (here, in a
    transaction, the options are read for the request; tests/test_listing_index.py checks the
    options the process keeps)."""
    settings.FACET_CACHE = True
    assert "Tajikistan" in facet_labels(client.get("/news/?type=news"), "country")
    connection.run_on_commit.clear()  # as after the fixtures' own commit
    with django_capture_on_commit_callbacks(execute=True):
        country = Country.objects.get(slug="tajikistan")
        country.name = "Republic of Tajikistan"
        country.save()
    labels = facet_labels(client.get("/news/?type=press_release"), "country")
    assert "Republic of Tajikistan" in labels
    assert "Tajikistan" not in labels


def facet_labels(response, name):
    facet = next(facet for facet in response.context["facets"] if facet.name == name)
    return [option.label for option in facet.options]


def test_filter_panel_is_rendered_once_per_filter_and_sort(client, demo_news, settings):
    settings.FACET_CACHE = True
    url = "/news/?field=border-management"
    client.get(url)
    with CaptureQueriesContext(connection) as again:
        page = client.get(url).content.decode()
    option_lists = [
        q for q in again.captured_queries if 'FROM "news_fieldofwork" ORDER BY' in q["sql"]
    ]
    assert option_lists == []
    assert 'value="border-management" id="field-border-management" checked' in page
    oldest = client.get(url + "&sort=oldest").content.decode()
    assert '<option value="oldest" selected>' in oldest
    assert '<option value="oldest" selected>' not in client.get(url).content.decode()


def test_a_listing_reads_its_counts_with_the_cache_generation(
    client, demo_news, settings, monkeypatch
):
    # The facet counts are read in the same round trip as the page cache's generation, which
    # also names the filter panel (the menus read it with their own key, news/menus.py).
    settings.FACET_CACHE = True
    url = "/news/?field=border-management"
    client.get(url)
    reads = []
    original = pagecache.read_state
    monkeypatch.setattr(
        pagecache, "read_state", lambda *keys: reads.append(keys) or original(*keys)
    )
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    counts_reads = [keys for keys in reads if any(key.startswith("facets:") for key in keys)]
    assert len(counts_reads) == 1
    assert () not in reads  # no read of the generation alone
    assert not [q for q in captured.captured_queries if "COUNT(" in q["sql"]]  # from the cache


@pytest.mark.parametrize(
    "query",
    [
        "q=customs",
        "q=border+-finland&type=news",
        "country=tajikistan",
        "q=%22border+management%22&field=border-management&country=tajikistan",
    ],
)
def test_one_statement_counts_agree_with_the_per_facet_counts(demo_news, query):
    # The facets nobody has chosen are counted together over the listing (one statement); each
    # must give what its own aggregate over the same listing gives.
    filterset = NewsFilter(QueryDict(query), queryset=NewsItem.objects.published())
    assert filterset.is_valid()
    unchosen = [name for name in FACETS if not filterset.form.cleaned_data.get(name)]
    with CaptureQueriesContext(connection) as together:
        shared = counts_over(filterset.queryset_without(None), unchosen)
    assert len(together.captured_queries) == 1
    assert any(shared[name] for name in unchosen)
    for name in unchosen:
        assert shared[name] == counts_of_one_facet(filterset, name), name


# Only the tags of public items can be chosen: any other answers exactly as a made-up tag, so
# that the listing cannot confirm the tags of drafts or scheduled items.


def hidden(kind):
    """The fields of an item nobody may see yet: a draft, or an item scheduled for later."""
    if kind == "draft":
        return {"status": NewsItem.Status.DRAFT}
    return {"published_at": timezone.now() + datetime.timedelta(days=2)}


LISTING_VIEWS = ["/news/", "/news/rss/", "/news/export.csv", "/api/news/"]


def answer_to_tag(client, url, tag):
    """Status and body of `url` filtered by `tag`, with the tag's own name masked."""
    response = client.get(url, {"tag": tag})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    body = re.sub(r'nonce="[^"]*"', "", body.decode().replace(tag, "TAG"))
    return response.status_code, body


@pytest.mark.parametrize("url", LISTING_VIEWS)
@pytest.mark.parametrize("kind", ["draft", "scheduled"])
def test_a_tag_only_hidden_items_have_answers_as_a_made_up_tag(client, reference_data, url, kind):
    NewsItemFactory(**hidden(kind)).tags.add("unannounced-visit")
    status, body = answer_to_tag(client, url, "unannounced-visit")
    assert status == 301  # left out, as a tag no item has any more
    assert (status, body) == answer_to_tag(client, url, "no-such-tag-at-all")


@pytest.mark.parametrize("url", LISTING_VIEWS)
def test_a_tag_of_a_public_item_filters_every_view_of_the_listing(client, reference_data, url):
    public = NewsItemFactory(title="Public item with a shared tag")
    public.tags.add("shared-tag")
    NewsItemFactory(title="Draft item with a shared tag", **hidden("draft")).tags.add("shared-tag")
    status, body = answer_to_tag(client, url, "shared-tag")
    assert status == 200
    assert "Public item with a shared tag" in body
    assert "Draft item with a shared tag" not in body


def test_the_public_tags_are_made_only_for_a_listing_given_a_tag(client, reference_data):
    """public_tags is a subquery over the items, made per request: a listing without a tag does
    not make it; a listing with one, even among empty values, filters by it."""
    NewsItemFactory(title="Tagged for the empty value").tags.add("given-tag")
    untagged = NewsFilter(QueryDict("q=water"), queryset=NewsItem.objects.published())
    tag_field = untagged.filters["tag"].field
    assert tag_field.queryset.model is Tag and tag_field.queryset.query.is_empty()
    tagged = NewsFilter(QueryDict("tag=&tag=given-tag"), queryset=NewsItem.objects.published())
    assert not tagged.filters["tag"].field.queryset.query.is_empty()
    assert [item.title for item in tagged.qs] == ["Tagged for the empty value"]


def test_a_tag_can_be_chosen_once_its_item_is_published(client, reference_data):
    draft = NewsItemFactory(title="Agreement on water management", **hidden("draft"))
    draft.tags.add("water")
    assert client.get("/api/news/", {"tag": "water"}).status_code == 301
    draft.status = NewsItem.Status.PUBLISHED
    draft.save()
    response = client.get("/api/news/", {"tag": "water"})
    assert response.status_code == 200
    assert [item["title"] for item in response.json()["results"]] == [draft.title]


def test_a_tag_of_a_scheduled_item_can_be_chosen_from_its_time_on(
    client, reference_data, monkeypatch
):
    # What is public is decided at each request: a queryset built once would keep its moment.
    scheduled = NewsItemFactory(title="Scheduled announcement", **hidden("scheduled"))
    scheduled.tags.add("announcement")
    assert client.get("/api/news/", {"tag": "announcement"}).status_code == 301
    later = scheduled.published_at + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.get("/api/news/", {"tag": "announcement"})
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_the_tag_facet_offers_only_tags_of_public_items(client, reference_data):
    NewsItemFactory().tags.add("public-tag")
    NewsItemFactory(**hidden("draft")).tags.add("unannounced-visit")
    NewsItemFactory(**hidden("scheduled")).tags.add("embargoed-report")
    tags = {option.value for option in facet_options(get_listing(client), "tag")}
    assert tags == {"public-tag"}
    page = get_listing(client, tag="public-tag").content.decode()
    assert "unannounced-visit" not in page and "embargoed-report" not in page


def facet_options(response, name):
    return next(facet for facet in response.context["facets"] if facet.name == name).options


def test_each_filterset_has_filters_and_fields_of_its_own(reference_data):
    """The filters are copied for each filterset without django-filter's deep copy
    (news/listing/filters.py, FilterCopies): nothing one request's filters hold is another's."""
    published = NewsItem.objects.published()
    first = NewsFilter(QueryDict("q=border&field=border-management"), queryset=published)
    second = NewsFilter(QueryDict("q=visit"), queryset=published)
    assert first.is_valid() and second.is_valid()
    for name, declared in NewsFilter.base_filters.items():
        mine, theirs = first.filters[name], second.filters[name]
        assert mine is not theirs and mine is not declared
        assert mine.extra is not theirs.extra and mine.extra is not declared.extra
        assert (mine.parent, theirs.parent) == (first, second)
        assert mine.filter.f is mine  # its method is looked up on its own filterset
        assert first.form.fields[name] is not second.form.fields[name]
        assert "_field" not in declared.__dict__
    assert first.form.cleaned_data["q"] == "border" and second.form.cleaned_data["q"] == "visit"
    assert [f.slug for f in first.form.cleaned_data["field"]] == ["border-management"]
    assert second.form.cleaned_data["field"] == []

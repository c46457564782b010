"""Fields of work have sub-topics (issue 13): a filter on a field finds its sub-topics' items,
the facet counts a field over its whole family, and the filter panel, the menus, the index and
the field's page show the sub-topics under their field."""

from html.parser import HTMLParser

import pytest
from django.http import QueryDict

from countries.models import Country
from news.listing.facets import LONG_FACET, Facet, Option, counts_of_one_facet, counts_over
from news.listing.filters import NewsFilter
from news.models import FieldOfWork, NewsItem
from structures.models import Structure

from .factories import NewsItemFactory
from .pages import between, menu_of, page

# The family the tests build, written down here so that what a filter on a field covers is
# computed without the code under test.
PARENT, SUB_A, SUB_B = "parent-topic", "sub-topic-a", "sub-topic-b"
FAMILY = {PARENT: {PARENT, SUB_A, SUB_B}}
# Each item's fields and country; an item on the parent and one of its sub-topics counts once.
ITEMS = {
    "on-parent": ({PARENT}, "tajikistan"),
    "on-sub-a": ({SUB_A}, "tajikistan"),
    "on-parent-and-sub-a": ({PARENT, SUB_A}, "finland"),
    "on-sub-b": ({SUB_B}, "finland"),
    "on-both-sub-topics": ({SUB_A, SUB_B}, "tajikistan"),
    "on-border-management": ({"border-management"}, "tajikistan"),
}


@pytest.fixture
def family(reference_data):
    parent = FieldOfWork.objects.create(name="Parent topic", slug=PARENT, position=100)
    sub_a = FieldOfWork.objects.create(name="Sub-topic A", slug=SUB_A, parent=parent, position=101)
    sub_b = FieldOfWork.objects.create(name="Sub-topic B", slug=SUB_B, parent=parent, position=102)
    return parent, sub_a, sub_b


@pytest.fixture
def family_news(family):
    NewsItem.objects.all().delete()  # only the items of this test, whatever the session loaded
    for slug, (fields, country) in ITEMS.items():
        NewsItemFactory(
            slug=slug,
            fields_of_work=FieldOfWork.objects.filter(slug__in=fields),
            countries=[Country.objects.get(slug=country)],
        )
    # Never counted: a draft on a sub-topic.
    NewsItemFactory(
        slug="draft-on-sub-a",
        status=NewsItem.Status.DRAFT,
        fields_of_work=[family[1]],
        countries=[Country.objects.get(slug="tajikistan")],
    )
    return family


def covered(field):
    return FAMILY.get(field, {field})


def expected_slugs(fields=(), countries=()):
    """The items a filter gives, from ITEMS alone: OR within a facet, AND across."""
    return {
        slug
        for slug, (item_fields, country) in ITEMS.items()
        if (not fields or any(item_fields & covered(field) for field in fields))
        and (not countries or country in countries)
    }


def listing(client, query):
    response = client.get(f"/news/?{query}")
    assert response.status_code == 200, query
    return response


def listed_slugs(response):
    return {item.slug for item in response.context["news_items"]}


def field_options(response):
    facet = next(facet for facet in response.context["facets"] if facet.name == "field")
    return {option.value: option for option in facet.options}


# --- the filter ------------------------------------------------------------------------------


def test_a_filter_on_a_field_finds_the_items_of_its_sub_topics(client, family_news):
    found = listed_slugs(listing(client, f"field={PARENT}"))
    assert found == {"on-parent", "on-sub-a", "on-parent-and-sub-a", "on-sub-b",
                     "on-both-sub-topics"}  # fmt: skip
    assert found == expected_slugs([PARENT])


def test_a_filter_on_a_sub_topic_finds_its_own_items_only(client, family_news):
    found = listed_slugs(listing(client, f"field={SUB_A}"))
    assert found == {"on-sub-a", "on-parent-and-sub-a", "on-both-sub-topics"}


def test_a_field_and_its_sub_topic_chosen_together_give_the_whole_family(client, family_news):
    response = listing(client, f"field={PARENT}&field={SUB_A}")
    assert listed_slugs(response) == expected_slugs([PARENT])
    assert response.context["paginator"].count == 5


# --- the facet counts --------------------------------------------------------------------------

COUNT_CASES = [
    "",
    "country=tajikistan",
    "country=finland",
    f"field={SUB_A}",
    f"field={PARENT}&field={SUB_A}",
    f"country=tajikistan&field={SUB_B}",
    "field=border-management",
]


@pytest.mark.parametrize("query", COUNT_CASES)
def test_each_field_counts_what_choosing_it_would_give(client, family_news, query):
    response = listing(client, query)
    countries = QueryDict(query).getlist("country")
    options = field_options(response)
    for field in (PARENT, SUB_A, SUB_B, "border-management"):
        assert options[field].count == len(expected_slugs([field], countries)), field
    chosen = QueryDict(query).getlist("field")
    assert response.context["paginator"].count == len(expected_slugs(chosen, countries))


def test_an_item_on_a_field_and_its_sub_topic_counts_once(client, family_news):
    options = field_options(listing(client, ""))
    # on-parent, on-sub-a, on-parent-and-sub-a (once), on-sub-b, on-both-sub-topics (once)
    assert options[PARENT].count == 5
    assert options[SUB_A].count == 3
    assert options[SUB_B].count == 2


def test_counts_under_a_country_roll_the_sub_topics_up(client, family_news):
    options = field_options(listing(client, "country=tajikistan"))
    assert (options[PARENT].count, options[SUB_A].count, options[SUB_B].count) == (3, 2, 1)


@pytest.mark.parametrize("query", ["country=tajikistan", "q=lead", "type=news"])
def test_one_statement_field_counts_agree_with_the_field_facets_own(family_news, query):
    filterset = NewsFilter(QueryDict(query), queryset=NewsItem.objects.published())
    assert filterset.is_valid()
    together = counts_over(filterset.queryset_without(None), ["field", "country"])
    alone = counts_of_one_facet(filterset, "field")
    assert together["field"] == alone
    assert alone[family_news[0].pk] == len(
        expected_slugs([PARENT], QueryDict(query).getlist("country"))
    )


@pytest.mark.parametrize(
    "query, bound",
    [
        ("", 14),
        (f"field={PARENT}", 14),
        (f"country=tajikistan&field={SUB_A}", 14),
    ],
)
def test_the_listing_costs_a_bounded_number_of_queries(
    client, family_news, django_assert_max_num_queries, query, bound
):
    client.get(f"/news/?{query}")  # the menus are built once, then come from the cache
    with django_assert_max_num_queries(bound):
        listing(client, query)


# --- the filter panel --------------------------------------------------------------------------


class Ancestry(HTMLParser):
    """For each element with an id, the elements it sits in: [(serial, tag, attributes), …]."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.serial, self.ancestors = [], 0, {}

    def handle_starttag(self, tag, attrs):
        self.serial += 1
        attrs = dict(attrs)
        if "id" in attrs:
            self.ancestors[attrs["id"]] = list(self.stack)
        if tag not in self.VOID:
            self.stack.append((self.serial, tag, attrs))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[1] == tag:
                break


def ancestry(html):
    parser = Ancestry()
    parser.feed(html)
    return parser.ancestors


def test_sub_topics_are_checkboxes_in_a_list_inside_their_fields_item(client, family_news):
    html = listing(client, "").content.decode()
    ancestors = ancestry(between(html, '<form method="get"', "</form>"))
    parent_item = ancestors[f"field-{PARENT}"][-1]
    assert parent_item[1] == "li"
    for sub_topic in (SUB_A, SUB_B):
        chain = ancestors[f"field-{sub_topic}"]
        assert parent_item in chain  # inside the field's own list item
        nested_list = chain[chain.index(parent_item) + 1]
        assert nested_list[1] == "ul"
        assert nested_list[2]["aria-label"] == "Sub-topics of Parent topic"
        assert chain[-1][1] == "li"
        assert [tag for _, tag, _ in chain].count("fieldset") == 1  # still in the facet's group
    assert f'<input type="checkbox" name="field" value="{SUB_A}" id="field-{SUB_A}">' in html
    # What a screen reader hears: the sub-topic's name and its count, "(3 items)".
    assert (
        f'<label for="field-{SUB_A}">Sub-topic A <span class="count"><span aria-hidden="true">'
        '3</span><span class="visually-hidden">(3 items)</span>'
    ) in html


def test_a_chosen_sub_topic_is_checked_under_its_field(client, family_news):
    html = listing(client, f"field={SUB_B}").content.decode()
    assert f'value="{SUB_B}" id="field-{SUB_B}" checked' in html
    chain = ancestry(between(html, '<form method="get"', "</form>"))[f"field-{SUB_B}"]
    assert any(attrs.get("aria-label") == "Sub-topics of Parent topic" for _, _, attrs in chain)


def test_a_long_list_keeps_sub_topics_under_their_field():
    def option(value, count, selected=False, subtopics=()):
        return Option(value, value, count, selected, subtopics=list(subtopics))

    options = [option(f"field-{n}", 0) for n in range(LONG_FACET)]
    family = option("parent", 2, subtopics=[option("empty-sub", 0), option("chosen-sub", 1, True)])
    facet = Facet("field", "Field of work", [*options, family, option("busy", 5)])
    values = [o.value for o in facet.options]
    # The family of the chosen sub-topic first, its chosen member first within it.
    assert values[:3] == ["parent", "chosen-sub", "empty-sub"]
    assert values[3] == "busy"
    assert facet.top_options[0].subtopics == [family.subtopics[0], family.subtopics[1]]
    assert facet.selected_count == 1 and facet.is_long


def test_the_listed_families_stay_whole_when_the_field_facet_is_long(client, family_news):
    response = listing(client, f"field={SUB_B}")
    facet = next(facet for facet in response.context["facets"] if facet.name == "field")
    assert facet.is_long
    values = [option.value for option in facet.options]
    # The family of the chosen sub-topic comes first, the chosen one first within it.
    assert values[:3] == [PARENT, SUB_B, SUB_A]


# --- menus, index and the field's page ----------------------------------------------------------


def test_the_menu_shows_sub_topics_under_their_field(client, family_news):
    menu = menu_of(page(client, "/"))
    item = between(menu, f'<li><a href="/fields-of-work/{PARENT}/">Parent topic</a>', "</ul>")
    assert 'aria-label="Sub-topics of Parent topic"' in item
    assert f'<li><a href="/fields-of-work/{SUB_A}/">Sub-topic A</a></li>' in item
    assert f'<li><a href="/fields-of-work/{SUB_B}/">Sub-topic B</a></li>' in item
    assert menu.count(f'href="/fields-of-work/{SUB_A}/"') == 1  # not at the top level too


def test_the_index_lists_sub_topics_under_their_field(client, family_news):
    html = between(page(client, "/fields-of-work/"), "<main", "</main>")
    card = between(html, f'<a href="/fields-of-work/{PARENT}/">Parent topic</a>', "</ul>")
    assert f'<a href="/fields-of-work/{SUB_A}/">Sub-topic A</a>' in card
    assert html.index(f"/fields-of-work/{SUB_A}/") < html.index(f"/fields-of-work/{SUB_B}/")
    assert html.count(f'href="/fields-of-work/{SUB_A}/"') == 1


def test_entries_that_need_review_stay_out_of_menus_and_indexes(client, family_news):
    FieldOfWork.objects.filter(slug=SUB_B).update(needs_review=True)
    Structure.objects.create(
        name="Imported body", issuing_label="OSCE Imported body", slug="imported-body",
        kind=Structure.Kind.OTHER_BODY, needs_review=True,
    )  # fmt: skip
    Structure.objects.create(
        name="Imported field office", issuing_label="OSCE Imported field office",
        slug="imported-field-office", kind=Structure.Kind.FIELD_OPERATION, needs_review=True,
    )  # fmt: skip
    home = page(client, "/")
    for html in (menu_of(home), page(client, "/fields-of-work/"), page(client, "/structures/")):
        assert f"/fields-of-work/{SUB_B}/" not in html
        assert "/structures/imported-body/" not in html
        assert "/structures/imported-field-office/" not in html
    assert f"/fields-of-work/{SUB_A}/" in menu_of(home)
    # Their pages still work.
    for url in (f"/fields-of-work/{SUB_B}/", "/structures/imported-body/"):
        page(client, url)


def test_the_new_structure_groups_show_in_the_menu_and_the_index(client, reference_data):
    chair = Structure.objects.get(slug="chairpersonship")
    made = {
        kind: Structure.objects.create(
            name=f"Test {kind}", issuing_label=f"OSCE Test {kind}", slug=f"test-{kind}",
            kind=kind, parent=chair if kind == Structure.Kind.CHAIRPERSONSHIP_BODY else None,
        )
        for kind in (Structure.Kind.CHAIRPERSONSHIP_BODY, Structure.Kind.DECISION_MAKING_BODY,
                     Structure.Kind.PARTNERSHIP, Structure.Kind.OTHER_BODY)
    }  # fmt: skip
    menu = menu_of(page(client, "/"))
    chair_group = between(
        menu, '<a href="/structures/chairpersonship/">Chairpersonship</a>', "</div>"
    )
    assert '<a href="/structures/test-chairpersonship-body/">' in chair_group
    for anchor, heading, kind in (
        ("decision-making-bodies", "Decision-making bodies", Structure.Kind.DECISION_MAKING_BODY),
        ("partnerships", "Partnerships", Structure.Kind.PARTNERSHIP),
        ("other-bodies", "Other bodies", Structure.Kind.OTHER_BODY),
    ):
        group = between(menu, f'<a href="/structures/#{anchor}">{heading}</a>', "</div>")
        assert f'<a href="{made[kind].get_absolute_url()}">Test {kind}</a>' in group
    index = page(client, "/structures/")
    for anchor in ("chairpersonship", "decision-making-bodies", "partnerships", "other-bodies"):
        section = between(index, f'<h2 id="{anchor}">', "</section>")
        assert "/structures/test-" in section, anchor


def test_a_fields_page_lists_its_sub_topics_and_shows_their_news(client, family_news):
    html = page(client, f"/fields-of-work/{PARENT}/")
    sub_topics = between(html, '<h2 id="subtopics-heading">Sub-topics</h2>', "</section>")
    assert f'<a href="/fields-of-work/{SUB_A}/">Sub-topic A</a>' in sub_topics
    assert f'<a href="/fields-of-work/{SUB_B}/">Sub-topic B</a>' in sub_topics
    latest = between(html, 'id="latest-news"', "</section>")
    for slug in expected_slugs([PARENT]):
        assert f"/news/{slug}/" in latest
    assert "/news/on-border-management/" not in latest
    assert "Sub-topic of" not in html


def test_a_sub_topics_page_links_its_field(client, family_news):
    html = page(client, f"/fields-of-work/{SUB_A}/")
    assert f'Sub-topic of <a href="/fields-of-work/{PARENT}/">Parent topic</a>' in html
    assert 'id="subtopics-heading"' not in html
    latest = between(html, 'id="latest-news"', "</section>")
    assert "/news/on-parent/" not in latest and "/news/on-sub-a/" in latest


@pytest.mark.parametrize("slug", [PARENT, SUB_A])
def test_a_fields_page_offers_its_feeds(client, family_news, slug):
    html = page(client, f"/fields-of-work/{slug}/")
    head = between(html, "<head>", "</head>")
    for kind in ("rss", "atom"):
        assert (
            f'<link rel="alternate" type="application/{kind}+xml" href="/news/{kind}/?field={slug}"'
        ) in head
    panel = between(html, 'class="follow-panel"', "</section>")
    for kind in ("rss", "atom"):
        assert f'href="/news/{kind}/?field={slug}" type="application/{kind}+xml"' in panel
    feed = client.get(f"/news/rss/?field={slug}")
    assert feed.status_code == 200
    body = feed.content.decode()
    for item in expected_slugs([slug]):
        assert f"/news/{item}/" in body
    assert "/news/on-border-management/" not in body


def test_every_field_and_sub_topic_page_and_feed_answers(client, reference_data):
    for field in FieldOfWork.objects.all():
        assert client.get(field.get_absolute_url()).status_code == 200, field.slug
        assert client.get(f"/news/rss/?field={field.slug}").status_code == 200, field.slug
    assert FieldOfWork.objects.filter(parent__isnull=False).exists()  # the bundled sub-topics

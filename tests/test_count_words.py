"""How the filter panel's counts read to a screen reader, and what the panel shows around them."""

import pytest
from django.utils import translation

from news.listing.facets import Facet, Option
from news.templatetags.news_tags import count_words, facet_options


@pytest.mark.parametrize(
    ("count", "words"), [(0, "(0 items)"), (1, "(1 item)"), (2, "(2 items)"), (12, "(12 items)")]
)
def test_an_options_count_reads_as_items(count, words):
    with translation.override("en"):
        assert count_words(count) == words


@pytest.mark.parametrize(("count", "words"), [(1, "(1 event)"), (3, "(3 events)")])
def test_a_meetings_count_reads_as_events(count, words):
    with translation.override("en"):
        assert count_words(count, counting_events=True) == words


def test_counts_follow_the_plural_rules_of_the_page_language():
    with translation.override("ru"):
        one, few, many = count_words(1), count_words(3), count_words(5)
    assert len({one, few, many}) == 3, (one, few, many)


def long_facet(counts, selected=()):
    options = [
        Option(f"c{n}", f"Country {n}", count, f"c{n}" in selected)
        for n, count in enumerate(counts)
    ]
    return Facet("country", "Country", options)


def test_the_number_is_shown_and_its_words_are_read():
    with translation.override("en"):
        html = facet_options([long_facet([1] + [0] * 20)])
    assert (
        '<span class="count"><span aria-hidden="true">1</span>'
        '<span class="visually-hidden">(1 item)</span></span>'
    ) in html


def test_a_long_list_keeps_options_without_results_behind_show_all():
    with translation.override("en"):
        html = facet_options([long_facet([3, 0, 2] + [0] * 17, selected={"c1"})])
    shown, waiting = html.split('<details class="more-options">')
    # What is chosen (even at 0) and what gives results comes first; the rest waits.
    assert 'id="country-c0"' in shown and 'id="country-c2"' in shown and 'id="country-c1"' in shown
    assert "<summary>Show all (17 more without results)</summary>" in waiting
    assert 'id="country-c3"' in waiting and 'id="country-c3"' not in shown
    # The box to narrow the list waits for the script that makes it work.
    assert '<div class="find-option" hidden>' in shown


def test_a_short_list_has_no_show_all():
    facet = Facet("type", "Type", [Option("news", "News item", 0, False)])
    assert "more-options" not in facet_options([facet])


def test_a_long_list_shows_first_the_options_that_give_the_most_results():
    counts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 3, 0, 0]  # c12 ties c2, later in the list
    with translation.override("en"):
        html = facet_options([long_facet(counts, selected={"c0"})])
    shown, waiting = html.split('<details class="more-options">')
    ids = [f'id="country-c{n}"' for n in range(len(counts))]
    # What is chosen, and the ten that give the most (c2…c11: c2 wins its tie), in order.
    assert [n for n in range(len(counts)) if ids[n] in shown] == [0, *range(2, 12)]
    assert shown.index(ids[2]) < shown.index(ids[11])
    # The rest, with results or without, behind "Show all": the words say some give results.
    assert [n for n in range(len(counts)) if ids[n] in waiting] == [1, 12, 13, 14]
    assert "<summary>Show all (4 more)</summary>" in waiting

"""The search words kept in each process (news/listing/words.py) match what PostgreSQL's `@@`
matches, for every kind of query `websearch_to_tsquery` writes (words, phrases, exclusions, `or`,
stop words, quotes and backslashes in words); a tsquery is read back as PostgreSQL wrote it; the
words follow a changed item; and while they are being built (or cannot be), searches are answered
by PostgreSQL, in the same order.

Outside a transaction (`transactional_db`), as the listing index's own tests (the words are
not used inside one)."""

import datetime

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from news import search
from news.listing import index as listing_index_module
from news.listing import words as search_words
from news.models import NewsItem

from .test_listing_index import archive, archive_copy, assert_same, other_session  # noqa: F401

VOCABULARY = [
    "border", "borders", "police", "election", "media", "water", "youth", "customs", "reform",
    "item", "lead", "about", "on", "the", "of", "o'neil", "back\\slash", "Россия",
    "co-operation", "operation", "co", "state-of-the-art", "e-mail",
]  # fmt: skip
# Leads that put the hyphenated words of VOCABULARY in twelve items, and their parts without
# them: a hyphenated word is a phrase of its lexeme and its parts ('co-oper' <-> 'co' <-> 'oper').
HYPHENATED_LEADS = [
    "Border co-operation on water",
    "Co-operation by e-mail",
    "A co operation of borders",
    "State-of-the-art police co-operation",
    "The operation co-ordinated",
    "Media co-operation",
]


def websearch_texts():
    word = st.sampled_from(VOCABULARY)
    phrase = st.lists(word, min_size=2, max_size=3).map(lambda words: '"' + " ".join(words) + '"')
    term = st.one_of(word, phrase, word.map(lambda w: "-" + w), phrase.map(lambda p: "-" + p))
    return st.lists(st.one_of(term, st.just("or")), min_size=1, max_size=4).map(" ".join)


def tsquery_equal(first, second):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::tsquery = %s::tsquery", [first, second])
        return cursor.fetchone()[0]


def matched_in_sql(text):
    query = search.web_query(text)
    return set(
        NewsItem.objects.published().filter(search_document=query).values_list("pk", flat=True)
    )


@pytest.mark.django_db
@settings(max_examples=120, deadline=None, derandomize=True)
@given(text=websearch_texts(), config=st.sampled_from(["english", "russian", "simple"]))
def test_a_tsquery_is_read_back_as_postgresql_wrote_it(text, config):
    query = search.parse(config, text)
    if query.tree is None:
        assert query.text == ""
        return
    assert tsquery_equal(search.write_tsquery(query.tree), query.text), (text, query.text)


def test_a_query_with_only_stop_words_matches_nothing(archive):  # noqa: F811
    words = built()
    query = search.parse("english", "the of")
    assert query.tree is None and query.ranking_words == []
    assert not words.matches(query, everything(words))


def everything(words):
    """The public items, as `NewsItem.objects.published()` gives them."""
    with listing_index_module.listing_index() as index:
        return index.public(listing_index_module.micros_now())


def built():
    with listing_index_module.index_lock:
        words = search_words.word_index()
    assert words is not None, "the archive fixture has built the words"
    return words


def rebuild(monkeypatch, paired_word_items):
    """The words read again, with pairs kept for lexemes in `paired_word_items` items or more."""
    monkeypatch.setattr(search_words, "PAIRED_WORD_ITEMS", paired_word_items)
    search_words.forget()
    with listing_index_module.index_lock:
        search_words.word_index()
    assert search_words.wait_until_built(timeout=30)


@pytest.mark.parametrize("paired_word_items", [1, 8, 10**9], ids=["all", "common", "none"])
def test_the_words_match_as_postgresql_does(archive, monkeypatch, paired_word_items):  # noqa: F811
    """With every lexeme's pairs kept, with those of the common ones, and with none."""
    NewsItem.objects.filter(pk=NewsItem.objects.order_by("pk").first().pk).update(
        title="O'Neil on back\\slash borders", lead="Россия и вода"
    )
    for number, pk in enumerate(NewsItem.objects.order_by("-pk").values_list("pk", flat=True)[:12]):
        NewsItem.objects.filter(pk=pk).update(lead=HYPHENATED_LEADS[number % len(HYPHENATED_LEADS)])

    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(text=websearch_texts())
    def check(text):
        words = built()
        query = search.parse("english", text)
        published = everything(words)
        assert set(words.matches(query, published)) == matched_in_sql(text), (text, query.text)

    rebuild(monkeypatch, paired_word_items)
    paired, compounds = built().paired, built().compounds
    assert paired if paired_word_items < 10**9 else not paired
    assert ("co-oper" in compounds) == (paired_word_items <= 8)
    check()


def not_checked_by_postgresql(monkeypatch):
    def refuse(self, node):
        raise AssertionError(f"{search.write_tsquery(node)} was checked by PostgreSQL")

    monkeypatch.setattr(search_words.WordIndex, "checked_phrase", refuse)


def test_a_phrase_of_common_words_is_answered_from_their_pair(archive, monkeypatch):  # noqa: F811
    item = NewsItem.objects.published().order_by("pk").first()
    item.title = "Lighthouse keepers meet"
    item.save()
    rebuild(monkeypatch, 1)
    words = built()
    assert {"lighthous", "keeper"} <= words.paired
    not_checked_by_postgresql(monkeypatch)
    published = everything(words)
    assert list(words.matches(search.parse("english", '"lighthouse keepers"'), published)) == [
        item.pk
    ]
    assert not words.matches(search.parse("english", '"keepers lighthouse"'), published)


def test_a_common_hyphenated_word_is_answered_from_its_parts(archive, monkeypatch):  # noqa: F811
    items = list(NewsItem.objects.published().order_by("pk")[:4])
    leads = ["Police co-operation", "Co-operation by e-mail", "A co operation", "Operation co"]
    for item, lead in zip(items, leads, strict=True):
        NewsItem.objects.filter(pk=item.pk).update(lead=lead)
    rebuild(monkeypatch, 1)
    not_checked_by_postgresql(monkeypatch)
    words = built()
    published = everything(words)

    def found(text):
        return set(words.matches(search.parse("english", text), published))

    assert found("co-operation") == {items[0].pk, items[1].pk}
    assert found("co-operation e-mail") == {items[1].pk}
    # The parts alone, and inside the word, as PostgreSQL finds them; not in the other order.
    assert found('"co operation"') == {items[0].pk, items[1].pk, items[2].pk}
    with pytest.raises(AssertionError, match="checked by PostgreSQL"):
        found('"police co-operation"')  # a word before it: PostgreSQL checks it


def test_a_pair_follows_a_change_by_another_session(archive, monkeypatch):  # noqa: F811
    first, second = NewsItem.objects.published().order_by("pk")[:2]
    NewsItem.objects.filter(pk=first.pk).update(lead="Sea water rising")
    rebuild(monkeypatch, 1)
    not_checked_by_postgresql(monkeypatch)
    phrase = search.parse("english", '"sea water"')
    assert set(built().matches(phrase, everything(built()))) == {first.pk}
    with other_session() as session:
        session.execute("UPDATE news_newsitem SET lead = 'Sea water, again' WHERE id = %s",
                        [second.pk])  # fmt: skip
        session.execute("UPDATE news_newsitem SET lead = 'Water by the sea' WHERE id = %s",
                        [first.pk])  # fmt: skip
        session.commit()
    assert set(built().matches(phrase, everything(built()))) == {second.pk}


def test_a_lexeme_common_since_the_build_has_its_phrases_checked_by_postgresql(
    archive,  # noqa: F811
    monkeypatch,
):
    rebuild(monkeypatch, 3)
    assert "zeppelin" not in built().paired
    items = list(NewsItem.objects.published().order_by("pk")[:4])
    for item in items:
        item.title = "Zeppelin hangar opens"
        item.save()
    phrase = search.parse("english", '"zeppelin hangar"')
    words = built()
    assert "zeppelin" not in words.paired  # the common lexemes are those of the build
    assert set(words.matches(phrase, everything(words))) == {item.pk for item in items}


def test_an_edited_item_is_found_by_its_new_words_only(archive):  # noqa: F811
    item = NewsItem.objects.published().order_by("pk").first()
    item.title = "Quixotic lighthouse keepers"
    item.save()
    with listing_index_module.index_lock:
        words = search_words.word_index()
        assert list(words.matches(search.parse("english", "lighthouse"), everything(words))) == [
            item.pk
        ]
    with other_session() as session:
        session.execute("UPDATE news_newsitem SET title = 'Zebra crossings' WHERE id = %s",
                        [item.pk])  # fmt: skip
        session.commit()
    with listing_index_module.index_lock:
        words = search_words.word_index()
        assert not words.matches(search.parse("english", "lighthouse"), everything(words))
        assert item.pk in words.matches(search.parse("english", "zebra"), everything(words))


def test_a_phrase_is_checked_again_after_a_change(archive):  # noqa: F811
    item = NewsItem.objects.published().order_by("pk").first()
    phrase = search.parse("english", '"lighthouse keepers"')
    assert not built().matches(phrase, everything(built()))
    item.title = "Lighthouse keepers meet"
    item.save()
    assert list(built().matches(phrase, everything(built()))) == [item.pk]


def test_results_rank_by_title_then_lead_then_newest(archive):  # noqa: F811
    now = timezone.now()
    for slug, title, lead, hours in [
        ("body-new", "Annual", "Nothing.", 1),
        ("lead", "Annual", "On zanzibar.", 3),
        ("title-old", "Zanzibar meeting", "Nothing.", 9),
        ("title-new", "Zanzibar talks", "Nothing.", 2),
    ]:
        NewsItem.objects.create(
            slug=slug, title=title, lead=lead, body="<p>Zanzibar.</p>",
            status=NewsItem.Status.PUBLISHED, published_at=now - datetime.timedelta(hours=hours),
        )  # fmt: skip
    assert_same({"q": ["zanzibar"]}, "en")  # the index gives what SQL gives, and SQL:
    ranked = search.by_relevance(
        NewsItem.objects.filter(title__in=["Annual"])
        | NewsItem.objects.filter(slug__startswith="title-"),
        "zanzibar",
    )
    assert [item.slug for item in ranked] == ["title-new", "title-old", "lead", "body-new"]


def test_while_the_words_are_read_postgresql_answers_the_same(archive, monkeypatch):  # noqa: F811
    search_words.forget()
    monkeypatch.setattr(search_words, "start_building", lambda: None)
    with listing_index_module.index_lock:
        assert search_words.word_index() is None
    for text in ["border", "police -border", '"item 1"', "customs or water", "the"]:
        assert_same({"q": [text]}, "en")
        assert_same({"q": [text], "sort": ["oldest"]}, "ru")


@pytest.mark.parametrize("error", [DatabaseError("out of memory"), ValueError("out of memory")])
def test_a_failed_build_is_logged_and_searches_use_postgresql(archive, monkeypatch, caplog, error):  # noqa: F811
    search_words.forget()

    def fails():
        raise error

    monkeypatch.setattr(search_words, "build", fails)
    with listing_index_module.index_lock:
        assert search_words.word_index() is None
    assert not search_words.wait_until_built(timeout=30)
    assert "searches use SQL" in caplog.text and "out of memory" in caplog.text
    assert_same({"q": ["border"]}, "en")
    # Not tried again at once: a failing database is not asked for every search.
    with listing_index_module.index_lock:
        assert search_words.word_index() is None
    assert search_words._builder is None or not search_words._builder.is_alive()

import pytest
from django.http import QueryDict

from countries.models import Country
from news.listing.filters import NewsFilter, canonical_query
from news.models import FieldOfWork, NewsItem
from structures.models import FormerName, Structure

from .factories import NewsItemFactory

pytestmark = pytest.mark.usefixtures("reference_data")


def found(query, **params):
    data = QueryDict(mutable=True)
    data.update({"q": query, **params})
    filterset = NewsFilter(data, queryset=NewsItem.objects.published())
    assert filterset.is_valid(), filterset.errors
    return [item.slug for item in filterset.qs]


def test_english_stemming_finds_other_forms():
    NewsItemFactory(slug="borders", title="Securing the borders", lead="", body="")
    NewsItemFactory(slug="customs", title="Customs officers trained", lead="", body="")
    assert found("border") == ["borders"]
    assert found("customs") == ["customs"]
    assert found("trains") == ["customs"]


def test_quoted_phrase_must_appear_as_such():
    NewsItemFactory(slug="phrase", title="Human rights defenders meet", body="")
    NewsItemFactory(slug="apart", title="Rights of every human being", body="")
    assert found('"human rights"') == ["phrase"]
    assert sorted(found("human rights")) == ["apart", "phrase"]


def test_minus_excludes_a_word_and_or_widens():
    NewsItemFactory(slug="police", title="Police reform in Moldova", body="")
    NewsItemFactory(slug="police-media", title="Police and media dialogue", body="")
    NewsItemFactory(slug="media", title="Media freedom conference", body="")
    assert found("police -media") == ["police"]
    assert sorted(found("moldova or conference")) == ["media", "police"]


def test_title_match_ranks_above_body_match():
    NewsItemFactory(slug="in-body", title="Annual meeting", body="<p>On elections.</p>")
    NewsItemFactory(slug="in-lead", title="Annual report", lead="About elections.")
    NewsItemFactory(slug="in-title", title="Elections observed", lead="", body="")
    assert found("elections") == ["in-title", "in-lead", "in-body"]


def test_relevance_is_the_default_order_with_words_and_newest_without():
    filterset = NewsFilter(QueryDict("q=border"), queryset=NewsItem.objects.published())
    assert filterset.is_valid() and filterset.default_sort() == "relevance"
    assert canonical_query(filterset) == "q=border"
    newest = NewsFilter(QueryDict("q=border&sort=newest"), queryset=NewsItem.objects.published())
    assert newest.is_valid() and canonical_query(newest) == "q=border&sort=newest"


def test_issuing_body_names_including_former_names_are_searchable():
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    NewsItemFactory(slug="dushanbe", issued_by=[dushanbe], title="A seminar", body="")
    assert found('"Office in Tajikistan"') == ["dushanbe"]
    assert found("Dushanbe") == ["dushanbe"]


def test_fields_and_countries_are_searchable():
    NewsItemFactory(
        slug="tagged",
        title="A seminar",
        body="",
        fields_of_work=[FieldOfWork.objects.get(slug="gender-equality")],
        countries=[Country.objects.get(code="KG")],
    )
    assert found("gender") == ["tagged"]
    assert found("Kyrgyzstan") == ["tagged"]


def test_document_follows_changes_to_links_and_names():
    item = NewsItemFactory(slug="item", title="A seminar", body="")
    assert found("Armenia") == []
    item.countries.add(Country.objects.get(code="AM"))
    assert found("Armenia") == ["item"]
    item.countries.clear()
    assert found("Armenia") == []
    secretariat = Structure.objects.get(slug="secretariat")
    FormerName.objects.create(structure=secretariat, name="Zanzibar Bureau")
    assert found("Zanzibar") == ["item"]
    item.title = "A workshop"
    item.save()
    assert found("workshop") == ["item"] and found("seminar") == []


def test_drafts_never_come_up():
    NewsItemFactory(slug="draft", title="Elections", status=NewsItem.Status.DRAFT)
    assert found("elections") == []


def test_snippets_highlight_matches_and_escape_everything_else(client):
    NewsItemFactory(
        slug="hostile",
        title="Election day",
        lead="<script>alert(1)</script> the election",
        body="<p>Observers &amp; the election &lt;script&gt;alert(2)&lt;/script&gt;</p>",
    )
    response = client.get("/news/", {"q": "election"})
    assert response.status_code == 200
    page = response.content.decode()
    snippet = page.split('class="snippet">')[1].split("</p>")[0]
    assert "<mark>election</mark>" in snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "&amp;amp;" not in snippet and "Observers &amp; the" in snippet


def test_odd_search_input_is_harmless(client):
    NewsItemFactory(slug="x", title="Elections")
    for text in ['"', "-", "or", "&|!():*", "a & b", "'", "\\", "the", "☃", "<>"]:
        response = client.get("/news/", {"q": text}, follow=True)
        assert response.status_code == 200, text


def test_bulk_created_items_are_searchable_once_created(demo_news):
    assert (
        "tajik-customs-officials-learn-from-finnish-experience-in-osce-organized-study-visit"
        in (found("customs officials"))
    )
    assert not NewsItem.objects.filter(search_document__isnull=True).exists()

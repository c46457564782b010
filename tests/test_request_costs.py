"""What the listing and the article page spend per request, beyond their query counts: no query
compiled for a facet nobody chose, an article's related items and language versions in one
statement, and the hand-written markup of the listing the same as Django's escaping would make
it."""

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.http import QueryDict
from django.utils.html import escape

from news.listing.filters import NewsFilter
from news.models import NewsItem
from news.related import related_items, related_items_and_versions
from news.templatetags.news_tags import plain_escape

from .factories import NewsItemFactory
from .pages import field, page
from .test_languages_pages import translation


def compiled_queries(monkeypatch):
    compiled = []
    original = SQLCompiler.as_sql

    def as_sql(self, *args, **kwargs):
        compiled.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", as_sql)
    return compiled


def test_an_unfiltered_listing_is_validated_without_compiling_a_query(reference_data, monkeypatch):
    filterset = NewsFilter(QueryDict("page=3"), queryset=NewsItem.objects.published())
    compiled = compiled_queries(monkeypatch)
    assert filterset.is_valid()
    assert compiled == []
    assert filterset.form.cleaned_data["tag"] == []
    assert filterset.form.cleaned_data["field"] == []


def test_a_chosen_facet_value_is_still_checked(reference_data):
    valid = NewsFilter(QueryDict("field=border-management"), queryset=NewsItem.objects.all())
    assert valid.is_valid()
    assert [f.slug for f in valid.form.cleaned_data["field"]] == ["border-management"]
    unknown = NewsFilter(QueryDict("field=no-such-field"), queryset=NewsItem.objects.all())
    assert not unknown.is_valid()
    assert "field" in unknown.errors


def test_the_related_items_and_the_versions_come_in_one_statement(
    reference_data, django_assert_num_queries
):
    item = NewsItemFactory(slug="visit", fields_of_work=[field("border-management")])
    russian = translation(item, "ru", "visit-ru")
    other = NewsItemFactory(fields_of_work=[field("border-management")])
    item = NewsItem.objects.for_article().get(pk=item.pk)
    with django_assert_num_queries(1):
        related, versions = related_items_and_versions(item)
    assert related == related_items(item) == [other]
    assert sorted(version.pk for version in versions) == sorted([item.pk, russian.pk])


def test_an_item_without_links_still_has_its_versions(reference_data):
    item = NewsItemFactory(slug="bare")
    russian = translation(item, "ru", "bare-ru")
    related, versions = related_items_and_versions(item)
    assert related == []
    assert sorted(version.pk for version in versions) == sorted([item.pk, russian.pk])


def test_an_article_links_its_versions_and_its_related_items(client, reference_data):
    item = NewsItemFactory(slug="visit", fields_of_work=[field("border-management")])
    translation(item, "ru", "visit-ru")
    other = NewsItemFactory(fields_of_work=[field("border-management")])
    html = page(client, "/news/visit/")
    assert 'hreflang="ru" href="http://testserver/ru/news/visit-ru/"' in html
    assert other.get_absolute_url() in html


@pytest.mark.parametrize("text", ["Border & <b>management</b>", "“quoted” 'text'", 42, ""])
def test_the_listing_markup_escapes_as_django_does(text):
    assert plain_escape(text) == escape(text)


def test_a_related_items_line_is_escaped_as_the_template_escaped_it(client, reference_data):
    topic = [field("border-management")]
    NewsItemFactory(slug="visit", fields_of_work=topic)
    NewsItemFactory(slug="other", title="Border <b>& “management”</b>", fields_of_work=topic)
    html = page(client, "/news/visit/")
    assert '<a href="/news/other/">Border &lt;b&gt;&amp; “management”&lt;/b&gt;</a>' in html

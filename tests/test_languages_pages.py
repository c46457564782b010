"""The public pages in many languages (issue 12): addresses under a language's prefix, an
article's siblings in its language switcher and hreflang alternates, the `lang` of a page and of
its fragments, taxonomy names in the page's language, and query counts that do not grow with the
number of languages."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, get_script_prefix, reverse, set_script_prefix

from languages.urls import override, reverse_in, reverse_slug, reverse_slug_in, translate_path
from news.menus import collation_key
from news.models import NewsItem
from structures.models import Structure

from .factories import NewsItemFactory
from .pages import between, country, days_ago, field, make_current_chairpersonship, page
from .test_admin import make_editor

OFFICIAL_NAMES = {
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "it": "Italiano",
    "ru": "Русский",
    "es": "Español",
}
ALTERNATE = re.compile(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">')
SWITCHER_LINK = re.compile(
    r'<a href="([^"]+)" hreflang="([^"]+)" lang="([^"]+)" translate="no"'
    r'( aria-current="true")?>([^<]+)</a>'
)


def alternates(html):
    return dict(ALTERNATE.findall(between(html, "<head>", "</head>")))


def switcher(html):
    """[(href, hreflang, lang, is current, name)] of the language switcher."""
    nav = between(html, '<nav class="wrap language-switcher"', "</nav>")
    return [
        (href, hreflang, lang, bool(current), name)
        for href, hreflang, lang, current, name in SWITCHER_LINK.findall(nav)
    ]


def html_lang(html):
    return re.search(r'<html lang="([^"]+)">', html).group(1)


def absolute(path):
    return f"http://testserver{path}"


def translation(item, language, slug, **fields):
    return NewsItemFactory(
        language=language,
        translation_key=item.translation_key,
        translated_from=item,
        slug=slug,
        fields_of_work=list(item.fields_of_work.all()),
        **fields,
    )


@pytest.fixture
def group(reference_data):
    """An English item, its public Russian and Tajik versions, and a French draft."""
    english = NewsItemFactory(slug="visit", title="Study visit")
    return {
        "en": english,
        "ru": translation(english, "ru", "visit-ru", title="Учебный визит"),
        "tg": translation(english, "tg", "visit-tg", title="Сафари омӯзишӣ"),
        "fr": translation(english, "fr", "visit-fr", status=NewsItem.Status.DRAFT),
    }


# --- addresses ----------------------------------------------------------------------------------


def test_reverse_gives_the_addresses_of_the_language_being_read():
    assert reverse("news:list") == "/news/"
    with override("ru"):
        assert reverse("home") == "/ru/"
        assert reverse("news:list") == "/ru/news/"
        assert reverse("countries:detail", kwargs={"slug": "tajikistan"}) == (
            "/ru/countries/tajikistan/"
        )
        # The addresses every language shares have no prefix.
        assert reverse("sitemap") == "/sitemap.xml"
    assert reverse("news:list") == "/news/"


def test_reverse_in_gives_another_languages_addresses():
    assert reverse_in("ru", "news:detail", kwargs={"slug": "a"}) == "/ru/news/a/"
    assert reverse_in("en", "news:detail", kwargs={"slug": "a"}) == "/news/a/"
    with override("ru"):
        assert reverse_in("fr", "news:field_list") == "/fr/fields-of-work/"
        assert reverse_in("en", "news:field_list") == "/fields-of-work/"


@pytest.mark.parametrize(
    ("path", "code", "expected"),
    [
        ("/news/?field=x", "ru", "/ru/news/?field=x"),
        ("/ru/news/?field=x", "en", "/news/?field=x"),
        ("/ru/countries/tajikistan/", "fr", "/fr/countries/tajikistan/"),
        ("/", "ru", "/ru/"),
        ("/ru/", "en", "/"),
        ("/russia/", "en", "/russia/"),  # not a prefix: the English page "/russia/"
    ],
)
def test_translate_path_maps_a_page_to_its_version_in_another_language(path, code, expected):
    assert translate_path(path, code) == expected


def test_pages_answer_under_a_language_prefix(client, reference_data):
    for url in ("/ru/", "/ru/fields-of-work/", "/ro/countries/", "/tg/structures/secretariat/"):
        assert client.get(url).status_code == 200, url


def test_an_unknown_prefix_is_not_found(client, reference_data):
    assert client.get("/xx/news/").status_code == 404


def test_the_shared_addresses_have_no_language_prefix(client, reference_data):
    assert client.get(f"/ru/{settings.ADMIN_URL}").status_code == 404
    assert client.get("/ru/robots.txt").status_code == 404


# --- the article in its languages ---------------------------------------------------------------


def test_an_article_lists_its_public_siblings_as_hreflang_alternates(client, group):
    expected = {
        "en": absolute("/news/visit/"),
        "ru": absolute("/ru/news/visit-ru/"),
        "tg": absolute("/tg/news/visit-tg/"),
        "x-default": absolute("/news/visit/"),
    }
    # Every version gives the same set; the French draft is in none.
    for url in ("/news/visit/", "/ru/news/visit-ru/", "/tg/news/visit-tg/"):
        assert alternates(page(client, url)) == expected, url


def test_without_an_english_version_x_default_is_the_item_itself(client, reference_data):
    russian = NewsItemFactory(language="ru", slug="only-russian")
    translation(russian, "tg", "its-tajik-version")
    assert alternates(page(client, "/ru/news/only-russian/")) == {
        "ru": absolute("/ru/news/only-russian/"),
        "tg": absolute("/tg/news/its-tajik-version/"),
        "x-default": absolute("/ru/news/only-russian/"),
    }


def test_a_withdrawn_or_scheduled_sibling_is_not_linked(client, group):
    group["ru"].status = NewsItem.Status.WITHDRAWN
    group["ru"].save()
    NewsItem.objects.filter(pk=group["tg"].pk).update(published_at=days_ago(-3))
    html = page(client, "/news/visit/")
    assert set(alternates(html)) == {"en", "x-default"}
    assert "/ru/news/visit-ru/" not in html
    # Alone in its language, the item has no switcher.
    assert 'class="wrap language-switcher"' not in html


def test_a_version_in_a_language_no_longer_configured_is_not_linked(client, group):
    NewsItem.objects.filter(pk=group["tg"].pk).update(language="xx")  # as if taken out of settings
    html = page(client, "/news/visit/")
    assert [code for _path, code, *_rest in switcher(html)] == ["en", "ru"]
    assert set(alternates(html)) == {"en", "ru", "x-default"}


def test_the_switcher_names_each_sibling_in_its_own_language(client, group):
    assert switcher(page(client, "/ru/news/visit-ru/")) == [
        ("/news/visit/", "en", "en", False, "English"),
        ("/ru/news/visit-ru/", "ru", "ru", True, "Русский"),
        ("/tg/news/visit-tg/", "tg", "tg", False, "Тоҷикӣ"),
    ]


@pytest.mark.parametrize(
    ("url", "own"),
    [
        ("/ru/news/visit/", "/news/visit/"),
        ("/news/visit-ru/", "/ru/news/visit-ru/"),
        ("/fr/news/visit-tg/?utm_source=x", "/tg/news/visit-tg/"),
    ],
)
def test_an_article_under_another_languages_prefix_redirects_to_its_own(client, group, url, own):
    response = client.get(url)
    assert response.status_code == 301
    assert response["Location"] == own


def test_a_draft_is_not_found_under_any_prefix(client, group):
    assert client.get("/fr/news/visit-fr/").status_code == 404
    assert client.get("/news/visit-fr/").status_code == 404


def test_html_lang_is_the_chrome_and_content_says_its_own_language(client, group):
    russian = page(client, "/ru/news/visit-ru/")
    assert html_lang(russian) == "ru"
    assert '<h1 id="article-title">Учебный визит</h1>' in russian
    # Tajik pages show the site's words in Russian; the item's own texts say they are Tajik.
    tajik = page(client, "/tg/news/visit-tg/")
    assert html_lang(tajik) == "ru"
    assert '<h1 id="article-title" lang="tg">Сафари омӯзишӣ</h1>' in tajik
    assert '<p class="lead" lang="tg">' in tajik
    assert '<div class="body" lang="tg">' in tajik
    assert '<dl class="facts">\n      <dt>Дата публикации</dt>' in tajik  # the chrome: no lang
    assert tajik.count('"inLanguage": "tg"') == 1


def test_an_english_page_has_no_lang_on_its_english_content(client, group):
    html = page(client, "/news/visit/")
    assert html_lang(html) == "en"
    assert '<h1 id="article-title">Study visit</h1>' in html


# --- "Read more on this topic" ------------------------------------------------------------------


def test_related_items_are_in_the_pages_language_or_english(client, reference_data):
    topic = [field("border-management")]
    russian = NewsItemFactory(language="ru", slug="ru-item", fields_of_work=topic)
    original = NewsItemFactory(slug="its-original", fields_of_work=topic)
    NewsItem.objects.filter(pk=russian.pk).update(translation_key=original.translation_key)
    english = NewsItemFactory(slug="english-only", title="English only", fields_of_work=topic)
    other_russian = NewsItemFactory(language="ru", slug="other-ru", fields_of_work=topic)
    NewsItemFactory(language="fr", slug="french", fields_of_work=topic)
    english_with_russian = NewsItemFactory(slug="has-russian", fields_of_work=topic)
    translation(english_with_russian, "ru", "has-russian-ru")
    related = between(page(client, "/ru/news/ru-item/"), '<aside class="related"', "</aside>")
    links = re.findall(r'<a href="([^"]+)"', related)
    # Its own English original is no related item; of a story in both, the Russian version.
    assert sorted(links) == sorted(
        ["/news/english-only/", "/ru/news/other-ru/", "/ru/news/has-russian-ru/"]
    )
    assert links.index("/ru/news/other-ru/") < links.index("/news/english-only/")
    assert '<a href="/news/english-only/" hreflang="en" lang="en">English only</a>' in related
    assert '<span lang="en" translate="no">English</span>' in related
    assert f'<a href="{other_russian.get_absolute_url()}">' in related
    assert english.get_absolute_url() in related


# --- the official languages of every other page -------------------------------------------------


def test_a_taxonomy_page_links_its_versions_in_the_official_languages(client, reference_data):
    html = page(client, "/ru/countries/tajikistan/")
    assert switcher(html) == [
        (translate_path("/countries/tajikistan/", code), code, code, code == "ru", name)
        for code, name in OFFICIAL_NAMES.items()
    ]
    assert alternates(html) == {
        **{
            code: absolute(translate_path("/countries/tajikistan/", code))
            for code in OFFICIAL_NAMES
        },
        "x-default": absolute("/countries/tajikistan/"),
    }
    assert re.search(r'<nav class="wrap language-switcher" aria-label="[^"]+">', html)


def test_a_page_in_another_language_links_itself_too(client, reference_data):
    html = page(client, "/tg/countries/")
    assert [entry[1] for entry in switcher(html) if entry[3]] == ["tg"]
    assert set(alternates(html)) == {*OFFICIAL_NAMES, "tg", "x-default"}


def test_the_listing_switcher_keeps_the_filters(client, reference_data):
    html = page(client, "/news/?field=border-management")
    assert ("/ru/news/?field=border-management", "ru", "ru", False, "Русский") in switcher(html)
    assert alternates(html)["fr"] == absolute("/fr/news/?field=border-management")


def test_error_pages_have_no_versions_in_other_languages(client, reference_data):
    for url, status in (("/news/?from=31.12.2013", 400), ("/ru/no-such-page/", 404)):
        response = client.get(url)
        assert response.status_code == status
        html = response.content.decode()
        assert "language-switcher" not in html and 'rel="alternate" hreflang' not in html


def test_a_page_without_query_parameters_leaves_a_visitors_query_out(client, reference_data):
    html = page(client, "/fields-of-work/?utm_source=mail")
    assert "utm_source" not in between(html, '<nav class="wrap language-switcher"', "</nav>")
    assert "utm_source" not in str(alternates(html))


def test_the_home_page_lists_news_in_its_language_and_english_originals(client, group):
    NewsItemFactory(slug="english-only", title="English only")
    NewsItemFactory(language="fr", slug="french-only", title="Seulement en français")
    russian_home = page(client, "/ru/")
    assert "/ru/news/visit-ru/" in russian_home
    assert "/news/english-only/" in russian_home
    assert '"/news/visit/"' not in russian_home  # its Russian version is listed instead
    assert "/fr/news/french-only/" not in russian_home
    english_home = page(client, "/")
    assert '"/news/visit/"' in english_home
    assert "visit-ru" not in english_home


# --- taxonomy names in the page's language ------------------------------------------------------


def test_taxonomy_pages_show_names_in_the_pages_language(client, reference_data):
    tajikistan = country("tajikistan")
    russian_name = tajikistan.translations["ru"]["name"]
    assert russian_name == "Таджикистан"
    assert f"<h1>{russian_name}</h1>" in page(client, "/ru/countries/tajikistan/")
    assert "<h1>Tajikistan</h1>" in page(client, "/countries/tajikistan/")
    border = field("border-management").translations["ru"]["name"]
    assert f"<h1>{border}</h1>" in page(client, "/ru/fields-of-work/border-management/")
    assert f">{border}</a>" in page(client, "/ru/fields-of-work/")


def test_an_article_names_its_taxonomy_in_the_pages_language(client, reference_data):
    topic = field("border-management")
    item = NewsItemFactory(
        language="ru", slug="ru-item", fields_of_work=[topic], countries=[country("tajikistan")]
    )
    html = page(client, item.get_absolute_url())
    assert (
        f'<a href="/ru/fields-of-work/border-management/">{topic.translations["ru"]["name"]}'
        in html
    )
    assert '<a href="/ru/countries/tajikistan/">Таджикистан</a>' in html


def test_an_english_description_on_a_russian_page_says_it_is_english(client, reference_data):
    # Descriptions are written in English only (no translations in the reference data).
    Structure.objects.filter(slug="secretariat").update(description="Supports the Chair.")
    assert '<p class="lead" lang="en">Supports' in page(client, "/ru/structures/secretariat/")
    assert '<p class="lead">Supports' in page(client, "/structures/secretariat/")


def names_in_order(html, group_id):
    section = between(html, f'aria-labelledby="{group_id}"', "</section>")
    return re.findall(r'<a href="[^"]+">([^<]+)</a>', section)


def test_the_countries_index_sorts_by_the_names_of_the_pages_language(client, reference_data):
    chair = make_current_chairpersonship("finland")
    english = names_in_order(page(client, "/countries/"), "group-1")
    russian_html = page(client, "/ru/countries/")
    russian = names_in_order(russian_html, "group-1")
    assert russian == sorted(russian, key=str.casefold)
    assert len(russian) == len(english) > 50
    assert english[0] != russian[0]
    # The Chairpersonship keeps its mark, in its place in the Russian order.
    assert f'<li class="is-chair"><a href="/ru/countries/{chair.slug}/">' in russian_html


def test_the_countries_menu_sorts_by_the_names_of_the_pages_language(client, reference_data):
    html = page(client, "/ru/")
    menu = between(html, 'id="menu-countries-participating-state"', "</ul>")
    names = re.findall(r'<a href="[^"]+">([^<]+)</a>', menu)
    assert names == sorted(names, key=str.casefold)
    assert "Таджикистан" in names


def test_names_sort_as_an_index_of_the_language_does():
    assert sorted(["Zambie", "Estonie", "Émirats arabes unis", "Allemagne"], key=collation_key) == [
        "Allemagne",
        "Émirats arabes unis",
        "Estonie",
        "Zambie",
    ]
    assert sorted(["Казахстан", "Йемен", "Италия"], key=collation_key) == [
        "Италия",
        "Йемен",
        "Казахстан",
    ]


# --- query counts ---------------------------------------------------------------------------------


def article_queries(client, url):
    client.get(url)  # the menus of this language are built once, then come from the cache
    with CaptureQueriesContext(connection) as queries:
        page(client, url)
    return len(queries)


def test_an_article_costs_the_same_queries_with_one_or_three_siblings(client, reference_data):
    one = NewsItemFactory(slug="one", fields_of_work=[field("border-management")])
    translation(one, "ru", "one-ru")
    three = NewsItemFactory(slug="three", fields_of_work=[field("border-management")])
    for code in ("ru", "fr", "de"):
        translation(three, code, f"three-{code}")
    counts = {
        url: article_queries(client, url) for url in ("/ru/news/one-ru/", "/ru/news/three-ru/")
    }
    assert counts["/ru/news/one-ru/"] == counts["/ru/news/three-ru/"]
    # The English pages cost the same as well: the siblings are one query, whatever their number.
    assert article_queries(client, "/news/three/") == counts["/ru/news/three-ru/"]


@pytest.mark.parametrize("url", ["/countries/", "/fields-of-work/border-management/", "/"])
def test_a_page_in_russian_costs_what_it_costs_in_english(client, group, url):
    assert article_queries(client, translate_path(url, "ru")) == article_queries(client, url)


def test_the_back_office_speaks_the_language_the_editors_browser_asks_for(client):
    russian = client.get("/admin/login/", headers={"accept-language": "ru,en;q=0.5"})
    assert russian.status_code == 200
    assert '<html lang="ru"' in russian.content.decode()
    assert "Accept-Language" in russian["Vary"]
    english = client.get("/admin/login/")
    assert '<html lang="en' in english.content.decode()
    # A language the site has no catalogue for falls back to English, not to Django's own.
    tajik = client.get("/admin/login/", headers={"accept-language": "tg"})
    assert '<html lang="en' in tajik.content.decode()


@pytest.mark.parametrize("code", [code for code, _name in settings.LANGUAGES])
def test_an_editor_works_in_each_official_language(client, reference_data, code):
    """Every page of an editor's day renders in each language: a translation with a broken
    placeholder would fail here, not in front of an editor."""
    editor = make_editor(f"editor-{code}", bodies=["programme-office-in-dushanbe"])
    item = NewsItemFactory(issued_by=[Structure.objects.get(slug="programme-office-in-dushanbe")])
    client.force_login(editor)
    headers = {"accept-language": code}
    for url in [
        "/admin/",
        "/admin/news/newsitem/",
        "/admin/news/newsitem/?source_changed=yes",
        "/admin/news/newsitem/add/",
        f"/admin/news/newsitem/{item.pk}/change/",
        f"/admin/news/newsitem/{item.pk}/translate/",
        f"/admin/news/newsitem/{item.pk}/history/",
    ]:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert f'<html lang="{code}' in response.content.decode(), url


@pytest.mark.parametrize(
    ("path", "status", "lang"),
    [
        ("/ru/no-such-page/", 404, "ru"),
        ("/tg/no-such-page/", 404, "ru"),  # Tajik pages speak Russian, their errors too
        ("/ru/news/?from=2013-13-45", 400, "ru"),  # an impossible date (an unknown value: 301)
        ("/ru/news/no-such-item/", 404, "ru"),
        ("/RU/news/", 404, "en"),  # codes are lower case, as the addresses are written
        ("/en/news/", 404, "en"),  # English has one address: unprefixed
        ("/ru/api/news/", 404, "ru"),  # the API and the sitemap have one address for all
        ("/ru/sitemap.xml", 404, "ru"),
        ("/cnr/news/", 200, "en"),  # Montenegrin: a configured language, English words
    ],
)
def test_addresses_in_languages_answer_in_the_language_of_the_address(
    visitor, reference_data, path, status, lang
):
    response = visitor.get(path)
    assert response.status_code == status
    assert f'<html lang="{lang}"' in response.content.decode()


def test_a_language_code_alone_leads_to_its_home_page(visitor, reference_data):
    response = visitor.get("/ru")
    assert response.status_code == 301
    assert response["Location"] == "/ru/"
    assert visitor.get("/ru/").status_code == 200


@pytest.mark.parametrize("code", ["en", "ru", "fr", "tg"])
@pytest.mark.parametrize("slug", ["plain-slug_1", "a-slug-placeholder-of-languages-urls"])
@pytest.mark.parametrize("script_prefix", ["/", "/portal/"])
def test_an_address_made_from_the_slug_template_is_what_reverse_gives(code, slug, script_prefix):
    """reverse_slug_in makes an item's address from one reverse() a language and script prefix:
    the same address reverse() gives, under any prefix, for any slug."""
    previous = get_script_prefix()
    set_script_prefix(script_prefix)
    try:
        expected = reverse_in(code, "news:detail", kwargs={"slug": slug})
        assert reverse_slug_in(code, "news:detail", slug) == expected
        assert reverse_slug_in(code, "news:detail", slug) == expected  # from the template
        with pytest.raises(NoReverseMatch):  # as reverse() refuses it
            reverse_slug_in(code, "news:detail", "ünicode")
    finally:
        set_script_prefix(previous)


@pytest.mark.parametrize("code", ["en", "ru"])
@pytest.mark.parametrize(
    "viewname", ["news:field_detail", "countries:detail", "structures:detail", "news:event_detail"]
)
def test_a_taxonomy_address_is_reverse_in_the_language_being_read(code, viewname):
    """reverse_slug, in the URLconf answering (the language being read), gives reverse()'s
    address, the second time from the kept template too."""
    with override(code):
        expected = reverse(viewname, kwargs={"slug": "a-slug"})
        assert reverse_slug(viewname, "a-slug") == expected
        assert reverse_slug(viewname, "a-slug") == expected
    assert reverse_slug(viewname, "a-slug") == reverse(viewname, kwargs={"slug": "a-slug"})
    assert reverse_slug(viewname, None) == reverse(viewname, kwargs={"slug": None})

"""A visitor reads the site in Russian: switches a page to Russian, filters, opens a Russian item
and follows the language switcher back to the English original."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SEED_SLUG = "tajik-customs-officials-learn-from-finnish-experience-in-osce-organized-study-visit"
SEED_TITLE = "Tajik customs officials learn from Finnish experience in OSCE-organized study visit"
RUSSIAN_TITLE = "Таджикские таможенники изучили опыт Финляндии в области управления границами"


def russian(text):
    with translation.override("ru"):
        return gettext(text)


def test_visitor_reads_in_russian_and_returns_to_the_english_original(page, screenshot):
    page.goto("/news/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switcher = page.locator("nav.language-switcher")
    switcher.get_by_role("link", name="Русский", exact=True).click()

    expect(page).to_have_url(re.compile(r"/ru/news/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text(russian("News"))
    screenshot(page)

    filters = page.get_by_role("search", name=russian("Filter news"))
    country = filters.get_by_role("group", name=russian("Country"))
    # Not \b: a JavaScript regular expression sees no word boundary after a Cyrillic letter.
    country.get_by_label(re.compile(r"^Таджикистан(\s|$)")).check()
    filters.get_by_role("button", name=russian("Apply filters")).click()
    expect(page).to_have_url(re.compile(r"/ru/news/\?(.*&)?country=tajikistan(&|$)"))
    screenshot(page)

    # The Russian version stands in the list; its English original does not (it has one).
    results = page.locator("article.news-row")
    expect(results.get_by_role("link", name=RUSSIAN_TITLE, exact=True)).to_have_count(1)
    expect(results.get_by_role("link", name=SEED_TITLE, exact=True)).to_have_count(0)
    results.get_by_role("link", name=RUSSIAN_TITLE, exact=True).click()

    expect(page).to_have_url(re.compile(rf"/ru/news/{SEED_SLUG}-ru/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(RUSSIAN_TITLE)
    # The article says which language versions it has, for people and for search engines.
    alternates = page.locator("link[rel=alternate][hreflang]")
    hreflangs = sorted(alternates.evaluate_all("links => links.map(l => l.hreflang)"))
    assert hreflangs == ["en", "ru", "x-default"]
    screenshot(page)

    english = page.locator("nav.language-switcher").get_by_role("link", name="English")
    expect(english).to_have_attribute("lang", "en")
    english.click()
    expect(page).to_have_url(re.compile(rf"/news/{SEED_SLUG}/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE)
    screenshot(page)


def test_tajik_pages_show_russian_words_and_mark_tajik_content(page, screenshot):
    page.goto("/tg/news/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text(russian("News"))
    # English items stand in for missing Tajik versions, labelled and marked as English.
    first = page.locator("article.news-row").first
    expect(first.locator("h3 a")).to_have_attribute("lang", "en")
    screenshot(page)

"""What a visitor does on the public site, and what they see, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from countries.models import Country
from news.models import FieldOfWork, NewsItem

pytestmark = pytest.mark.browser

SEED_TITLE = "Tajik customs officials learn from Finnish experience in OSCE-organized study visit"
SKIP_LINK = re.compile(r"^Skip to (main )?content$")
MAX_TAB_PRESSES = 80


def assert_fits_the_screen(page):
    """Nothing sticks out sideways: the visitor never has to scroll horizontally."""
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide on a {width} px screen"


def arrive(page, screenshot):
    screenshot(page)
    assert_fits_the_screen(page)


def expected_summary():
    border_management = FieldOfWork.objects.get(slug="border-management")
    tajikistan = Country.objects.get(slug="tajikistan")
    english = NewsItem.objects.published().in_language_view("en")
    count = english.in_field(border_management).for_country(tajikistan).count()
    noun = "news item" if count == 1 else "news items"
    return count, f"{count} {noun} about Border management in Tajikistan"


@pytest.mark.parametrize("device", ["desktop", "mobile"], indirect=True)
def test_visitor_filters_the_news_and_reaches_the_office_behind_an_item(page, screenshot):
    page.goto("/")
    arrive(page, screenshot)

    open_the_menu_on_a_phone(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="News", exact=True).click()
    expect(page).to_have_url(re.compile(r"/news/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("News")
    arrive(page, screenshot)

    toggle = page.get_by_role("button", name="Filter")
    if toggle.is_visible():  # on a phone, the panel opens from the top of the results
        toggle.click()
    filters = page.get_by_role("search", name="Filter news")
    filters.get_by_role("group", name="Field of work").get_by_label("Border management").check()
    country = filters.get_by_role("group", name="Country")
    country.get_by_label(re.compile(r"^Tajikistan\b")).check()
    filters.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"[?&]field=border-management(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]country=tajikistan(&|$)"))
    count, sentence = expected_summary()
    expect(page.locator("#result-summary")).to_contain_text(sentence)
    results = page.locator("article.news-row")
    expect(results).to_have_count(count)
    arrive(page, screenshot)

    results.get_by_role("link", name=SEED_TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE)
    arrive(page, screenshot)

    # The item shows the name its issuer had in 2013 and links to the office as it is today.
    issued_by = page.locator("dt:text-is('Issued by') + dd")
    issued_by.get_by_role("link", name="OSCE Office in Tajikistan", exact=True).click()
    expect(page).to_have_url(re.compile(r"/structures/programme-office-in-dushanbe/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Programme Office in Dushanbe")
    arrive(page, screenshot)


def open_the_menu_on_a_phone(page):
    """On a phone the main menu opens from the header's "Menu" button."""
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()


def test_keyboard_user_is_offered_a_skip_link_first(page, screenshot):
    page.goto("/")
    skip_link = page.get_by_role("link", name=SKIP_LINK)
    expect(skip_link).not_to_be_in_viewport()  # the stylesheet shows it only once it has focus

    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    screenshot(page)

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#content$"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), (
        "after the skip link, Tab should move on inside the main content"
    )


FOCUSED_ELEMENT = """() => {
    const el = document.activeElement;
    const disclosure = el.tagName === "SUMMARY" ? el.parentElement : null;
    return {
        tag: el.tagName.toLowerCase(),
        text: (el.innerText || el.getAttribute("aria-label") || "").trim(),
        inMainMenu: el.closest("nav[aria-label='Main']") !== null,
        // A <details> disclosure, or a button that says whether it is expanded.
        expanded: disclosure ? String(disclosure.open) : el.getAttribute("aria-expanded"),
    };
}"""


def tab_to(page, describe_target, is_target):
    """Press Tab until the focused element is the target; fail with the way Tab went."""
    stops = []
    for _ in range(MAX_TAB_PRESSES):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_ELEMENT)
        if is_target(focused):
            return focused
        stops.append(f"{focused['tag']} {focused['text'][:40]!r}")
    pytest.fail(f"Tab never reached {describe_target}; it went: " + ", ".join(stops))


@pytest.mark.parametrize("device", ["desktop", "mobile"], indirect=True)
def test_keyboard_user_opens_the_main_menu_and_follows_it(page, screenshot):
    page.goto("/")
    menu = page.get_by_role("navigation", name="Main")
    border_management = menu.get_by_role("link", name="Border management", exact=True)
    expect(border_management).to_be_hidden()

    menu_button = page.get_by_role("button", name="Menu")
    if menu_button.is_visible():  # a phone: the menu opens from the header's "Menu" first
        tab_to(page, "the Menu button", lambda el: el["text"] == "Menu")
        page.keyboard.press("Enter")
        expect(menu_button).to_have_attribute("aria-expanded", "true")

    opener = tab_to(
        page,
        "the main menu's Fields of work",
        lambda el: el["inMainMenu"] and el["text"] == "Fields of work",
    )
    assert opener["expanded"] == "false", f"Fields of work is not a closed menu: {opener}"
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED_ELEMENT)["expanded"] == "true"
    expect(border_management).to_be_visible()
    screenshot(page)

    tab_to(
        page,
        "Border management in the open menu",
        lambda el: el["inMainMenu"] and el["tag"] == "a" and el["text"] == "Border management",
    )
    expect(border_management).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/fields-of-work/border-management/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Border management")
    screenshot(page)


def test_pages_are_styled_by_the_site_stylesheet(page, screenshot):
    with page.expect_response(re.compile(r"/static/css/site[.\w]*\.css$")) as stylesheet:
        page.goto("/")
    response = stylesheet.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/css")
    rules = page.evaluate(
        "[...document.styleSheets].reduce((n, sheet) => n + sheet.cssRules.length, 0)"
    )
    assert rules > 0
    screenshot(page)

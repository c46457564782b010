"""The listing's filters and the site's menus on a phone (375 px) and a desktop (1,280 px): what a
visitor taps, what opens, what stays in reach, and that nothing hangs below the footer."""

import re

import pytest
from playwright.sync_api import expect

from countries.models import Country
from news.models import FieldOfWork, NewsItem

pytestmark = pytest.mark.browser

FILTERED = "/news/?field=border-management&country=tajikistan"
MAX_HEADER_PX = 120
MIN_TARGET_PX = 24

# Every target of a region: its width and height, and whether a 24 px circle centred on it
# stays clear of every other target's box (WCAG 2.2, 2.5.8's spacing exception).
TARGETS = """(region) => {
    const boxes = [...region.querySelectorAll(
        "input[type=checkbox], .options label, summary, a[href], button"
    )].filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden")
      .map((el) => ({name: (el.id || el.getAttribute("for") || el.textContent).trim().slice(0, 40),
                     box: el.getBoundingClientRect()}));
    const clear = (a, b) => {
        const cx = a.left + a.width / 2, cy = a.top + a.height / 2;
        const dx = Math.max(b.left - cx, 0, cx - b.right);
        const dy = Math.max(b.top - cy, 0, cy - b.bottom);
        return Math.hypot(dx, dy) >= 12;
    };
    return boxes.map(({name, box}) => ({
        name, width: box.width, height: box.height,
        spaced: boxes.every((other) => other.box === box || clear(box, other.box)),
    }));
}"""


def expected_count(**filters):
    items = NewsItem.objects.published().in_language_view("en")
    if "field" in filters:
        items = items.in_field(FieldOfWork.objects.get(slug=filters["field"]))
    if "country" in filters:
        items = items.for_country(Country.objects.get(slug=filters["country"]))
    return items.count()


def too_small(targets):
    return [
        t
        for t in targets
        if (t["width"] < MIN_TARGET_PX or t["height"] < MIN_TARGET_PX) and not t["spaced"]
    ]


@pytest.mark.parametrize("device", ["mobile", "desktop"], indirect=True)
def test_nothing_renders_below_the_footer_of_a_filtered_listing(page, screenshot):
    page.goto(FILTERED)
    screenshot(page)
    heights = page.evaluate(
        """() => ({
            page: document.documentElement.scrollHeight,
            footer: Math.ceil(document.querySelector(".site-footer").getBoundingClientRect().bottom
                              + window.scrollY),
        })"""
    )
    assert heights["page"] <= heights["footer"], heights


@pytest.mark.parametrize("device", ["mobile", "mobile-no-script"], indirect=True)
def test_filter_button_at_the_top_opens_the_panel(page, screenshot):
    page.goto(FILTERED)
    panel = page.get_by_role("search", name="Filter news")
    expect(panel).to_be_hidden()
    toggle = page.locator(".filter-toggle")
    expect(toggle).to_have_accessible_name("Filter (2 chosen)")
    box = toggle.bounding_box()
    assert box["y"] < page.viewport_size["height"], "the Filter button is below the first screen"

    toggle.click()
    expect(panel).to_be_visible()
    expect(panel.get_by_label(re.compile(r"^Tajikistan\b"))).to_be_checked()
    screenshot(page)


@pytest.mark.parametrize("device", ["mobile", "mobile-no-script"], indirect=True)
def test_two_filters_are_applied_with_one_tap_on_apply(page, screenshot):
    page.goto("/news/")
    toggle = page.locator(".filter-toggle")
    expect(toggle).to_have_accessible_name("Filter")
    toggle.click()
    panel = page.get_by_role("search", name="Filter news")
    panel.get_by_role("group", name="Field of work").get_by_label("Border management").check()
    panel.get_by_role("group", name="Country").get_by_label(re.compile(r"^Tajikistan\b")).check()
    apply = panel.get_by_role("button", name="Apply filters")
    expect(apply).to_be_in_viewport()  # sticky: in reach wherever the visitor has scrolled to
    apply.click()

    expect(page).to_have_url(re.compile(r"[?&]country=tajikistan(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]field=border-management(&|$)"))
    count = expected_count(field="border-management", country="tajikistan")
    expect(page.locator("article.news-row")).to_have_count(count)
    expect(page.locator("#result-summary")).to_be_in_viewport()
    screenshot(page)


def test_results_follow_the_ticks_without_apply(page, screenshot):
    """With a script, each tick fetches the listing and swaps its results; the address bar
    keeps the canonical address."""
    page.goto("/news/")
    panel = page.get_by_role("search", name="Filter news")
    panel.get_by_role("group", name="Country").get_by_label(re.compile(r"^Tajikistan\b")).check()
    expect(page).to_have_url(re.compile(r"/news/\?country=tajikistan$"))
    expect(page.locator("article.news-row")).to_have_count(expected_count(country="tajikistan"))
    assert page.evaluate("document.cookie") == ""
    screenshot(page)


def test_apply_stays_in_reach_on_a_desktop(page):
    page.goto("/news/")
    apply = page.get_by_role("search", name="Filter news").get_by_role("button", name="Apply")
    expect(apply).to_be_in_viewport()
    page.get_by_role("group", name="Country").get_by_role(
        "checkbox"
    ).last.scroll_into_view_if_needed()
    expect(apply).to_be_in_viewport()


@pytest.mark.parametrize("device", ["mobile", "mobile-no-script"], indirect=True)
def test_zero_options_wait_behind_show_all_and_long_lists_can_be_narrowed(page, device):
    page.goto(FILTERED)
    page.locator(".filter-toggle").click()
    country = page.get_by_role("group", name=re.compile(r"^Country"))
    hidden_zero = country.locator(".more-options input[disabled]").first
    expect(hidden_zero).to_be_hidden()
    country.locator(".more-options > summary").click()
    expect(hidden_zero).to_be_visible()
    if device.get("java_script_enabled", True):
        country.get_by_label("Find in this list").fill("tajik")
        expect(country.locator(".options > li:visible")).to_have_count(1)


@pytest.mark.parametrize("device", ["mobile"], indirect=True)
def test_phone_header_is_compact_and_its_menu_closes_on_escape_and_outside(page, screenshot):
    page.goto("/")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= MAX_HEADER_PX, f"the header is {header['height']} px tall"
    nav = page.get_by_role("navigation", name="Main")
    menu = page.get_by_role("button", name="Menu")
    expect(nav).to_be_hidden()

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    countries = nav.locator("summary", has_text="Countries")
    countries.click()
    tajikistan = nav.get_by_role("link", name="Tajikistan", exact=True)
    expect(tajikistan).to_be_visible()
    screenshot(page)
    page.keyboard.press("Escape")  # closes Countries, back on its opener
    expect(tajikistan).to_be_hidden()
    expect(countries).to_be_focused()
    page.keyboard.press("Escape")  # closes the menu, back on "Menu"
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()

    menu.click()
    countries.click()
    page.locator("main h2").first.click(force=True)  # a tap elsewhere on the page
    expect(nav).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")


@pytest.mark.parametrize("device", ["mobile-no-script"], indirect=True)
def test_phone_menu_opens_without_a_script(page):
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    page.get_by_role("link", name="Menu").click()
    expect(nav).to_be_visible()
    nav.locator("summary", has_text="Countries").click()
    nav.get_by_role("link", name="Tajikistan", exact=True).click()
    expect(page).to_have_url(re.compile(r"/countries/tajikistan/$"))


@pytest.mark.parametrize("device", ["mobile", "desktop"], indirect=True)
def test_targets_of_the_filter_panel_and_menu_are_large_enough(page):
    page.goto(FILTERED)
    if page.locator(".filter-toggle").is_visible():
        page.locator(".filter-toggle").click()
    form = page.locator("#filter-form")
    form.locator(".more-options > summary").first.click()
    small = too_small(form.evaluate(TARGETS))
    assert not small, f"targets under {MIN_TARGET_PX} px in the filter panel: {small[:5]}"
    chips = page.locator(".active-filters").evaluate(TARGETS)
    assert not too_small(chips), chips

    if page.locator(".menu-toggle").is_visible():
        page.locator(".menu-toggle").click()
    nav = page.locator("#main-nav")
    nav.locator("summary", has_text="Countries").click()
    small = too_small(nav.evaluate(TARGETS))
    assert not small, f"targets under {MIN_TARGET_PX} px in the menu: {small[:5]}"

"""The listing's numbered pages as a visitor uses them (issue 19): each page link a target of at
least 24 by 24 px (WCAG 2.2, 2.5.8) on a phone and a desktop, and an old link's notice shown."""

import pytest

from .axe_checks import blocking, describe, violations_on

pytestmark = pytest.mark.browser

TARGETS = ".pagination-pages > li > a"


@pytest.mark.parametrize("device", ["desktop", "mobile"], indirect=True)
def test_page_links_are_big_enough_to_tap(page, screenshot, device):
    page.goto("/news/?page=2")
    screenshot(page)
    assert page.title().startswith("News – Page 2 of ")
    sizes = page.eval_on_selector_all(
        TARGETS,
        "links => links.map(link => { const box = link.getBoundingClientRect();"
        " return [link.textContent.trim(), box.width, box.height]; })",
    )
    assert [text for text, _w, _h in sizes][:3] == ["« First", "‹ Previous", "Page 1"]
    assert all(width >= 24 and height >= 24 for _text, width, height in sizes), sizes
    page.locator(TARGETS, has_text="Next ›").click()
    assert page.url.endswith("/news/?page=3")


@pytest.mark.parametrize("device", ["desktop", "mobile"], indirect=True)
def test_an_old_link_lands_on_its_notice(page, screenshot, device):
    page.goto("/news/?country=atlantis&field=border-management")
    screenshot(page)
    assert "notice=" in page.url and "atlantis" not in page.url
    notice = page.locator(".filter-notices")
    said = "Country: “atlantis” is not a choice any more, so it was left out."
    assert said in notice.inner_text()
    found = blocking(violations_on(page))
    assert not found, describe(found)

"""A feed opened in Chromium, as a person who taps "RSS feed" sees it: a page that says what a
feed is, with the address to copy into a feed reader and the items as links, not raw XML."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("device", ["desktop", "mobile"], indirect=True)
def test_a_feed_opened_in_the_browser_reads_as_a_page(page, screenshot, live_site):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto("/fields-of-work/border-management/")
    page.locator(".follow-panel").get_by_role("link", name="RSS feed").click()
    expect(page).to_have_url(f"{live_site}/news/rss/?field=border-management")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "OSCE Portal news: news items about Border management"
    )
    address = page.get_by_label("Feed address")
    expect(address).to_have_value(f"{live_site}/news/rss/?field=border-management")
    expect(page.locator(".feed-items a").first).to_be_visible()
    first = page.locator(".feed-items a").first.get_attribute("href")
    assert first.startswith("/news/")
    # The site's own page, styled as the site: no XML tree, no raw markup.
    assert "<rss" not in page.locator("body").inner_text()
    expect(page.locator("header.site-header")).to_be_visible()
    screenshot(page)
    assert not errors, errors  # nothing refused by the Content-Security-Policy either


def test_a_feed_reader_at_the_same_address_gets_the_feed(page, live_site):
    response = page.request.get(
        "/news/rss/?field=border-management", headers={"Accept": "application/rss+xml"}
    )
    assert response.headers["content-type"].startswith("application/rss+xml")
    assert response.text().startswith("<?xml")

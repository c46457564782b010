"""Two publishers in two offices complete a joint item in a real browser (news/signing.py): the
Dushanbe publisher writes and publishes it, naming Bishkek too; Bishkek's publisher declines with
a reason; Dushanbe changes it and publishes again; Bishkek reads what changed and signs off; the
public sees it only then."""

import re

import pytest
from playwright.sync_api import expect

from news.models import NewsItem, SignOff
from news.permissions import ensure_groups

from .test_editor import (
    BISHKEK,
    DUSHANBE,
    choose_issuer,
    log_in,
    make_editor,
    press,
)

pytestmark = pytest.mark.browser

TITLE = "Tajik and Kyrgyz border services meet at Batken"
SLUG = "tajik-and-kyrgyz-border-services-meet-at-batken"
LEAD = "Border officers of both countries agreed on joint patrols."
NEW_LEAD = "Border officers of both countries agreed on joint patrols and a hotline."
REASON = "Please mention the hotline agreed on the second day."


@pytest.fixture
def publishers(live_site):
    ensure_groups()  # a live-server test's flush removes them
    return (
        make_editor("dushanbe", body="programme-office-in-dushanbe", group="Publisher"),
        make_editor("bishkek", body="programme-office-in-bishkek", group="Publisher"),
    )


def choose_second_issuer(page, words, name):
    page.locator("#issuing_bodies-group .add-row a").click()
    row = page.locator("#issuing_bodies-1")
    row.get_by_role("combobox").click()
    page.locator(".select2-container--open .select2-search__field").press_sequentially(words)
    page.locator(".select2-results__option[role='option']").get_by_text(name, exact=True).click()
    expect(row.get_by_role("combobox")).to_contain_text(name)


def sign_off_panel(page):
    return page.get_by_role("region", name="Sign-off by the issuing bodies")


def test_two_publishers_in_two_offices_complete_a_joint_item(
    page, another_person, screenshot, publishers
):
    dushanbe, bishkek = publishers
    visitor = another_person()

    # 1. Dushanbe's publisher writes the item, names both offices and publishes it.
    log_in(page, dushanbe)
    page.goto("/admin/news/newsitem/add/")
    page.get_by_label("Title").press_sequentially(TITLE)
    page.get_by_label("Lead").fill(LEAD)
    body = page.locator(".form-row.field-body .ProseMirror[contenteditable='true']")
    body.click()
    page.keyboard.type("The meeting took place in Batken.")
    choose_issuer(page, "Dushanbe", DUSHANBE)
    choose_second_issuer(page, "Bishkek", BISHKEK)
    page.get_by_role("checkbox", name="Border management").check()
    screenshot(page)
    press(page, "Publish now")
    expect(page.locator(".messagelist .warning")).to_contain_text(f"Awaiting sign-off by {BISHKEK}")
    panel = sign_off_panel(page)
    expect(panel).to_contain_text("Signed off by dushanbe")
    expect(panel).to_contain_text("Requested by dushanbe")
    screenshot(page)
    item = NewsItem.objects.get(slug=SLUG)
    assert item.status == NewsItem.Status.AWAITING

    # 2. The public sees nothing of it.
    response = visitor.goto(f"/news/{SLUG}/")
    assert response.status == 404
    visitor.goto("/news/")
    expect(visitor.get_by_text(TITLE)).to_have_count(0)

    # 3. Bishkek's publisher finds it waiting on the home page and declines, with a reason.
    other = another_person()
    log_in(other, bishkek)
    shelf = other.locator("#shelf-sign_off_mine")
    expect(shelf).to_contain_text("Awaiting my sign-off: 1")
    waiting = shelf.get_by_role("link", name="Awaiting my sign-off")
    screenshot(other)
    waiting.click()
    other.get_by_role("link", name=TITLE).click()
    other.get_by_role("link", name="Review and sign off").click()
    expect(other.get_by_role("heading", name=f"For {BISHKEK}")).to_be_visible()
    expect(other.get_by_text("has not signed or declined an earlier version")).to_be_visible()
    screenshot(other)
    other.get_by_role("button", name=f"Decline for {BISHKEK}").click()
    expect(other.get_by_role("alert")).to_contain_text("Say why you decline")
    other.get_by_label("Reason, if you decline").fill(REASON)
    other.get_by_role("button", name=f"Decline for {BISHKEK}").click()
    expect(other.locator(".messagelist .success")).to_contain_text("Declined")
    screenshot(other)
    item.refresh_from_db()
    assert item.status == NewsItem.Status.DRAFT

    # 4. Dushanbe reads the reason, changes the lead and publishes again.
    page.reload()
    expect(sign_off_panel(page)).to_contain_text(REASON)
    screenshot(page)
    page.get_by_label("Lead").fill(NEW_LEAD)
    press(page, "Publish now")
    expect(page.locator(".messagelist .warning")).to_contain_text(f"Awaiting sign-off by {BISHKEK}")
    screenshot(page)

    # 5. Bishkek sees what changed since it declined, and signs off: the item is published.
    other.goto(f"/admin/news/newsitem/{item.pk}/sign-off/")
    changes = other.locator(".sign-off-changes")
    expect(changes.locator("dt")).to_have_text(["Lead"])
    expect(changes.locator("ins")).to_contain_text(["hotline"])
    screenshot(other)
    other.get_by_role("button", name=f"Sign off for {BISHKEK}").click()
    expect(other.locator(".messagelist .success")).to_contain_text(
        "Every body has signed: it is published."
    )
    screenshot(other)
    item.refresh_from_db()
    assert item.status == NewsItem.Status.PUBLISHED
    assert {row.state for row in SignOff.objects.filter(item=item)} == {"signed"}

    # 6. The public reads it, issued by both offices.
    visitor.goto("/news/")
    visitor.get_by_role("link", name=TITLE, exact=True).click()
    expect(visitor).to_have_url(re.compile(rf"/news/{SLUG}/$"))
    issued_by = visitor.locator("dt:text-is('Issued by') + dd")
    expect(issued_by.get_by_role("link", name=DUSHANBE, exact=True)).to_be_visible()
    expect(issued_by.get_by_role("link", name=BISHKEK, exact=True)).to_be_visible()
    expect(visitor.get_by_text(NEW_LEAD)).to_be_visible()
    screenshot(visitor)

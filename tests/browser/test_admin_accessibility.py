"""axe-core finds no serious or critical accessibility problem in the back office, as a field
office's editor, a publisher and a manager see it: the desk, the news list, the add and change
forms with the rich-text editor, the photo field, the autocompletes and the "Issued by" rows
running, the sign-off page, the preview, the delete confirmation and the history. And the add form
can be filled in with the keyboard alone."""

import pytest
import reversion
from playwright.sync_api import expect

from news import publishing
from news.models import FieldOfWork, NewsItem
from news.permissions import ensure_groups
from structures.models import Structure

from ..factories import NewsItemFactory
from .axe_checks import blocking, describe, violations_on
from .test_editor import BISHKEK, DUSHANBE, LEAD, TITLE, log_in, make_editor

pytestmark = pytest.mark.browser

DUSHANBE_SLUG = "programme-office-in-dushanbe"
ROLES = {
    "editor": "Editor",  # may write for their office, not publish
    "publisher": "Publisher",
    "manager": "Manager",  # edits every body's items, and the taxonomy
}
ADMIN = "/admin/news/newsitem"
# (name, address) of each page scanned; {draft}, {published} and {joint} are the items' ids.
PAGES = [
    ("desk", "/admin/"),
    ("change-list", f"{ADMIN}/"),
    ("change-list-filtered", f"{ADMIN}/?status=scheduled"),
    ("change-list-search", f"{ADMIN}/?q=border"),
    ("add", f"{ADMIN}/add/"),
    ("change-draft", f"{ADMIN}/{{draft}}/change/"),
    ("change-published", f"{ADMIN}/{{published}}/change/"),
    ("change-joint-awaiting", f"{ADMIN}/{{joint}}/change/"),
    ("sign-off", f"{ADMIN}/{{joint}}/sign-off/"),
    ("preview", f"{ADMIN}/{{draft}}/preview/"),
    ("delete", f"{ADMIN}/{{draft}}/delete/"),
    ("history", f"{ADMIN}/{{published}}/history/"),
]
BODY_EDITOR = ".form-row.field-body .ProseMirror[contenteditable='true']"


@pytest.fixture
def items(live_site):
    """A draft and a published item of the Dushanbe office, and a joint item that Bishkek's
    publisher has sent for Dushanbe's sign-off."""
    ensure_groups()  # a live-server test's flush removes them
    dushanbe = Structure.objects.get(slug=DUSHANBE_SLUG)
    bishkek = Structure.objects.get(slug="programme-office-in-bishkek")
    border = [FieldOfWork.objects.get(slug="border-management")]
    draft = NewsItemFactory(
        title=TITLE, lead=LEAD, status=NewsItem.Status.DRAFT, issued_by=[dushanbe],
        fields_of_work=border,
    )  # fmt: skip
    published = NewsItemFactory(
        title="Border guards share their experience", issued_by=[dushanbe], fields_of_work=border
    )
    with reversion.create_revision():  # a history with one entry
        published.save()
    joint = NewsItemFactory(
        title="Joint statement on border management", status=NewsItem.Status.DRAFT,
        issued_by=[bishkek, dushanbe], fields_of_work=border,
    )  # fmt: skip
    sender = make_editor("bishkek", body="programme-office-in-bishkek", group="Publisher")
    assert publishing.publish(joint, by=sender) == []
    assert NewsItem.objects.get(pk=joint.pk).status == NewsItem.Status.AWAITING, BISHKEK
    return {"draft": draft.pk, "published": published.pk, "joint": joint.pk}


def wait_until_ready(page):
    """A form is scanned as an editor meets it: the rich-text editor and the autocompletes
    (select2) built by their scripts, the photo field and the "Issued by" rows in place. (An
    editor who may not publish reads a published item's form without fields.)"""
    if page.locator("#newsitem_form input[name='title']").count():  # not read-only
        expect(page.locator(BODY_EDITOR)).to_be_visible()
        expect(page.locator("#issuing_bodies-0").get_by_role("combobox")).to_be_visible()
        expect(page.locator(".field-countries .select2-container")).to_be_visible()
        expect(page.locator("input[type='file'][name='image']")).to_be_attached()
    page.wait_for_load_state("load")


def scan(page, screenshot, name, results):
    wait_until_ready(page)
    screenshot(page)
    results[name] = violations_on(page)


def report(role, results):
    """Each page's failing rules with their impact, then what blocks, in words."""
    lines = [f"{role} {name}: {rules(found) or 'none'}" for name, found in results.items()]
    for name, found in results.items():
        if blocking(found):
            lines += [f"--- {role} on {name}:", describe(blocking(found))]
    return "\n".join(lines)


def rules(violations):
    return ", ".join(f"{violation['id']} ({violation['impact']})" for violation in violations)


@pytest.mark.parametrize("role", ROLES)
def test_back_office_has_no_serious_accessibility_violations(page, screenshot, items, role):
    log_in(page, make_editor(role, body=DUSHANBE_SLUG, group=ROLES[role]))
    results = {}
    for name, address in PAGES:
        response = page.goto(address.format(**items))
        assert response.ok, f"{address} answered {response.status}"
        scan(page, screenshot, name, results)

    # The add form again, after a Save refused for want of a title: errors shown.
    page.goto(f"{ADMIN}/add/")
    wait_until_ready(page)
    page.get_by_label("Lead").fill(LEAD)
    page.get_by_role("button", name="Save draft", exact=True).first.click()
    expect(page.locator(".error-summary")).to_be_visible()
    scan(page, screenshot, "add-with-errors", results)

    # With the "Issued by" autocomplete open, its results listed.
    page.locator("#issuing_bodies-0").get_by_role("combobox").click()
    page.locator(".select2-container--open .select2-search__field").press_sequentially("Dushanbe")
    expect(page.locator(".select2-results__option[role='option']").first).to_contain_text("OSCE")
    scan(page, screenshot, "add-autocomplete-open", results)

    print(report(role, results))  # shown with -s, or on failure
    assert not any(blocking(found) for found in results.values()), report(role, results)


def test_add_form_can_be_filled_in_with_the_keyboard(page, screenshot, items):
    log_in(page, make_editor("publisher", body=DUSHANBE_SLUG, group="Publisher"))
    page.goto(f"{ADMIN}/add/")
    wait_until_ready(page)
    title = page.get_by_label("Title")
    title.focus()
    page.keyboard.type(TITLE)

    # Tab from the title, past the fields between, reaches the lead, "Issued by", then the
    # body's editor.
    lead = page.get_by_label("Lead")
    tab_until(page, lead)
    page.keyboard.type(LEAD)
    expect(lead).to_have_value(LEAD)

    # The "Issued by" autocomplete opens with Enter; arrow keys and Enter choose a body.
    issuer = page.locator("#issuing_bodies-0").get_by_role("combobox")
    tab_until(page, issuer)
    page.keyboard.press("Enter")
    search = page.locator(".select2-container--open .select2-search__field")
    expect(search).to_be_focused()
    page.keyboard.type("Dushanbe")
    expect(page.locator(".select2-results__option--highlighted")).to_have_text(DUSHANBE)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    expect(issuer).to_contain_text(DUSHANBE)
    expect(issuer).to_be_focused()

    body = page.locator(BODY_EDITOR)
    tab_until(page, body)
    page.keyboard.type("Typed in the body with the keyboard.")
    expect(body).to_contain_text("Typed in the body with the keyboard.")
    screenshot(page)

    # The "Save draft" button under the form is within reach of the Tab key.
    tab_until(page, page.get_by_role("button", name="Save draft", exact=True).last)
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    screenshot(page)
    assert NewsItem.objects.filter(title=TITLE).count() == 2  # the draft of `items`, and this


def tab_until(page, target, limit=80):
    """Press Tab until `target` has the focus; fails if `limit` presses do not get there."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{limit} presses of Tab did not reach {target}")

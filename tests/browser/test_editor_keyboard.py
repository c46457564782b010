"""The news form with the keyboard alone, and its live parts, in a real browser: the whole
create-preview-publish journey without a mouse, the "Issued by" rows reordered with the keyboard,
and the checklist beside the buttons saying what the server says."""

import pytest
from playwright.sync_api import expect

from news.models import FieldOfWork, NewsItem
from structures.models import Structure

from ..factories import NewsItemFactory
from .test_editor import (  # noqa: F401 (fixtures)
    BISHKEK,
    DUSHANBE,
    LEAD,
    TITLE,
    dushanbe_publisher,
    editor_groups,
    log_in,
    press,
)

pytestmark = pytest.mark.browser

FOCUSED_ID = "() => document.activeElement && document.activeElement.id"
TAB_LIMIT = 200


def tab_to(page, matches, *, backwards=False):
    """Press Tab (Shift+Tab) until the focused element `matches` (a JavaScript predicate of
    the element): what a keyboard user does. Fails if it is never reached."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(TAB_LIMIT):
        page.keyboard.press(key)
        if page.evaluate(
            f"(() => {{ const e = document.activeElement; return !!e && ({matches}); }})()"
        ):
            return
    raise AssertionError(f"{matches} is not reachable with {key}")


def button_named(name):
    return f"e.tagName === 'BUTTON' && e.textContent.trim() === {name!r}"


@pytest.fixture
def publisher(dushanbe_publisher):  # noqa: F811
    return dushanbe_publisher


def test_create_preview_and_publish_with_the_keyboard_alone(page, screenshot, publisher):
    log_in(page, publisher)
    page.goto("/admin/news/newsitem/add/")
    tab_to(page, "e.id === 'id_title'")
    page.keyboard.type(TITLE)
    tab_to(page, "e.id === 'id_lead'")
    page.keyboard.type(LEAD)
    # "Issued by" comes next, filled in with the editor's one office.
    tab_to(page, "e.closest('#issuing_bodies-group') !== null")
    expect(page.locator("#issuing_bodies-0").get_by_role("combobox")).to_contain_text(DUSHANBE)
    tab_to(page, "e.type === 'checkbox' && e.labels[0].textContent.trim() === 'Border management'")
    page.keyboard.press("Space")
    tab_to(page, "e.classList.contains('ProseMirror')")
    page.keyboard.type("Thirty officers took part.")
    screenshot(page)

    # The preview opens in a new tab from its button.
    tab_to(page, "e.classList.contains('preview-button')")
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")
    preview = opened.value
    preview.wait_for_load_state()
    expect(preview.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(preview.locator(".article .body")).to_contain_text("Thirty officers took part.")
    screenshot(preview)
    preview.close()

    # Back on the form, Shift+Tab to "Publish now" (the row under the form) and Enter.
    page.bring_to_front()
    tab_to(page, button_named("Publish now"), backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    screenshot(page)
    item = NewsItem.objects.get(title=TITLE)
    assert item.is_public
    assert "Thirty officers took part." in item.body
    assert [s.slug for s in item.issued_by.all()] == ["programme-office-in-dushanbe"]


def test_issuers_are_reordered_with_the_keyboard(page, screenshot, publisher):
    item = NewsItemFactory(
        title="Joint training",
        status="draft",
        issued_by=[Structure.objects.get(slug=slug) for slug in (
            "programme-office-in-dushanbe", "programme-office-in-bishkek")],
        fields_of_work=[FieldOfWork.objects.get(slug="border-management")],
    )  # fmt: skip
    log_in(page, publisher)
    page.goto(f"/admin/news/newsitem/{item.pk}/change/")
    rows = page.locator("#issuing_bodies-group tr.form-row:not(.empty-form)")
    expect(rows.nth(0)).to_contain_text(DUSHANBE)
    # No position numbers to type: the buttons say what they do.
    expect(page.locator("#issuing_bodies-group input[name$='-position']").first).to_be_hidden()
    tab_to(page, "e.classList.contains('order-down')")
    page.keyboard.press("Enter")
    expect(rows.nth(0)).to_contain_text(BISHKEK)
    expect(rows.nth(1)).to_contain_text(DUSHANBE)
    expect(page.locator("#issuing_bodies-group [aria-live]")).to_contain_text(
        f"{DUSHANBE} is now number 2."
    )
    focused = page.evaluate("() => document.activeElement.className")
    assert focused == "order-down", "the focus stays on the button pressed"
    screenshot(page)
    # Dragged with the mouse, the rows change places too, and back again.
    rows.nth(1).drag_to(rows.nth(0))
    expect(rows.nth(0)).to_contain_text(DUSHANBE)
    rows.nth(1).drag_to(rows.nth(0))
    expect(rows.nth(0)).to_contain_text(BISHKEK)
    tab_to(page, button_named("Save draft"))
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist .success")).to_be_visible()
    ordered = item.issuing_bodies.order_by("position").values_list("structure__slug", flat=True)
    assert list(ordered) == ["programme-office-in-bishkek", "programme-office-in-dushanbe"]


def test_the_checklist_beside_the_buttons_follows_the_form_and_agrees_with_saving(
    page, screenshot, publisher
):
    log_in(page, publisher)
    page.goto("/admin/news/newsitem/add/")
    checklist = page.locator(".live-checklist")
    expect(checklist).to_contain_text("To do before “Publish now”:")
    expect(checklist.get_by_role("link", name="Write a lead")).to_be_visible()
    page.get_by_label("Title").press_sequentially(TITLE)
    page.get_by_label("Lead").fill(LEAD)
    expect(checklist.get_by_role("link", name="Write a lead")).to_have_count(0)
    listed = sorted(checklist.locator("li").all_inner_texts())
    screenshot(page)
    # What the checklist lists is what pressing the button reports, at the top of the form.
    press(page, "Publish now")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    assert sorted(summary.locator("li").all_inner_texts()) == listed
    screenshot(page)
    # Its link leads to the field.
    summary.get_by_role("link", name="Choose at least one field of work.").click()
    assert page.evaluate("() => document.activeElement.name") == "fields_of_work"
    page.keyboard.press("Space")
    expect(checklist).to_contain_text("Nothing stops “Publish now”.")
    press(page, "Publish now")
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    assert NewsItem.objects.get(title=TITLE).is_public

"""What an editor does in the back office, and what the public then sees, in a real browser."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group, User
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from news.models import EditorProfile, NewsItem
from news.permissions import ensure_groups
from structures.models import Structure

from ..factories import NewsItemFactory

pytestmark = pytest.mark.browser

PASSWORD = "a long editor passphrase"
DUSHANBE = "OSCE Programme Office in Dushanbe"
BISHKEK = "OSCE Programme Office in Bishkek"
TITLE = "Border officers from Tajikistan trained in risk analysis"
SLUG = "border-officers-from-tajikistan-trained-in-risk-analysis"
LEAD = "Thirty officers of the Border Service learned to spot risks at crossing points."
BOLD = "thirty border officers"
LINK_TEXT = "the full report"
LINK_URL = "https://example.org/report"
ALT = "Officers study a map at the Panji Poyon crossing point"


def make_editor(username, *, body, group):
    """A staff member of one office, in one of the groups `load_reference_data` creates."""
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.set([Group.objects.get(name=group)])
    profile = EditorProfile.objects.create(user=user)
    profile.structures.set([Structure.objects.get(slug=body)])
    return user


@pytest.fixture
def editor_groups(live_site):
    """The groups `load_reference_data` makes: a live-server test's flush removes them, and the
    site's data that `live_site` loads again holds no users or groups."""
    ensure_groups()


@pytest.fixture
def dushanbe_publisher(editor_groups):
    return make_editor("dushanbe", body="programme-office-in-dushanbe", group="Publisher")


@pytest.fixture
def bishkek_editor(editor_groups):
    return make_editor("bishkek", body="programme-office-in-bishkek", group="Editor")


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads go to a folder of the test's own; the live server serves them from there."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def camera_photo(tmp_path):
    path = tmp_path / "training.jpg"
    image = Image.new("RGB", (900, 600), "#5a7d9a")
    ImageDraw.Draw(image).rectangle((300, 200, 600, 400), fill="#e0c060")
    image.save(path, "JPEG", quality=85)
    return path


def log_in(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="News and taxonomy")).to_be_visible()


def new_tab_from(page, button_name):
    with page.context.expect_page() as opened:
        page.get_by_role("button", name=button_name).click()
    tab = opened.value
    tab.wait_for_load_state()
    return tab


# --- the widgets of the news item form, used as a person uses them ----------------------------


SELECT_TEXT = """(editor, text) => {
    const walker = document.createTreeWalker(editor, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const start = node.data.indexOf(text);
        if (start >= 0) {
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + text.length);
            const selection = document.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            return;
        }
    }
    throw new Error("text not in the editor: " + text);
}"""


def write_body(page):
    """In the rich-text editor: a paragraph with a phrase made bold from the toolbar, and a
    link made by selecting words, pressing the link button and giving the address."""
    body_row = page.locator(".form-row.field-body")
    editor = body_row.locator(".ProseMirror[contenteditable='true']")
    expect(editor).to_be_visible()
    editor.click()
    page.keyboard.type("The Office trained ")
    body_row.get_by_role("button", name="bold", exact=True).click()
    page.keyboard.type(BOLD)
    body_row.get_by_role("button", name="bold", exact=True).click()
    page.keyboard.type(f" in Dushanbe. Read {LINK_TEXT} online.")
    expect(editor).to_contain_text(f"Read {LINK_TEXT} online.")
    # Select the words as a mouse drag would (arrow-key selection lost keystrokes under load).
    editor.evaluate(SELECT_TEXT, LINK_TEXT)
    expect(body_row.get_by_role("button", name="insert link")).to_be_enabled()
    body_row.get_by_role("button", name="insert link").click()
    dialog = page.locator("dialog.prose-editor-dialog[open]")
    dialog.get_by_label("URL").fill(LINK_URL)
    dialog.get_by_role("button", name="Update").click()
    expect(dialog).to_be_hidden()
    expect(editor.locator("strong")).to_have_text(BOLD)
    expect(editor.get_by_role("link", name=LINK_TEXT)).to_have_attribute("href", LINK_URL)


def search_issuers(page, words):
    """Open the first "Issued by" row's autocomplete and type; returns the options offered for
    these words (not those listed while the search was on its way)."""
    page.locator("#issuing_bodies-0").get_by_role("combobox").click()
    with page.expect_response(lambda response: answers_search(response, words)):
        page.locator(".select2-container--open .select2-search__field").press_sequentially(words)
    return page.locator(".select2-results__option[role='option']")


def answers_search(response, words):
    url = urlsplit(response.url)
    return url.path.endswith("/autocomplete/") and parse_qs(url.query).get("term") == [words]


def choose_issuer(page, words, name):
    search_issuers(page, words).get_by_text(name, exact=True).click()
    expect(page.locator("#issuing_bodies-0").get_by_role("combobox")).to_contain_text(name)


def issue_now(page):
    issued_on = page.locator(".form-row.field-published_at")
    issued_on.get_by_role("link", name="Today").click()
    issued_on.get_by_role("link", name="Now").click()


def press(page, button):
    """One of the form's buttons (the row above the form repeats them)."""
    page.get_by_role("button", name=button, exact=True).first.click()


def save_draft(page):
    press(page, "Save draft")


def expect_the_article(page):
    """The title, the bold phrase, the external link and the photo, as a reader sees them."""
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    body = page.locator(".article .body")
    expect(body.locator("strong")).to_have_text(BOLD)
    link = body.get_by_role("link", name=LINK_TEXT)
    expect(link).to_have_attribute("href", LINK_URL)
    expect(link).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
    photo = page.get_by_role("img", name=ALT)
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0"), "the photo is broken"


# --- the whole job ----------------------------------------------------------------------------


def test_office_editor_publishes_an_item_that_other_offices_cannot_open(
    page,
    another_person,
    screenshot,
    media_root,
    camera_photo,
    dushanbe_publisher,
    bishkek_editor,
):
    # 1. The Dushanbe editor logs in through the form.
    log_in(page, dushanbe_publisher)
    screenshot(page)

    # 2. They write the item and keep it as a draft.
    page.goto("/admin/news/newsitem/add/")
    page.get_by_label("Title").press_sequentially(TITLE)
    expect(page.get_by_label("Slug")).to_have_value(SLUG)
    page.get_by_label("Lead").fill(LEAD)
    write_body(page)
    choose_issuer(page, "Office in Tajikistan", DUSHANBE)  # its name from 2008 to 2017
    page.get_by_role("checkbox", name="Border management").check()
    photo_fields = page.get_by_role("group", name="Photo")
    photo_fields.get_by_label(re.compile(r"^photo", re.IGNORECASE)).set_input_files(camera_photo)
    photo_fields.get_by_label("Image alt text").fill(ALT)
    screenshot(page)
    save_draft(page)
    messages = page.locator(".messagelist")
    expect(messages.locator(".success")).to_contain_text(f"“{TITLE}” was added successfully")
    expect(messages).to_contain_text("Country set from the issuing field operation: Tajikistan")
    screenshot(page)
    item = NewsItem.objects.get(slug=SLUG)
    assert item.status == NewsItem.Status.DRAFT

    # 3. The preview, in a new tab, is the public page with a banner.
    preview = new_tab_from(page, "Preview in a new tab")
    expect(preview.locator(".preview-banner")).to_contain_text("Preview")
    expect_the_article(preview)
    issued_by = preview.locator("dt:text-is('Issued by') + dd")
    expect(issued_by.get_by_role("link", name=DUSHANBE, exact=True)).to_be_visible()
    screenshot(preview)
    preview.close()

    # 4. They publish it, now: the form says it is live, with a link to it.
    press(page, "Publish now")
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    expect(page.locator(".messagelist").get_by_role("link", name="View live")).to_have_attribute(
        "href", f"/news/{SLUG}/"
    )
    screenshot(page)

    # 5. A visitor finds it among the office's news and reads it.
    visitor = another_person()
    visitor.goto("/news/?issued_by=programme-office-in-dushanbe")
    screenshot(visitor)
    visitor.get_by_role("link", name=TITLE, exact=True).click()
    expect(visitor).to_have_url(re.compile(rf"/news/{SLUG}/$"))
    expect(visitor.locator(".preview-banner")).to_have_count(0)
    expect_the_article(visitor)
    screenshot(visitor)

    # 6. An editor of the Bishkek office can neither open it nor find it in the list.
    other = another_person()
    log_in(other, bishkek_editor)
    response = other.goto(f"/admin/news/newsitem/{item.pk}/change/")
    screenshot(other)
    if response.status not in (403, 404):
        expect(other).to_have_url(re.compile(r"/admin/$"))
        expect(other.locator(".messagelist .warning")).to_contain_text("doesn’t exist")
    expect(other.get_by_text(TITLE)).to_have_count(0)
    expect(other.get_by_text(BOLD)).to_have_count(0)
    other.goto("/admin/news/newsitem/")
    expect(other.get_by_role("heading", name="Select news item to change")).to_be_visible()
    expect(other.get_by_text(TITLE)).to_have_count(0)
    screenshot(other)


# --- what an editor runs into on the way --------------------------------------------------------


def status_of(page):
    """The HTTP status of the page on screen, as the browser received it."""
    return page.evaluate("performance.getEntriesByType('navigation')[0].responseStatus")


def test_editor_previews_a_new_draft_before_giving_it_a_date(page, screenshot, dushanbe_publisher):
    log_in(page, dushanbe_publisher)
    page.goto("/admin/news/newsitem/add/")
    page.get_by_label("Title").press_sequentially(TITLE)
    choose_issuer(page, "Dushanbe", DUSHANBE)

    preview = new_tab_from(page, "Preview in a new tab")
    screenshot(preview)
    assert status_of(preview) == 200, preview.get_by_role("heading", level=1).inner_text()
    expect(preview.locator(".preview-banner")).to_contain_text("not public (draft)")
    expect(preview.get_by_role("heading", level=1)).to_have_text(TITLE)


def test_office_editor_is_offered_their_own_bodies_and_co_issuers_that_sign_off(
    page, screenshot, dushanbe_publisher
):
    # Another body may be named as a co-issuer: it signs off before the item goes public
    # (news/signing.py); a body that does not sign joint items is not offered.
    bishkek = Structure.objects.get(slug="programme-office-in-bishkek")
    bishkek.signs_joint_items = False
    bishkek.save()
    log_in(page, dushanbe_publisher)
    page.goto("/admin/news/newsitem/add/")
    options = search_issuers(page, "Programme Office in")
    expect(options.get_by_text(DUSHANBE, exact=True)).to_be_visible()
    screenshot(page)
    offered = options.all_inner_texts()
    assert "OSCE Programme Office in Astana" in offered
    assert BISHKEK not in offered, f"a Dushanbe editor is offered {offered}"


def test_editor_without_the_publish_right_is_not_offered_publishing(
    page, screenshot, bishkek_editor
):
    log_in(page, bishkek_editor)
    page.goto("/admin/news/newsitem/")
    screenshot(page)
    actions = page.get_by_role("combobox", name="Action").locator("option").all_inner_texts()
    assert "Delete selected news items" in actions
    # Either of these answers a plain "403 Forbidden" page.
    assert "Publish the selected items" not in actions
    assert "Withdraw the selected items" not in actions


def test_view_on_site_of_a_draft_does_not_lead_to_page_not_found(
    page, screenshot, dushanbe_publisher
):
    draft = NewsItemFactory(
        title=TITLE,
        status=NewsItem.Status.DRAFT,
        issued_by=[Structure.objects.get(slug="programme-office-in-dushanbe")],
    )
    log_in(page, dushanbe_publisher)
    page.goto(f"/admin/news/newsitem/{draft.pk}/change/")
    # Not public: no "View on site", but "Preview", which shows it.
    expect(page.get_by_role("link", name="View on site")).to_have_count(0)
    with page.expect_navigation():
        page.locator(".object-tools").get_by_role("link", name="Preview").click()
    screenshot(page)
    assert status_of(page) == 200, page.get_by_role("heading", level=1).inner_text()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def test_tags_field_suggests_existing_tags(page, screenshot, dushanbe_publisher):
    NewsItemFactory().tags.set(["cross-border trade"])  # a tag of a public item
    log_in(page, dushanbe_publisher)
    page.goto("/admin/news/newsitem/add/")
    tags = page.locator("#id_tags")
    tags.press_sequentially("customs, cross-bo")
    suggestion = page.locator('#id_tags_suggestions option[value="customs, cross-border trade"]')
    expect(suggestion).to_have_count(1)
    screenshot(page)


def test_leaving_the_form_with_unsaved_changes_asks_first(page, screenshot, dushanbe_publisher):
    log_in(page, dushanbe_publisher)
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # "Stay on page"

    page.on("dialog", answer)
    page.goto("/admin/news/newsitem/add/")
    # Nothing typed: leaving asks nothing.
    page.locator("#nav-sidebar").get_by_role("link", name="News items").click()
    expect(page).to_have_url(re.compile(r"/admin/news/newsitem/$"))
    assert asked == []

    page.goto("/admin/news/newsitem/add/")
    page.get_by_label("Title").press_sequentially(TITLE)
    page.locator("#nav-sidebar").get_by_role("link", name="News items").click()
    expect(page).to_have_url(re.compile(r"/add/$"))  # stayed, with what was typed
    assert asked == ["beforeunload"]
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    screenshot(page)

    # Saving does not ask.
    page.get_by_label("Lead").fill(LEAD)
    save_draft(page)
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    assert asked == ["beforeunload"]

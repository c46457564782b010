"""The back office under the site's security headers: every page and widget an editor uses works,
and the browser reports no breach of the Content-Security-Policy nor a flaw in the
Permissions-Policy on the way."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from news.models import NewsItem

from .test_editor import (
    BOLD,
    DUSHANBE,
    LEAD,
    TITLE,
    choose_issuer,
    dushanbe_publisher,  # noqa: F401 (a fixture)
    editor_groups,  # noqa: F401 (a fixture)
    issue_now,
    log_in,
    new_tab_from,
    save_draft,
    write_body,
)

pytestmark = pytest.mark.browser

# Runs before any script of each page. The browser fires the event for every script, stylesheet,
# image, font, connection or form the policy blocks, inline or not.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
    window.reportPolicyProblem(
        `${event.violatedDirective} blocked ${event.blockedURI || "?"} on ${location.pathname} ` +
        `(${event.sourceFile || "the page"}:${event.lineNumber})`
    );
});
"""


@pytest.fixture
def policy_problems(page):
    """What the browser reported against the site's policies, in every tab of the test's browser
    context: CSP violations, and Permissions-Policy headers it could not read in full."""
    problems = []

    def report(problem):
        problems.append(problem)

    page.context.expose_function("reportPolicyProblem", report)
    page.context.add_init_script(REPORT_VIOLATIONS)
    page.context.on(
        "console",
        lambda message: report(message.text) if "Permissions-Policy" in message.text else None,
    )
    return problems


def test_editor_works_through_the_back_office_without_a_policy_problem(
    page,
    screenshot,
    policy_problems,
    dushanbe_publisher,  # noqa: F811
):
    log_in(page, dushanbe_publisher)
    screenshot(page)

    # The change list, with its filters and date hierarchy.
    page.goto("/admin/news/newsitem/")
    expect(page.get_by_role("heading", name="Select news item to change")).to_be_visible()
    screenshot(page)

    # The add form: the rich-text editor's toolbar, the autocomplete, the date shortcuts and the
    # tag suggestions all run.
    page.goto("/admin/news/newsitem/add/")
    page.get_by_label("Title").press_sequentially(TITLE)
    page.get_by_label("Lead").fill(LEAD)
    write_body(page)
    choose_issuer(page, "Dushanbe", DUSHANBE)
    page.get_by_role("checkbox", name="Border management").check()
    issue_now(page)
    page.locator("#id_tags").press_sequentially("border")
    screenshot(page)
    save_draft(page)
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    item = NewsItem.objects.get(title=TITLE)
    assert "<strong>" in item.body and BOLD in item.body

    # The change form of the saved item, its preview, its history and its delete confirmation.
    expect(page.locator(".form-row.field-body .ProseMirror strong")).to_have_text(BOLD)
    screenshot(page)
    preview = new_tab_from(page, "Preview in a new tab")
    expect(preview.get_by_role("heading", level=1)).to_have_text(TITLE)
    preview.close()
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name=f"Change history: {TITLE}")).to_be_visible()
    screenshot(page)
    page.goto(f"/admin/news/newsitem/{item.pk}/delete/")
    expect(page.get_by_role("button", name="Yes, I’m sure")).to_be_visible()
    screenshot(page)

    assert policy_problems == []


def test_editor_keeps_the_rules_it_styles_itself_with(page, dushanbe_publisher):  # noqa: F811
    """The editor's own stylesheet, an inline <style> the policy admits by its hash, is applied:
    without it, spaces typed at the end of a line turn into non-breaking ones."""
    log_in(page, dushanbe_publisher)
    page.goto("/admin/news/newsitem/add/")
    editor = page.locator(".form-row.field-body .ProseMirror[contenteditable='true']")
    expect(editor).to_be_visible()
    assert editor.evaluate("node => getComputedStyle(node).whiteSpace") == "break-spaces"


def test_editor_who_mistypes_too_often_is_told_to_wait(
    page,
    screenshot,
    policy_problems,
    dushanbe_publisher,  # noqa: F811
):
    page.goto("/admin/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Username").fill(dushanbe_publisher.username)
        page.get_by_label("Password").fill("a mistyped passphrase")
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts to sign in")
    expect(page.get_by_text("before you try again")).to_be_visible()
    screenshot(page)
    assert policy_problems == []

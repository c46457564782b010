"""A reader asks for email alerts from a filtered listing, confirms them from the message that
arrives at a real SMTP server, receives a matching item, unsubscribes in one click from the
alert, and receives nothing more. The messages received are written to
artifacts/alerts-messages.txt (subjects and headers)."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from news.permissions import ensure_groups

from ..smtp import html_of, text_of
from ..test_alerts_delivery import published_by_the_dushanbe_office
from .conftest import ARTIFACTS, quiet

pytestmark = pytest.mark.browser

HEADERS = ("From", "To", "Subject", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post")


def send_alerts():
    call_command("send_alerts", **quiet())


def link_in(message, site, words):
    """The address on the line after `words` in the plain text (or any link containing them)."""
    text = text_of(message)
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if words in line and number + 1 < len(lines) and lines[number + 1].startswith(site):
            return lines[number + 1].strip()
    return next(url for url in re.findall(rf"{re.escape(site)}\S+", text) if words in url)


def record(messages):
    ARTIFACTS.mkdir(exist_ok=True)
    blocks = []
    for message in messages:
        blocks.append(
            "\n".join(f"{name}: {' '.join(str(message[name] or '').split())}" for name in HEADERS)
        )
    (ARTIFACTS / "alerts-messages.txt").write_text("\n\n".join(blocks) + "\n")


def publish_matching(title):
    ensure_groups()  # a live-server test before this one may have emptied the database
    return published_by_the_dushanbe_office(title)


def test_a_reader_subscribes_confirms_receives_and_unsubscribes(
    page, screenshot, smtp, settings, live_site
):
    settings.SITE_URL = live_site
    page.goto("/news/?country=tajikistan&field=border-management")
    page.get_by_role("link", name="Get email alerts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get email alerts")
    expect(page.locator(".alerts-list-name")).to_contain_text(
        "News items about Border management in Tajikistan"
    )
    screenshot(page)
    page.get_by_label("Email address").fill("reader@example.org")
    page.get_by_label("Once a day").check()
    page.get_by_label("As soon as an item is published").check()
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    screenshot(page)

    send_alerts()
    [confirmation] = smtp.wait_for(1)
    assert confirmation["Subject"].startswith("Confirm your email alerts")
    page.goto(link_in(confirmation, live_site, "Confirm these alerts"))
    screenshot(page)
    page.get_by_role("button", name="Confirm these alerts").click()
    expect(page.get_by_role("status")).to_contain_text("are confirmed")
    screenshot(page)

    item = publish_matching("Border guards of Tajikistan trained in Dushanbe")
    send_alerts()
    alert = smtp.wait_for(2)[1]
    assert alert["Subject"] == item.title
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Programme Office in Dushanbe" in text_of(alert)
    assert item.title in html_of(alert)
    page.goto(link_in(alert, live_site, item.get_absolute_url()))
    expect(page.get_by_role("heading", level=1)).to_have_text(item.title)

    page.goto(link_in(alert, live_site, "Unsubscribe from these alerts"))
    screenshot(page)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    screenshot(page)

    publish_matching("A second matching item")
    send_alerts()
    send_alerts()
    record(smtp.messages)
    assert [m["Subject"] for m in smtp.messages] == [confirmation["Subject"], item.title]

"""Email alerts from end to end through a real SMTP server: asking for them from a listing's
filter, confirming from the message received, receiving a matching item once, and leaving in
one click."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from alerts.models import AlertList, Subscription
from countries.models import Country
from news.models import FieldOfWork

from .factories import NewsItemFactory
from .smtp import html_of, text_of

pytestmark = pytest.mark.usefixtures("reference_data")

LINK = re.compile(r"http://testserver(/[^\s\"<>]+)")


def send_alerts():
    call_command("send_alerts", stdout=open("/dev/null", "w"))  # noqa: SIM115


def links_in(message):
    return LINK.findall(text_of(message))


def subscribe(client, query, email="reader@example.org", frequency="immediately"):
    url = reverse("alerts:subscribe") + "?" + query
    return client.post(url, {"email": email, "frequency": frequency, "language": "en"})


def confirm(client, message):
    confirm_path = next(path for path in links_in(message) if "/alerts/confirm/" in path)
    page = client.get(confirm_path)
    assert page.status_code == 200
    return client.post(confirm_path)


@pytest.fixture
def tajikistan():
    return Country.objects.get(slug="tajikistan")


@pytest.fixture
def border():
    return FieldOfWork.objects.get(slug="border-management")


def test_the_whole_flow(client, smtp, tajikistan, border):
    answer = subscribe(client, "field=border-management&country=tajikistan")
    assert answer.status_code == 302
    send_alerts()
    [confirmation] = smtp.wait_for(1)
    assert confirmation["To"] == "reader@example.org"
    assert "Confirm your email alerts" in confirmation["Subject"]
    assert "Border management" in text_of(confirmation)

    # Nothing is sent before the confirmation.
    NewsItemFactory(fields_of_work=[border], countries=[tajikistan])
    send_alerts()
    assert len(smtp.messages) == 1

    assert confirm(client, confirmation).status_code == 302
    smtp.clear()
    item = NewsItemFactory(
        title="Border guards trained", fields_of_work=[border], countries=[tajikistan]
    )
    NewsItemFactory(title="Elsewhere", fields_of_work=[border])  # not in Tajikistan
    send_alerts()
    send_alerts()
    [alert] = smtp.wait_for(1)
    assert alert["Subject"] == "Border guards trained"
    assert item.get_absolute_url() in text_of(alert)
    assert "Border guards trained" in html_of(alert)
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(
        r"<http://testserver(/.+)>", alert["List-Unsubscribe"].strip()
    ).group(1)

    # One-click unsubscribe, as a mail program does it (RFC 8058).
    answer = client.post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert not Subscription.objects.exists()
    smtp.clear()
    NewsItemFactory(fields_of_work=[border], countries=[tajikistan])
    send_alerts()
    assert smtp.messages == []


def test_the_same_filter_in_any_order_is_one_list(client, smtp):
    subscribe(client, "country=tajikistan&field=border-management", email="a@example.org")
    subscribe(client, "field=border-management&country=tajikistan", email="b@example.org")
    assert AlertList.objects.count() == 1

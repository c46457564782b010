"""What the site holds about an address, for its owner: exported as JSON, or erased with
everything about it; and who in the back office sees addresses at all."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from alerts.models import AlertList, Delivery, Message, Subscriber, Subscription
from alerts.passes import run_pass
from countries.models import Country

from .factories import NewsItemFactory
from .test_admin import make_editor

pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.fixture
def reader():
    subscriber = Subscriber.objects.create(email="reader@example.org")
    Subscription.objects.create(
        subscriber=subscriber,
        alert_list=AlertList.objects.create(query="country=tajikistan"),
        frequency="daily",
        confirmed_at=timezone.now(),
    )
    Subscription.objects.create(
        subscriber=subscriber, alert_list=AlertList.objects.create(query="")
    )
    return subscriber


def digests_sent():
    """A pass now (the item is owed to the daily list), and one after the digest's hour."""
    run_pass()
    run_pass(timezone.now() + timezone.timedelta(days=1, hours=1))


def command(*args):
    out = StringIO()
    call_command("alert_subscriber", *args, stdout=out)
    return out.getvalue()


def test_export_writes_every_list_and_message_of_the_address(reader):
    NewsItemFactory(slug="an-item", countries=[Country.objects.get(slug="tajikistan")])
    digests_sent()
    data = json.loads(command("export", "Reader@Example.org"))
    assert data["email"] == "reader@example.org"
    assert [(s["filter"], s["frequency"], s["confirmed_at"] is not None)
            for s in data["subscriptions"]] == [("country=tajikistan", "daily", True),
                                                 ("", "immediately", False)]  # fmt: skip
    assert data["subscriptions"][0]["listing"] == "/news/?country=tajikistan"
    assert [m["items"] for m in data["messages"] if m["kind"] == "daily"] == [["an-item"]]


def test_erase_deletes_the_address_and_everything_about_it(reader):
    NewsItemFactory(countries=[Country.objects.get(slug="tajikistan")])
    digests_sent()
    assert Message.objects.exists() and Delivery.objects.exists()
    output = command("erase", "reader@example.org")
    assert "Erased reader@example.org: 2 subscriptions" in output
    assert not Subscriber.objects.exists()
    assert not Subscription.objects.exists()
    assert not Message.objects.exists()
    assert not Delivery.objects.exists()
    assert AlertList.objects.count() == 2  # the lists are nobody's data


def test_an_unknown_address_is_a_clear_error(reader):
    with pytest.raises(CommandError, match="No subscriber has the address"):
        command("export", "nobody@example.org")


@pytest.mark.parametrize(
    ("groups", "sees"), [(("Editor",), False), (("Publisher",), False), (("Manager",), True)]
)
def test_only_managers_see_addresses_in_the_back_office(client, reader, groups, sees):
    user = make_editor("someone", bodies=["secretariat"], groups=groups)
    client.force_login(user)
    listing = client.get("/admin/alerts/subscriber/")
    home = client.get("/admin/").content.decode()
    assert (listing.status_code == 200) is sees
    assert ("reader@example.org" in listing.content.decode()) is sees
    assert ("Email alerts" in home) is sees

"""Asking for email alerts, confirming and leaving: what the pages do and what they never tell."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from alerts.forms import SubscribeForm
from alerts.models import AlertList, Message, Subscriber, Subscription
from alerts.passes import run_pass

from .test_alerts_flow import subscribe

pytestmark = pytest.mark.usefixtures("reference_data")

QUERY = "country=tajikistan&field=border-management&issued_by=programme-office-in-dushanbe"


def sent_messages():
    """Run a pass with the test's in-memory mailbox, and return what it holds."""
    run_pass()
    return list(mail.outbox)


def confirmation_path(message):
    return next(path for path in links_in_text(message.body) if "/alerts/confirm/" in path)


def links_in_text(text):
    return re.findall(r"http://testserver(/[^\s\"<>]+)", text)


def test_every_listing_offers_alerts_for_its_own_filter(client, demo_news):
    page = client.get("/news/?country=tajikistan&field=border-management").content.decode()
    assert ('href="/alerts/subscribe/?country=tajikistan&amp;field=border-management"') in page
    assert "Get email alerts" in page


def test_the_listing_in_another_language_offers_alerts_in_it(client, demo_news):
    page = client.get("/ru/news/?country=tajikistan").content.decode()
    assert 'href="/ru/alerts/subscribe/?country=tajikistan"' in page


def test_a_field_page_offers_alerts_for_the_field(client, demo_news):
    page = client.get("/fields-of-work/border-management/").content.decode()
    assert 'href="/alerts/subscribe/?field=border-management"' in page


def test_the_subscribe_page_states_the_filter_in_the_listings_words(client):
    page = client.get(f"/alerts/subscribe/?{QUERY}")
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        "News items about Border management in Tajikistan, issued by the OSCE Programme "
        "Office in Dushanbe"
    ) in html
    assert re.search(r'<input type="email" name="email"[^>]*required', html)
    for value in ("immediately", "daily", "weekly"):
        assert f'value="{value}"' in html
    assert '<select name="language"' in html
    assert 'name="robots" content="noindex"' in html


def test_a_search_phrase_is_part_of_the_list(client):
    subscribe(client, 'q="study visit"&country=tajikistan')
    assert AlertList.objects.get().query == "country=tajikistan&q=%22study+visit%22"


def test_the_order_and_the_page_are_not_part_of_the_list(client):
    subscribe(client, "sort=oldest&country=tajikistan&page=3")
    assert AlertList.objects.get().query == "country=tajikistan"


def test_the_list_keeps_the_content_language_of_the_listing(client):
    client.post(
        "/ru/alerts/subscribe/?country=tajikistan",
        {"email": "r@example.org", "frequency": "daily", "language": "ru"},
    )
    alert_list = AlertList.objects.get()
    assert (alert_list.content_language, alert_list.query) == ("ru", "country=tajikistan")
    assert alert_list.get_absolute_url() == "/ru/news/?country=tajikistan"


def test_an_unknown_filter_value_is_refused_with_a_clear_page(client):
    page = client.get("/alerts/subscribe/?country=atlantis")
    assert page.status_code == 400
    assert "Some filters could not be understood" in page.content.decode()
    answer = client.post(
        "/alerts/subscribe/?country=atlantis",
        {"email": "a@example.org", "frequency": "daily", "language": "en"},
    )
    assert answer.status_code == 400
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"email": "not an address", "frequency": "daily", "language": "en"},
        {"email": "a@example.org", "frequency": "hourly", "language": "en"},
        {"email": "a@example.org", "frequency": "daily", "language": "xx"},
        {"email": "a" * 300 + "@example.org", "frequency": "daily", "language": "en"},
        {},
    ],
    ids=["bad-address", "bad-frequency", "bad-language", "too-long", "empty"],
)
def test_a_bad_form_is_answered_with_its_errors_and_stores_nothing(client, data):
    page = client.post("/alerts/subscribe/?country=tajikistan", data)
    assert page.status_code == 400
    assert "There is a problem" in page.content.decode()
    assert not Subscriber.objects.exists()
    assert not Message.objects.exists()


def test_nothing_is_sent_to_an_address_before_its_owner_confirms(client):
    subscribe(client, QUERY)
    [confirmation] = sent_messages()
    assert confirmation.subject.startswith("Confirm your email alerts")
    assert Subscription.objects.get().confirmed_at is None
    # Opening the link (as a mail program's link checker does) confirms nothing.
    assert client.get(confirmation_path(confirmation)).status_code == 200
    assert Subscription.objects.get().confirmed_at is None
    client.post(confirmation_path(confirmation))
    assert Subscription.objects.get().confirmed_at is not None


def test_asking_for_an_address_already_subscribed_gets_the_same_answer(client):
    first = subscribe(client, QUERY, email="known@example.org")
    [confirmation] = sent_messages()
    client.post(confirmation_path(confirmation))
    mail.outbox.clear()

    again = subscribe(client, QUERY, email="Known@Example.org")
    stranger = subscribe(client, QUERY, email="stranger@example.org")
    assert again.status_code == stranger.status_code == first.status_code == 302
    assert again["Location"] == stranger["Location"] == first["Location"]
    assert client.get(again["Location"]).content == client.get(stranger["Location"]).content
    # The owner of the known address hears that nothing changed; the other gets a link.
    by_address = {message.to[0]: message for message in sent_messages()}
    assert by_address["known@example.org"].subject.startswith("You already receive")
    assert by_address["stranger@example.org"].subject.startswith("Confirm your email alerts")
    assert Subscriber.objects.filter(email="known@example.org").count() == 1


def test_a_confirmation_link_works_once(client):
    subscribe(client, QUERY)
    path = confirmation_path(sent_messages()[0])
    assert client.post(path).status_code == 302
    again = client.post(path)
    assert again.status_code == 410
    assert "This link no longer works" in again.content.decode()


def test_a_confirmation_link_expires_after_seven_days(client):
    subscribe(client, QUERY)
    path = confirmation_path(sent_messages()[0])
    later = timezone.now() + timedelta(days=7, minutes=1)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        answer = client.post(path)
    assert answer.status_code == 410
    assert "This link has expired" in answer.content.decode()
    assert Subscription.objects.get().confirmed_at is None


def test_asking_again_replaces_the_unused_link(client):
    subscribe(client, QUERY)
    old = confirmation_path(sent_messages()[0])
    mail.outbox.clear()
    subscribe(client, QUERY)
    new = confirmation_path(sent_messages()[0])
    assert client.post(old).status_code == 410
    assert client.post(new).status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/alerts/confirm/nonsense/",
        "/alerts/confirm/" + "x" * 3000 + "/",
        "/alerts/manage/%00/",
        "/alerts/manage/nonsense/",
        "/alerts/unsubscribe/nonsense/",
        "/alerts/unsubscribe-all/nonsense/",
    ],
)
def test_a_made_up_link_finds_nothing(client, path):
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404


def test_an_address_nobody_confirmed_is_forgotten_after_seven_days(client):
    subscribe(client, QUERY, email="forgotten@example.org")
    subscribe(client, "country=tajikistan", email="kept@example.org")
    run_pass()
    kept = Subscription.objects.get(subscriber__email="kept@example.org")
    kept.confirmed_at = timezone.now()
    kept.save()
    run_pass(timezone.now() + timedelta(days=6))
    assert Subscriber.objects.count() == 2
    run_pass(timezone.now() + timedelta(days=7, minutes=1))
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["kept@example.org"]


def test_the_form_is_limited_per_address(client, settings):
    settings.ALERT_SUBSCRIBE_LIMIT_PER_ADDRESS = 2
    answers = [subscribe(client, QUERY, email="flooded@example.org") for _ in range(4)]
    assert {answer.status_code for answer in answers} == {302}  # the same answer throughout
    assert len(sent_messages()) == 2


def test_the_form_is_limited_per_client(client, settings):
    settings.ALERT_SUBSCRIBE_LIMIT_PER_CLIENT = 3
    answers = [subscribe(client, QUERY, email=f"n{n}@example.org") for n in range(5)]
    assert [answer.status_code for answer in answers] == [302, 302, 302, 429, 429]
    assert Subscriber.objects.count() == 3


def confirmed(client, query, email="reader@example.org", frequency="immediately"):
    subscribe(client, query, email=email, frequency=frequency)
    client.post(confirmation_path(sent_messages()[-1]))
    mail.outbox.clear()
    return Subscription.objects.get(subscriber__email=email, alert_list__query=query)


def test_the_manage_page_lists_every_alert_of_the_address(client):
    first = confirmed(client, "country=tajikistan")
    confirmed(client, "field=border-management", frequency="weekly")
    page = client.get(first.subscriber.get_absolute_url()).content.decode()
    assert "News items in Tajikistan" in page
    assert "News items about Border management" in page
    answer = client.post(
        first.subscriber.get_absolute_url(),
        {"action": "frequency", "subscription": first.pk, "frequency": "daily"},
    )
    assert answer.status_code == 302
    first.refresh_from_db()
    assert first.frequency == "daily"


def test_the_manage_page_touches_only_its_own_subscriptions(client):
    mine = confirmed(client, "country=tajikistan", email="me@example.org")
    theirs = confirmed(client, "country=tajikistan", email="them@example.org")
    answer = client.post(
        mine.subscriber.get_absolute_url(), {"action": "unsubscribe", "subscription": theirs.pk}
    )
    assert answer.status_code == 404
    assert Subscription.objects.filter(pk=theirs.pk).exists()


def test_unsubscribing_asks_on_the_page_and_acts_on_the_click(client):
    subscription = confirmed(client, "country=tajikistan")
    page = client.get(subscription.get_absolute_url())
    assert page.status_code == 200
    assert Subscription.objects.filter(pk=subscription.pk).exists()
    answer = client.post(subscription.get_absolute_url())
    assert answer.status_code == 200
    assert "You are unsubscribed" in answer.content.decode()
    # The last list gone, the address is not kept either.
    assert not Subscriber.objects.exists()
    assert client.post(subscription.get_absolute_url()).status_code == 404


def test_unsubscribing_from_all_at_once(client):
    first = confirmed(client, "country=tajikistan")
    confirmed(client, "field=border-management")
    url = reverse("alerts:unsubscribe_all", kwargs={"token": first.subscriber.token})
    assert client.post(url).status_code == 200
    assert not Subscription.objects.exists()
    assert not Subscriber.objects.exists()


def test_a_digests_link_stops_that_digest_only(client):
    daily = confirmed(client, "country=tajikistan", frequency="daily")
    confirmed(client, "field=border-management", frequency="immediately")
    url = reverse("alerts:unsubscribe_all", kwargs={"token": daily.subscriber.token})
    client.post(f"{url}?frequency=daily")
    assert list(Subscription.objects.values_list("frequency", flat=True)) == ["immediately"]


@pytest.mark.parametrize(
    "path", ["/alerts/subscribe/?country=tajikistan", "/alerts/check-your-email/"]
)
def test_the_alert_pages_set_no_cookies_and_are_not_cached(client, path):
    answer = client.get(path)
    assert not answer.cookies
    assert "no-cache" in answer["Cache-Control"] or "max-age=0" in answer["Cache-Control"]


def test_the_languages_of_the_emails_are_the_sites_when_the_form_is_made(settings):
    """Read when the form is made: a module imported while other settings held (a test's, a
    deployment's) does not keep them."""
    settings.LANGUAGES = [("en", "English"), ("xx", "Test language")]
    assert [code for code, _name in SubscribeForm().fields["language"].choices] == ["en", "xx"]
    settings.LANGUAGES = [("en", "English")]
    assert [code for code, _name in SubscribeForm().fields["language"].choices] == ["en"]

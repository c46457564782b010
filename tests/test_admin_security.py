"""Protection of the back office: login throttling (django-axes), its address, error pages that
say nothing, passwords, sessions and the record of every change made through it."""

import datetime
import importlib

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import F
from django.test import Client, override_settings
from django.urls import clear_url_caches
from reversion.models import Version

from news.models import FieldOfWork, NewsItem

from .factories import NewsItemFactory
from .test_admin import ADD_URL, change_url, form_data, make_editor, structure

pytestmark = pytest.mark.usefixtures("reference_data")

LOGIN_URL = "/admin/login/"
PASSWORD = "a long editor passphrase"
CHANGELIST_URL = "/admin/news/newsitem/"


@pytest.fixture
def editor():
    return User.objects.create_user("dushanbe", password=PASSWORD, is_staff=True)


def log_in(client, username, password, **headers):
    """Posts the admin's login form as a browser does."""
    return client.post(
        LOGIN_URL, {"username": username, "password": password, "next": "/admin/"}, **headers
    )


def signed_in(response):
    """The login form let the person in: it sends them on to the back office."""
    return response.status_code == 302 and response["Location"] == "/admin/"


def fail(client, username, times, **headers):
    for _ in range(times):
        log_in(client, username, "a wrong guess", **headers)


# --- login throttling ---------------------------------------------------------------------------


def test_wrong_passwords_up_to_the_limit_lock_the_login_even_with_the_right_password(
    client, editor
):
    fail(client, "dushanbe", settings.AXES_FAILURE_LIMIT)
    response = log_in(client, "dushanbe", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_one_wrong_password_less_than_the_limit_does_not_lock(client, editor):
    fail(client, "dushanbe", settings.AXES_FAILURE_LIMIT - 1)
    assert signed_in(log_in(client, "dushanbe", PASSWORD))


def test_lockout_page_says_how_long_to_wait_and_names_nobody(client, editor):
    fail(client, "dushanbe", settings.AXES_FAILURE_LIMIT)
    page = log_in(client, "dushanbe", PASSWORD).content.decode()
    assert "Too many attempts to sign in" in page
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"Wait {minutes} minutes before you try again" in page
    assert "dushanbe" not in page and "127.0.0.1" not in page


def test_colleagues_behind_the_same_office_address_are_not_locked_out(client, editor):
    User.objects.create_user("colleague", password=PASSWORD, is_staff=True)
    fail(client, "dushanbe", settings.AXES_FAILURE_LIMIT)
    assert signed_in(log_in(Client(), "colleague", PASSWORD))


def test_a_locked_username_can_still_sign_in_from_another_address(client, editor):
    fail(client, "dushanbe", settings.AXES_FAILURE_LIMIT)
    assert signed_in(log_in(Client(REMOTE_ADDR="198.51.100.7"), "dushanbe", PASSWORD))


def test_lock_ends_once_the_cool_off_has_passed(client, editor):
    fail(client, "dushanbe", settings.AXES_FAILURE_LIMIT)
    assert log_in(client, "dushanbe", PASSWORD).status_code == 429
    # The attempts took place a cool-off and a minute ago.
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1)
    )
    assert signed_in(log_in(client, "dushanbe", PASSWORD))


@pytest.mark.parametrize(
    "command", [["axes_reset"], ["axes_reset_username", "dushanbe"]], ids=lambda c: c[0]
)
def test_reset_command_unlocks_at_once(client, editor, command):
    fail(client, "dushanbe", settings.AXES_FAILURE_LIMIT)
    call_command(*command, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert signed_in(log_in(client, "dushanbe", PASSWORD))


def test_a_successful_login_starts_the_count_again(client, editor):
    fail(client, "dushanbe", settings.AXES_FAILURE_LIMIT - 1)
    assert signed_in(log_in(client, "dushanbe", PASSWORD))
    client.logout()
    fail(client, "dushanbe", settings.AXES_FAILURE_LIMIT - 1)
    assert signed_in(log_in(client, "dushanbe", PASSWORD))


def test_a_forged_forwarded_for_header_does_not_escape_the_lock(client, editor):
    # Without a proxy in front (the default) the header is the visitor's own words.
    for number in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "dushanbe", "a wrong guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    assert log_in(
        client, "dushanbe", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99"
    ).status_code == (429)


@override_settings(
    # What osceportal/settings.py sets for DJANGO_PROXY_COUNT=1 (tests/test_settings.py).
    AXES_IPWARE_META_PRECEDENCE_ORDER=("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
    AXES_IPWARE_PROXY_COUNT=0,
    IPWARE_STRICT=False,
)
def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, editor):
    # The proxy appends the address it was reached from; anything left of it came with the request.
    for number in range(settings.AXES_FAILURE_LIMIT):
        forged = f"192.0.2.{number}, 203.0.113.7"
        log_in(client, "dushanbe", "a wrong guess", HTTP_X_FORWARDED_FOR=forged)
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    locked = log_in(client, "dushanbe", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7")
    assert locked.status_code == 429
    # The same person at home, through the same proxy.
    assert signed_in(log_in(Client(), "dushanbe", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2"))


# --- the admin's address ------------------------------------------------------------------------


def reload_urls():
    importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
    clear_url_caches()


@pytest.fixture
def admin_at_back_office():
    """The project as it runs with DJANGO_ADMIN_URL=back-office/."""
    with override_settings(ADMIN_URL="back-office/"):
        reload_urls()
        yield
    reload_urls()


def test_admin_answers_at_its_configured_address_only(client, editor, admin_at_back_office):
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404
    login = client.get("/back-office/login/")
    assert login.status_code == 200 and 'action="/back-office/login/' in login.content.decode()
    client.force_login(editor)
    assert client.get("/back-office/").status_code == 200


def test_robots_txt_does_not_give_away_a_configured_admin_address(client, admin_at_back_office):
    robots = client.get("/robots.txt").content.decode()
    assert "back-office" not in robots and "Disallow" not in robots


# --- error pages --------------------------------------------------------------------------------


def test_refusal_in_the_back_office_says_why_inside_the_admin(client, editor):
    client.force_login(editor)
    response = client.get(CHANGELIST_URL + "preview/")  # a preview of nothing
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Not allowed</h1>" in page and "OSCE Portal back office" in page


def test_refusal_on_the_public_site_says_nothing(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    from osceportal.errors import permission_denied

    request = rf.get("/structures/a-requested-address/")
    request.user = AnonymousUser()
    response = permission_denied(request, PermissionDenied("the secret reason"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Access denied</h1>" in page and "OSCE Portal" in page
    assert "secret reason" not in page and "a-requested-address" not in page


def test_form_sent_without_its_csrf_token_gives_our_403_page():
    response = Client(enforce_csrf_checks=True).post(
        LOGIN_URL, {"username": "dushanbe", "password": PASSWORD}
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>The form could not be sent</h1>" in page
    # Django's reason ("CSRF cookie not set.") and its help for developers stay out.
    assert "CSRF cookie" not in page and "DEBUG" not in page


# --- passwords and sessions ---------------------------------------------------------------------


def test_admin_refuses_a_password_shorter_than_twelve_characters(client, editor):
    admin = User.objects.create_superuser("root", password=PASSWORD)
    client.force_login(admin)
    url = f"/admin/auth/user/{editor.pk}/password/"
    short = client.post(url, {"password1": "Kx9#mQ2$vL7", "password2": "Kx9#mQ2$vL7"})
    assert short.status_code == 200
    assert "at least 12 characters" in short.content.decode()
    accepted = client.post(url, {"password1": "Kx9#mQ2$vL7!", "password2": "Kx9#mQ2$vL7!"})
    assert accepted.status_code == 302
    editor.refresh_from_db()
    assert editor.check_password("Kx9#mQ2$vL7!")


def test_back_office_session_ends_with_the_browser_and_within_a_working_day(client, editor):
    response = log_in(client, "dushanbe", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    assert client.session.get_expiry_age() == 8 * 60 * 60


# --- every change made in the admin is on record ------------------------------------------------


@pytest.fixture
def publisher():
    return make_editor(
        "dushanbe-publisher", bodies=["programme-office-in-dushanbe"], groups=("Publisher",)
    )


def draft(**kwargs):
    return NewsItemFactory(
        status=NewsItem.Status.DRAFT,
        issued_by=[structure("programme-office-in-dushanbe")],
        fields_of_work=[FieldOfWork.objects.get(slug="border-management")],
        **kwargs,
    )


def entries_for(item, action_flag):
    return LogEntry.objects.filter(object_id=str(item.pk), action_flag=action_flag)


def test_adding_and_changing_in_the_form_are_logged(client, publisher):
    client.force_login(publisher)
    client.post(ADD_URL, form_data(bodies=["programme-office-in-dushanbe"]))
    item = NewsItem.objects.get()
    client.post(change_url(item), form_data(item, title="A better title"))
    assert entries_for(item, ADDITION).get().user == publisher
    assert "Title" in entries_for(item, CHANGE).get().get_change_message()


def test_bulk_publishing_is_logged_for_each_item(client, publisher):
    items = [draft(), draft()]
    client.force_login(publisher)
    client.post(
        CHANGELIST_URL,
        {"action": "publish_selected", "_selected_action": [item.pk for item in items]},
    )
    for item in items:
        entry = entries_for(item, CHANGE).get()
        assert (entry.user, entry.get_change_message()) == (
            publisher,
            "Published with the bulk action.",
        )


def test_an_item_the_checklist_refuses_is_not_logged_as_published(client, publisher):
    item = draft(lead="")
    client.force_login(publisher)
    client.post(CHANGELIST_URL, {"action": "publish_selected", "_selected_action": [item.pk]})
    assert not entries_for(item, CHANGE).exists()


def test_bulk_withdrawal_is_logged_with_its_reason(client, publisher):
    item = NewsItemFactory(issued_by=[structure("programme-office-in-dushanbe")])
    client.force_login(publisher)
    client.post(
        CHANGELIST_URL,
        {
            "action": "withdraw_selected",
            "_selected_action": [item.pk],
            "withdrawn_reason": "Issued twice",
        },
    )
    entry = entries_for(item, CHANGE).get()
    assert (entry.user, entry.get_change_message()) == (publisher, "Withdrawn: Issued twice")


def test_restoring_an_old_version_is_logged_as_such(client, publisher):
    client.force_login(publisher)
    client.post(ADD_URL, form_data(bodies=["programme-office-in-dushanbe"]))
    item = NewsItem.objects.get()
    client.post(change_url(item), form_data(item, title="Second title"))
    first = Version.objects.get_for_object(item).order_by("pk").first()
    item.refresh_from_db()
    client.post(f"/admin/news/newsitem/{item.pk}/history/{first.pk}/", form_data(item))
    latest = entries_for(item, CHANGE).order_by("-pk").first()
    assert latest.get_change_message() == "Restored an earlier version from the history."


def test_deleting_from_the_form_and_in_bulk_is_logged(client, publisher):
    one, two = draft(), draft()
    client.force_login(publisher)
    client.post(f"/admin/news/newsitem/{one.pk}/delete/", {"post": "yes"})
    client.post(
        CHANGELIST_URL, {"action": "delete_selected", "_selected_action": [two.pk], "post": "yes"}
    )
    assert not NewsItem.objects.filter(pk__in=[one.pk, two.pk]).exists()
    assert entries_for(one, DELETION).get().user == publisher
    assert entries_for(two, DELETION).get().user == publisher

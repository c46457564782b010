"""The back office's rights as a matrix: every URL pattern of the admin site (read from
`admin.site.get_urls()`, so that a view added tomorrow fails here until its row is written),
for each role, for an item of body A, an item of A and B, and an item of B, all published (and,
for the sign-off page and withdrawing, an item of A and B awaiting B's sign-off: ABw; for
deleting, drafts of each: Ad, ABd, Bd), with GET and POST
(for the event URLs, an event organised by A, by A and B, by B).

Each POST is what a browser would send to do the thing (the form as the page holds it, with a
changed title; the delete confirmation; a bulk action on the object), so that a missing check
would change something. Every request runs in a transaction that is rolled back afterwards, and
the database is compared with a fingerprint of every table: unchanged after every request but
those marked `ok`, changed after those. (A request that wrote no row, by PostgreSQL's count of
the transaction's writes, changed nothing: its fingerprints are not taken.)

Outcomes: 200 page shown (nothing changed) · ok the POST did its work (changed the database;
signing out is recorded by django-axes) ·
302 a redirect that changes nothing · 400 the request is refused as invalid · 403 refused, with
the reason · 404 not found (not the user's to see) · 405 method not allowed · login redirected
to the login page · - not requested."""

import re
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.urls import URLResolver
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from taggit.models import Tag

from alerts.models import AlertList, Message, Subscriber, Subscription
from countries.models import Chairpersonship, Country
from news import publishing
from news.models import Alias, Event, FieldOfWork, MeetingSeries, NewsItem
from structures.models import Structure

from .test_admin import form_data, make_editor
from .test_admin_events import event_of, recover_event_data, save_event_revision
from .test_admin_events import form_data as event_form_data
from .test_admin_rights import (
    BISHKEK,
    DUSHANBE,
    delete_with_history,
    item_of,
    recover_data,
    save_revision,
)

pytestmark = pytest.mark.usefixtures("reference_data")

ROLES = ["editor_A", "publisher_A", "editor_B", "manager", "anonymous"]

# Each cell: the outcome of GET / the outcome of POST. "on": the news item the URL is about.
EXPECTED = """
door                                         on  editor_A   publisher_A editor_B   manager    anonymous
index                                        -   200/200    200/200     200/200    200/200    login/login
login                                        -   302/-      302/-       302/-      302/-      200/-
logout                                       -   405/ok     405/ok      405/ok     405/ok     302/302
password_change                              -   200/200    200/200     200/200    200/200    login/login
time_zone                                    -   200/ok     200/ok      200/ok     200/ok     login/login
password_change_done                         -   200/405    200/405     200/405    200/405    login/login
autocomplete                                 -   200/405    200/405     200/405    200/405    login/login
jsi18n                                       -   200/405    200/405     200/405    200/405    login/login
app_list                                     -   200/200    200/200     200/200    200/200    login/login
catch_all                                    -   404/404    404/404     404/404    404/404    login/login
view_on_site                                 A   302/302    302/302     404/404    302/302    login/login
view_on_site                                 AB  302/302    302/302     302/302    302/302    login/login
view_on_site                                 B   404/404    404/404     302/302    302/302    login/login

news_newsitem_changelist                     -   200/200    200/200     200/200    200/200    login/login
news_newsitem_changelist:delete_selected     A   -/403      -/403       -/404      -/403      -/login
news_newsitem_changelist:delete_selected     AB  -/403      -/403       -/403      -/403      -/login
news_newsitem_changelist:delete_selected     B   -/404      -/404       -/403      -/403      -/login
news_newsitem_changelist:delete_selected     Ad  -/ok       -/ok        -/404      -/ok       -/login
news_newsitem_changelist:delete_selected     ABd -/403      -/403       -/403      -/ok       -/login
news_newsitem_changelist:delete_selected     Bd  -/404      -/404       -/ok       -/ok       -/login
news_newsitem_changelist:publish_selected    A   -/403      -/ok        -/403      -/ok       -/login
news_newsitem_changelist:publish_selected    AB  -/403      -/ok        -/403      -/ok       -/login
news_newsitem_changelist:publish_selected    B   -/403      -/404       -/403      -/ok       -/login
news_newsitem_changelist:withdraw_selected   A   -/403      -/ok        -/403      -/ok       -/login
news_newsitem_changelist:withdraw_selected   AB  -/403      -/ok        -/403      -/ok       -/login
news_newsitem_changelist:withdraw_selected   B   -/403      -/404       -/403      -/ok       -/login
news_newsitem_add                            -   200/ok     200/ok      200/200    200/ok     login/login
news_newsitem_change                         A   200/403    200/ok      404/404    200/ok     login/login
news_newsitem_change                         AB  200/403    200/ok      200/403    200/ok     login/login
news_newsitem_change                         B   404/404    404/404     200/403    200/ok     login/login
news_newsitem_redirect                       A   302/302    302/302     302/302    302/302    login/login
news_newsitem_delete                         A   403/403    403/403     404/404    403/403    login/login
news_newsitem_delete                         AB  403/403    403/403     403/403    403/403    login/login
news_newsitem_delete                         B   404/404    404/404     403/403    403/403    login/login
news_newsitem_delete                         Ad  200/ok     200/ok      404/404    200/ok     login/login
news_newsitem_delete                         ABd 403/403    403/403     403/403    200/ok     login/login
news_newsitem_delete                         Bd  404/404    404/404     200/ok     200/ok     login/login
news_newsitem_history                        A   200/200    200/200     404/404    200/200    login/login
news_newsitem_history                        AB  200/200    200/200     200/200    200/200    login/login
news_newsitem_history                        B   404/404    404/404     200/200    200/200    login/login
news_newsitem_revision                       A   403/403    200/ok      404/404    200/ok     login/login
news_newsitem_revision                       AB  403/403    200/ok      403/403    200/ok     login/login
news_newsitem_revision                       B   404/404    404/404     403/403    200/ok     login/login
news_newsitem_recoverlist                    -   200/200    200/200     200/200    200/200    login/login
news_newsitem_recover                        A   200/ok     200/ok      403/403    200/ok     login/login
news_newsitem_recover                        AB  403/403    403/403     403/403    200/ok     login/login
news_newsitem_recover                        B   403/403    403/403     200/ok     200/ok     login/login
news_newsitem_preview                        A   200/400    200/200     404/404    200/200    login/login
news_newsitem_preview                        AB  200/400    200/200     200/400    200/200    login/login
news_newsitem_preview                        B   404/404    404/404     200/400    200/200    login/login
news_newsitem_preview_new                    -   403/200    403/200     403/400    403/200    login/login
news_newsitem_checklist                      A   403/403    405/200     404/404    405/200    login/login
news_newsitem_checklist                      AB  403/403    405/200     403/403    405/200    login/login
news_newsitem_checklist                      B   404/404    404/404     403/403    405/200    login/login
news_newsitem_checklist                      Ad  405/200    405/200     404/404    405/200    login/login
news_newsitem_checklist_new                  -   405/200    405/200     405/200    405/200    login/login
news_newsitem_withdraw                       A   403/403    200/ok      404/404    200/ok     login/login
news_newsitem_withdraw                       Ad  403/403    404/404     404/404    404/404    login/login
news_newsitem_withdraw                       ABw 403/403    200/ok      403/403    200/ok     login/login
news_newsitem_translate                      A   200/ok     200/ok      404/404    200/ok     login/login
news_newsitem_translate                      AB  200/ok     200/ok      200/ok     200/ok     login/login
news_newsitem_translate                      B   404/404    404/404     200/ok     200/ok     login/login
news_newsitem_tag_suggestions                -   200/200    200/200     200/200    200/200    login/login
news_newsitem_sign_off                       A   200/403    200/409     404/404    200/409    login/login
news_newsitem_sign_off                       AB  200/403    200/403     200/403    200/409    login/login
news_newsitem_sign_off                       B   404/404    404/404     200/403    200/409    login/login
news_newsitem_sign_off                       ABw 200/403    200/403     200/403    200/ok     login/login

news_event_changelist                        -   200/200    200/200     200/200    200/200    login/login
news_event_changelist:delete_selected        A   -/403      -/ok        -/404      -/ok       -/login
news_event_changelist:delete_selected        AB  -/403      -/403       -/403      -/ok       -/login
news_event_changelist:delete_selected        B   -/404      -/404       -/403      -/ok       -/login
news_event_changelist:publish_selected       A   -/403      -/302       -/403      -/302      -/login
news_event_changelist:publish_selected       AB  -/403      -/302       -/403      -/302      -/login
news_event_changelist:publish_selected       B   -/403      -/404       -/403      -/302      -/login
news_event_add                               -   200/ok     200/ok      200/200    200/ok     login/login
news_event_change                            A   200/403    200/ok      404/404    200/ok     login/login
news_event_change                            AB  200/403    200/ok      200/403    200/ok     login/login
news_event_change                            B   404/404    404/404     200/403    200/ok     login/login
news_event_redirect                          A   302/302    302/302     302/302    302/302    login/login
news_event_delete                            A   403/403    200/ok      404/404    200/ok     login/login
news_event_delete                            AB  403/403    403/403     403/403    200/ok     login/login
news_event_delete                            B   404/404    404/404     403/403    200/ok     login/login
news_event_history                           A   200/200    200/200     404/404    200/200    login/login
news_event_history                           AB  200/200    200/200     200/200    200/200    login/login
news_event_history                           B   404/404    404/404     200/200    200/200    login/login
news_event_revision                          A   403/403    200/ok      404/404    200/ok     login/login
news_event_revision                          AB  403/403    200/ok      403/403    200/ok     login/login
news_event_revision                          B   404/404    404/404     403/403    200/ok     login/login
news_event_preview                           A   200/400    200/200     404/404    200/200    login/login
news_event_preview                           AB  200/400    200/200     200/400    200/200    login/login
news_event_preview                           B   404/404    404/404     200/400    200/200    login/login
news_event_preview_new                       -   403/200    403/200     403/400    403/200    login/login
news_event_recoverlist                       -   200/200    200/200     200/200    200/200    login/login
news_event_recover                           A   200/ok     200/ok      403/403    200/ok     login/login
news_event_recover                           AB  403/403    403/403     403/403    200/ok     login/login
news_event_recover                           B   403/403    403/403     200/ok     200/ok     login/login

news_meetingseries_changelist                -   200/200    200/200     200/200    200/200    login/login
news_meetingseries_changelist:delete_selected - -/403      -/403       -/403      -/ok       -/login
news_meetingseries_add                       -   403/403    403/403     403/403    200/200    login/login
news_meetingseries_change                    -   200/403    200/403     200/403    200/ok     login/login
news_meetingseries_redirect                  -   302/302    302/302     302/302    302/302    login/login
news_meetingseries_delete                    -   403/403    403/403     403/403    200/ok     login/login
news_meetingseries_history                   -   200/200    200/200     200/200    200/200    login/login

news_fieldofwork_changelist                  -   200/200    200/200     200/200    200/200    login/login
news_fieldofwork_changelist:delete_selected  -   -/403      -/403       -/403      -/ok       -/login
news_fieldofwork_add                         -   403/403    403/403     403/403    200/200    login/login
news_fieldofwork_change                      -   200/403    200/403     200/403    200/ok     login/login
news_fieldofwork_redirect                    -   302/302    302/302     302/302    302/302    login/login
news_fieldofwork_delete                      -   403/403    403/403     403/403    200/ok     login/login
news_fieldofwork_history                     -   200/200    200/200     200/200    200/200    login/login
news_alias_changelist                        -   403/403    403/403     403/403    200/200    login/login
news_alias_changelist:delete_selected        -   -/403      -/403       -/403      -/ok       -/login
news_alias_add                               -   403/403    403/403     403/403    200/200    login/login
news_alias_change                            -   403/403    403/403     403/403    200/ok     login/login
news_alias_redirect                          -   302/302    302/302     302/302    302/302    login/login
news_alias_delete                            -   403/403    403/403     403/403    200/ok     login/login
news_alias_history                           -   403/403    403/403     403/403    200/200    login/login

alerts_alertlist_changelist                  -   403/403    403/403     403/403    200/200    login/login
alerts_alertlist_changelist:delete_selected  -   -/403      -/403       -/403      -/403      -/login
alerts_alertlist_add                         -   403/403    403/403     403/403    403/403    login/login
alerts_alertlist_change                      -   403/403    403/403     403/403    200/403    login/login
alerts_alertlist_redirect                    -   302/302    302/302     302/302    302/302    login/login
alerts_alertlist_delete                      -   403/403    403/403     403/403    403/403    login/login
alerts_alertlist_history                     -   403/403    403/403     403/403    200/200    login/login
alerts_subscriber_changelist                 -   403/403    403/403     403/403    200/200    login/login
alerts_subscriber_changelist:delete_selected -   -/403      -/403       -/403      -/ok       -/login
alerts_subscriber_add                        -   403/403    403/403     403/403    403/403    login/login
alerts_subscriber_change                     -   403/403    403/403     403/403    200/403    login/login
alerts_subscriber_redirect                   -   302/302    302/302     302/302    302/302    login/login
alerts_subscriber_delete                     -   403/403    403/403     403/403    200/ok     login/login
alerts_subscriber_history                    -   403/403    403/403     403/403    200/200    login/login
alerts_message_changelist                    -   403/403    403/403     403/403    200/200    login/login
alerts_message_changelist:delete_selected    -   -/403      -/403       -/403      -/403      -/login
alerts_message_add                           -   403/403    403/403     403/403    403/403    login/login
alerts_message_change                        -   403/403    403/403     403/403    200/403    login/login
alerts_message_redirect                      -   302/302    302/302     302/302    302/302    login/login
alerts_message_delete                        -   403/403    403/403     403/403    403/403    login/login
alerts_message_history                       -   403/403    403/403     403/403    200/200    login/login

django_tasks_database_dbtaskresult_changelist - 403/403  403/403     403/403    403/403    login/login
django_tasks_database_dbtaskresult_changelist:delete_selected - -/403 -/403 -/403 -/403  -/login
django_tasks_database_dbtaskresult_add       -   403/403    403/403     403/403    403/403    login/login
django_tasks_database_dbtaskresult_change    -   403/403    403/403     403/403    403/403    login/login
django_tasks_database_dbtaskresult_redirect  -   302/302    302/302     302/302    302/302    login/login
django_tasks_database_dbtaskresult_delete    -   403/403    403/403     403/403    403/403    login/login
django_tasks_database_dbtaskresult_history   -   403/403    403/403     403/403    403/403    login/login

structures_structure_changelist              -   200/200    200/200     200/200    200/200    login/login
structures_structure_changelist:delete_selected - -/403    -/403       -/403      -/ok       -/login
structures_structure_add                     -   403/403    403/403     403/403    200/200    login/login
structures_structure_change                  -   200/403    200/403     200/403    200/ok     login/login
structures_structure_redirect                -   302/302    302/302     302/302    302/302    login/login
structures_structure_delete                  -   403/403    403/403     403/403    200/ok     login/login
structures_structure_history                 -   200/200    200/200     200/200    200/200    login/login

countries_country_changelist                 -   200/200    200/200     200/200    200/200    login/login
countries_country_changelist:delete_selected -   -/403      -/403       -/403      -/ok       -/login
countries_country_add                        -   403/403    403/403     403/403    200/200    login/login
countries_country_change                     -   200/403    200/403     200/403    200/ok     login/login
countries_country_redirect                   -   302/302    302/302     302/302    302/302    login/login
countries_country_delete                     -   403/403    403/403     403/403    200/ok     login/login
countries_country_history                    -   200/200    200/200     200/200    200/200    login/login

countries_chairpersonship_changelist         -   403/403    403/403     403/403    200/200    login/login
countries_chairpersonship_changelist:delete_selected - -/403 -/403      -/403      -/ok       -/login
countries_chairpersonship_add                -   403/403    403/403     403/403    200/200    login/login
countries_chairpersonship_change             -   403/403    403/403     403/403    200/ok     login/login
countries_chairpersonship_redirect           -   302/302    302/302     302/302    302/302    login/login
countries_chairpersonship_delete             -   403/403    403/403     403/403    200/ok     login/login
countries_chairpersonship_history            -   403/403    403/403     403/403    200/200    login/login

taggit_tag_changelist                        -   200/200    200/200     200/200    200/200    login/login
taggit_tag_changelist:delete_selected        -   -/403      -/403       -/403      -/ok       -/login
taggit_tag_add                               -   200/200    200/200     200/200    200/200    login/login
taggit_tag_change                            -   200/403    200/403     404/404    200/ok     login/login
taggit_tag_redirect                          -   302/302    302/302     302/302    302/302    login/login
taggit_tag_delete                            -   403/403    403/403     404/404    200/ok     login/login
taggit_tag_history                           -   200/200    200/200     404/404    200/200    login/login

auth_user_changelist                         -   403/403    403/403     403/403    403/403    login/login
auth_user_changelist:delete_selected         -   -/403      -/403       -/403      -/403      -/login
auth_user_add                                -   403/403    403/403     403/403    403/403    login/login
auth_user_change                             -   403/403    403/403     403/403    403/403    login/login
auth_user_redirect                           -   302/302    302/302     302/302    302/302    login/login
auth_user_delete                             -   403/403    403/403     403/403    403/403    login/login
auth_user_history                            -   403/403    403/403     403/403    403/403    login/login
auth_user_password_change                    -   403/403    403/403     403/403    403/403    login/login

auth_group_changelist                        -   403/403    403/403     403/403    403/403    login/login
auth_group_changelist:delete_selected        -   -/403      -/403       -/403      -/403      -/login
auth_group_add                               -   403/403    403/403     403/403    403/403    login/login
auth_group_change                            -   403/403    403/403     403/403    403/403    login/login
auth_group_redirect                          -   302/302    302/302     302/302    302/302    login/login
auth_group_delete                            -   403/403    403/403     403/403    403/403    login/login
auth_group_history                           -   403/403    403/403     403/403    403/403    login/login
"""
for _model in ("accessattempt", "accesslog", "accessfailurelog"):
    EXPECTED += f"""
axes_{_model}_changelist    -  403/403 403/403 403/403 403/403 login/login
axes_{_model}_changelist:delete_selected - -/403 -/403 -/403 -/403 -/login
axes_{_model}_add           -  403/403 403/403 403/403 403/403 login/login
axes_{_model}_change        -  403/403 403/403 403/403 403/403 login/login
axes_{_model}_redirect      -  302/302 302/302 302/302 302/302 login/login
axes_{_model}_delete        -  403/403 403/403 403/403 403/403 login/login
axes_{_model}_history       -  403/403 403/403 403/403 403/403 login/login
"""
EXPECTED += """
axes_accessattempt_changelist:cleanup_expired_attempts - -/403 -/403 -/403 -/403 -/login
"""


def expected_table():
    table = {}
    for line in EXPECTED.strip().splitlines()[1:]:
        if not line.strip():
            continue
        door, on, *cells = line.split()
        assert len(cells) == len(ROLES), line
        for role, cell in zip(ROLES, cells, strict=True):
            get, post = cell.split("/")
            table[door, on, role, "GET"] = get
            table[door, on, role, "POST"] = post
    return table


# --- the doors, from the URL resolver -----------------------------------------------------------


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def door_name(route, pattern):
    if pattern.name:
        return pattern.name
    if route.endswith("<path:object_id>/"):  # Django's redirect from <id>/ to <id>/change/
        app_label, model = route.split("/")[:2]
        return f"{app_label}_{model}_redirect"
    if "(?P<url>" in route:
        return "catch_all"
    raise AssertionError(f"an admin URL without a name: {route}")


def admin_doors():
    """(door, route, group) for every pattern of the admin site, with a door per bulk action;
    the group is the model admin's ("news/newsitem/") or "site"."""
    doors = []
    for route, pattern in walk(admin.site.get_urls()):
        name = door_name(route, pattern)
        match = re.match(r"^(\w+/\w+/)", route)
        group = match.group(1) if match and name != "app_list" else "site"
        doors.append((name, route, group))
        if name.endswith("_changelist"):
            model_admin = pattern.callback.model_admin
            for _function, action, _description in model_admin._get_base_actions():
                doors.append((f"{name}:{action}", route, group))
    return doors


DOORS = admin_doors()


# --- the world the requests are made in -----------------------------------------------------


class World:
    """Users, items (published, each with an earlier draft version) and deleted items (drafts)
    of bodies A (Dushanbe) and B (Bishkek), and one object of every other model."""

    def __init__(self):
        self.users = {
            "editor_A": make_editor("editor-a", bodies=[DUSHANBE]),
            "publisher_A": make_editor("publisher-a", bodies=[DUSHANBE], groups=("Publisher",)),
            "editor_B": make_editor("editor-b", bodies=[BISHKEK]),
            "manager": make_editor("manager", bodies=[], groups=("Manager",)),
            "anonymous": None,
        }
        issuers = {"A": [DUSHANBE], "AB": [DUSHANBE, BISHKEK], "B": [BISHKEK]}
        self.items, self.old_versions, self.deleted, self.deleted_rows = {}, {}, {}, {}
        for on, bodies in issuers.items():
            item = item_of(*bodies, status="draft", title=f"Item {on} as a draft")
            self.old_versions[on] = save_revision(item)
            save_revision(item, status="published", title=f"Item {on}")
            item.tags.set([f"tag of {on}"])
            self.items[on] = NewsItem.objects.get(pk=item.pk)
            gone = item_of(*bodies, status="draft", title=f"Deleted {on}", slug=f"deleted-{on}")
            self.deleted_rows[on] = list(gone.issuing_bodies.all())
            self.deleted[on] = delete_with_history(gone)
        # Drafts, which may be deleted (a live item is withdrawn instead).
        for on, bodies in issuers.items():
            draft = item_of(*bodies, status="draft", title=f"Draft {on}", slug=f"draft-item-{on}")
            self.items[f"{on}d"] = NewsItem.objects.get(pk=draft.pk)
        # Sent by A's publisher: awaiting B's sign-off (news/signing.py).
        waiting = item_of(DUSHANBE, BISHKEK, status="draft", title="Item ABw", slug="item-abw")
        assert publishing.publish(waiting, by=self.users["publisher_A"]) == []
        self.items["ABw"] = NewsItem.objects.get(pk=waiting.pk)
        self.events, self.old_event_versions = {}, {}
        self.deleted_events, self.deleted_event_rows = {}, {}
        for on, bodies in issuers.items():
            event = event_of(*bodies, title=f"Event {on} as a draft", slug=f"event-{on}")
            self.old_event_versions[on] = save_event_revision(event)
            save_event_revision(event, status="published", title=f"Event {on}")
            self.events[on] = Event.objects.get(pk=event.pk)
            gone = event_of(*bodies, title=f"Deleted event {on}", slug=f"deleted-event-{on}")
            self.deleted_event_rows[on] = list(gone.organisers.all())
            self.deleted_events[on] = save_event_revision(gone)
            gone.delete()
        # A tag on a draft of A only: the tag admin must not show it to B.
        item_of(DUSHANBE, status="draft", title="Draft of A").tags.set(["draft tag of A"])
        alert_list = AlertList.objects.create(query="country=tajikistan")
        subscriber = Subscriber.objects.create(email="reader@example.org")
        Subscription.objects.create(subscriber=subscriber, alert_list=alert_list)
        attempt = {"user_agent": "matrix", "ip_address": "192.0.2.1", "username": "someone"}
        request = {"http_accept": "*/*", "path_info": "/admin/login/"}
        self.others = {
            "news_fieldofwork": FieldOfWork.objects.get(slug="border-management"),
            # A series no event belongs to, so that a manager may delete it.
            "news_meetingseries": MeetingSeries.objects.create(
                name="Series of the rights matrix", slug="series-of-the-rights-matrix"
            ),
            "news_alias": Alias.objects.create(
                label="Frontier management", field_of_work=FieldOfWork.objects.get(slug="migration")
            ),
            # Objects nothing else points to, so that a manager may delete them.
            "structures_structure": Structure.objects.filter(
                children__isnull=True, issuing_links__isnull=True, editors__isnull=True
            )
            .order_by("slug")
            .first(),
            "countries_country": Country.objects.get(code="AD"),
            "countries_chairpersonship": Chairpersonship.objects.get(year=2025),
            "taggit_tag": Tag.objects.get(name="draft tag of A"),
            "auth_user": self.users["editor_B"],
            "auth_group": Group.objects.get(name="Editor"),
            "axes_accessattempt": AccessAttempt.objects.create(
                **attempt, **request, get_data="", post_data="", failures_since_start=1
            ),
            "axes_accesslog": AccessLog.objects.create(**attempt, **request),
            "axes_accessfailurelog": AccessFailureLog.objects.create(**attempt, **request),
            "alerts_alertlist": alert_list,
            "alerts_subscriber": subscriber,
            "alerts_message": Message.objects.create(
                subscriber=subscriber, kind="confirmation", key="k", next_attempt_at=timezone.now()
            ),
            # Door names of django_tasks_db ("django_tasks_database_…") read as "django_tasks".
            "django_tasks": DBTaskResult.objects.create(
                args_kwargs={"args": [], "kwargs": {}},
                task_path="alerts.tasks.send_due_alerts",
                backend_name="default",
                run_after=timezone.now(),
            ),
        }

    def obj(self, door, on):
        model = "_".join(door.split(":")[0].split("_")[:2])
        if model == "news_newsitem" or door == "view_on_site":
            return self.items.get(on)
        if model == "news_event":
            return self.events.get(on)
        return self.others.get(model)


def rows_written():
    """How many rows of the tables but the sessions this transaction has inserted, updated or
    deleted so far, by PostgreSQL's own count. A request that leaves it unchanged wrote nothing,
    so has changed nothing, and the fingerprints need not be taken."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
            "FROM pg_stat_xact_user_tables WHERE relname <> 'django_session'"
        )
        return cursor.fetchone()[0]


def fingerprint():
    """One digest of every row of every table but the sessions (signing in writes there)."""
    tables = sorted(set(connection.introspection.table_names()) - {"django_session"})
    parts = " || ".join(
        f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{t}\" t)"
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT md5({parts})")
        return cursor.fetchone()[0]


# --- the requests -------------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The fields a browser sends when the form `form_id` of a page is submitted as it is."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.select, self.textarea = form_id, False, None, None
        self.fields = [("_save", "Save")]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside or "disabled" in attrs or not (attrs.get("name") or tag == "option"):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((attrs["name"], attrs.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            name, text = self.textarea
            self.fields.append((name, text.removeprefix("\n")))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def submitted(page, form_id, **changes):
    """The form of `page` as a browser submits it, with `changes` made to its fields."""
    parser = FormFields(form_id)
    parser.feed(page.content.decode())
    data = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        if name in data:
            data[name] = [value]
    return data


def url_of(door, route, world, on):
    obj = world.obj(door, on)
    name = door.split(":")[0]
    if name == "catch_all":
        return "/admin/no-such-page/"
    if name.endswith("_redirect"):
        return f"/admin/{route.split('<')[0]}{obj.pk}/"
    args = []
    if name == "view_on_site":
        return reverse_admin(name, ContentType.objects.get_for_model(obj).pk, obj.pk)
    if name == "app_list":
        return reverse_admin(name, "news")
    if name == "news_newsitem_revision":
        args = [obj.pk, world.old_versions[on].pk]
    elif name == "news_newsitem_recover":
        args = [world.deleted[on].pk]
    elif name == "news_event_revision":
        args = [obj.pk, world.old_event_versions[on].pk]
    elif name == "news_event_recover":
        args = [world.deleted_events[on].pk]
    elif "<path:object_id>" in route or "<id>" in route:
        args = [obj.pk]
    return reverse_admin(name, *args)


def reverse_admin(name, *args):
    from django.urls import reverse

    return reverse(f"admin:{name}", args=args)


def get_params(door):
    if door == "autocomplete":
        return {"app_label": "news", "model_name": "issuingbody", "field_name": "structure"}
    if door == "news_newsitem_tag_suggestions":
        return {"q": "tag of"}
    return {}


def post_data(door, route, url, world, on, manager):
    """What a browser posts to do the thing the door is for."""
    name, _, action = door.partition(":")
    item = world.items.get(on)
    if action:
        return {
            "action": action,
            ACTION_CHECKBOX: [world.obj(door, on).pk],
            "post": "yes",
            "withdrawn_reason": "Withdrawn by the rights matrix",
        }
    if name == "time_zone":
        return {"time_zone": "Asia/Dushanbe"}
    if name == "news_newsitem_withdraw":
        return {"withdrawn_reason": "Withdrawn by the rights matrix"}
    if name == "news_newsitem_checklist":
        return form_data(item, title="Checked by the rights matrix")
    if name in ("news_newsitem_add", "news_newsitem_preview_new", "news_newsitem_checklist_new"):
        return form_data(bodies=[DUSHANBE], slug="added-by-the-matrix")
    if name in ("news_newsitem_change", "news_newsitem_preview"):
        # Published jointly (AB), a change sends it back for sign-off, which the form asks the
        # publisher to confirm (news/admin/forms.py).
        return form_data(
            item, status="published", title="Changed by the rights matrix", resign_confirmed="on"
        )
    if name == "news_newsitem_sign_off":
        # A's body on A's item; B's everywhere else.
        body = Structure.objects.get(slug=DUSHANBE if on == "A" else BISHKEK)
        return {"body": body.pk, "version": item.version, "decision": "sign"}
    if name == "news_newsitem_translate":
        return {"language": "ru"}
    if name == "news_newsitem_revision":
        return form_data(item, status="draft", title=f"Item {on} as a draft")
    if name == "news_newsitem_recover":
        version = world.deleted[on]
        data = recover_data(
            world.deleted_rows[on], title=f"Deleted {on}", slug=f"deleted-{on}", status="draft"
        )
        data["edit_version"] = version.field_dict.get("version")
        return data
    if name.startswith("news_event_"):
        return event_post_data(name, world, on)
    if name.endswith("_delete"):
        return {"post": "yes"}
    if name.endswith(("_change", "_add")) and route.count("/") >= 2:  # a model's form
        model = name.rsplit("_", 1)[0].split("_", 1)[1]
        page = manager.get(url)
        return submitted(page, f"{model}_form", name="Renamed by the rights matrix")
    return get_params(door)


def event_post_data(name, world, on):
    event = world.events.get(on)
    if name in ("news_event_add", "news_event_preview_new"):
        return event_form_data(organisers=[DUSHANBE], slug="event-added-by-the-matrix")
    if name in ("news_event_change", "news_event_preview"):
        return event_form_data(event, status="published", title="Changed by the rights matrix")
    if name == "news_event_revision":
        return event_form_data(event, status="draft", title=f"Event {on} as a draft")
    if name == "news_event_recover":
        return recover_event_data(
            world.deleted_events[on],
            world.deleted_event_rows[on],
            title=f"Deleted event {on}",
            slug=f"deleted-event-{on}",
        )
    if name == "news_event_delete":
        return {"post": "yes"}
    return {}


ACTION_CHECKBOX = "_selected_action"


def outcome(response, changed):
    if changed:
        return "ok"
    if response.status_code == 302 and response["Location"].startswith("/admin/login/"):
        return "login"
    return str(response.status_code)


def run_door(door, route, world, clients, on):
    """{(role, method): outcome} for one door, each request rolled back."""
    manager = clients["manager"]
    url = url_of(door, route, world, on)
    results = {}
    for method in ("GET", "POST"):
        if ":" in door and method == "GET":
            continue
        if door == "login" and method == "POST":
            continue  # each wrong password is recorded (django-axes): a change by design
        for role in ROLES:
            client = clients[role]
            with transaction.atomic():
                data = post_data(door, route, url, world, on, manager) if method == "POST" else {}
                written = rows_written()
                with transaction.atomic():
                    if method == "GET":
                        response = client.get(url, get_params(door))
                    else:
                        response = client.post(url, data)
                    # Rows written may hold what they held (a save of the same values): the
                    # database is then compared with itself as it was, once the request is
                    # rolled back.
                    after = fingerprint() if rows_written() != written else None
                    transaction.set_rollback(True)
                changed = after is not None and fingerprint() != after
                transaction.set_rollback(True)
            results[role, method] = outcome(response, changed)
            if door == "logout" and role != "anonymous":
                client.force_login(world.users[role])
    return results


# --- the tests ----------------------------------------------------------------------------------


def test_every_admin_url_has_its_row_and_every_row_its_url():
    in_table = {door for door, _on, _role, _method in expected_table()}
    from_resolver = {door for door, _route, _group in DOORS}
    assert from_resolver - in_table == set(), "admin URLs without a row in EXPECTED"
    assert in_table - from_resolver == set(), "rows in EXPECTED for URLs that do not exist"


def signed_in_clients(world):
    clients = {}
    for role, user in world.users.items():
        clients[role] = Client()
        if user is not None:
            clients[role].force_login(user)
    return clients


@pytest.mark.parametrize("group", sorted({group for _door, _route, group in DOORS}))
def test_rights_matrix(group):
    world = World()
    clients = signed_in_clients(world)
    table = expected_table()
    mismatches, requests = [], 0
    for door, route, door_group in DOORS:
        if door_group != group:
            continue
        for on in sorted({on for (d, on, _r, _m) in table if d == door}):
            results = run_door(door, route, world, clients, on)
            requests += len(results)
            for role in ROLES:
                for method in ("GET", "POST"):
                    want, got = table[door, on, role, method], results.get((role, method), "-")
                    if want != got:
                        mismatches.append(f"{door} on {on}, {role}, {method}: {got}, not {want}")
    assert requests > 0
    assert not mismatches, "\n".join(mismatches)

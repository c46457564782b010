"""Joint issuance (news/signing.py, news/admin/signoffs.py): an item issued by several bodies goes
public only once each of them has signed off on it as it stands. Bodies: A (Dushanbe), B
(Bishkek), C (the Secretariat)."""

import datetime
import importlib
import io
import json
import re
import threading

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import default_task_backend

from alerts.announcing import new_public_items
from news import publishing, signing
from news.models import NewsItem, SignOff
from news.sign_off_mail import tell_publishers

from .factories import NewsItemFactory
from .test_admin import ADD_URL, change_url, errors_of, form_data, make_editor, structure
from .test_admin_rights import border_management, save_revision

pytestmark = pytest.mark.usefixtures("reference_data")

A, B, C = "programme-office-in-dushanbe", "programme-office-in-bishkek", "secretariat"
CHANGELIST = "/admin/news/newsitem/"


@pytest.fixture
def people():
    def user(name, bodies, group, email=True):
        made = make_editor(name, bodies=bodies, groups=(group,))
        if email:
            made.email = f"{name}@example.org"
            made.save()
        return made

    return {
        "editor_A": user("editor-a", [A], "Editor"),
        "publisher_A": user("publisher-a", [A], "Publisher"),
        "editor_B": user("editor-b", [B], "Editor"),
        "publisher_B": user("publisher-b", [B], "Publisher"),
        "publisher_C": user("publisher-c", [C], "Publisher"),
        "manager": user("manager", [], "Manager"),
    }


def joint_draft(*slugs, **fields):
    fields.setdefault("title", "Joint statement on border management")
    fields.setdefault("slug", "joint-statement")
    return NewsItemFactory(
        status="draft",
        issued_by=[structure(slug) for slug in slugs],
        fields_of_work=[border_management()],
        **fields,
    )


def sent(item, by):
    """Published by `by` through the door: awaiting the others' sign-off."""
    assert publishing.publish(item, by=by) == []
    item.refresh_from_db()
    return item


def form_of(item, **changes):
    """The edit form as it shows the item, with `changes`."""
    item.refresh_from_db()
    same = {"title": item.title, "slug": item.slug, "lead": item.lead, "body": item.body}
    return form_data(item, **{"status": item.status, **same, **changes})


def sign_off_url(item):
    return f"/admin/news/newsitem/{item.pk}/sign-off/"


def decide(client, item, slug, decision="sign", *, version=None, reason=""):
    item.refresh_from_db()
    return client.post(
        sign_off_url(item),
        {
            "body": structure(slug).pk,
            "version": item.version if version is None else version,
            "decision": decision,
            "reason": reason,
        },
    )


def row(item, slug):
    return SignOff.objects.get(item=item, structure=structure(slug))


def as_user(client, user):
    client.force_login(user)
    return client


def requests_queued():
    return [r for r in default_task_backend.results if r.task.func is tell_publishers.func]


@pytest.fixture(autouse=True)
def no_tasks_left():
    default_task_backend.results.clear()
    yield
    default_task_backend.results.clear()


# --- 1. sign-off per co-issuer ----------------------------------------------------------------


def test_publishing_a_joint_item_asks_the_other_body_and_nothing_is_public(
    client, people, django_capture_on_commit_callbacks
):
    as_user(client, people["publisher_A"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD_URL, form_data(bodies=[A, B], status="published"), follow=True)
    assert response.status_code == 200, errors_of(response)
    item = NewsItem.objects.get(slug="border-officers-trained-in-dushanbe")
    assert item.status == NewsItem.Status.AWAITING
    assert "Awaiting sign-off by OSCE Programme Office in Bishkek" in response.content.decode()
    mine, theirs = row(item, A), row(item, B)
    assert (mine.state, mine.basis, mine.decided_by) == (
        "signed",
        "publisher",
        people["publisher_A"],
    )
    assert (theirs.state, theirs.requested_by) == ("requested", people["publisher_A"])
    # Nothing about it is public.
    client.logout()
    assert client.get(f"/news/{item.slug}/").status_code == 404
    for address in ("/news/", "/news/rss/", "/api/news/", "/sitemap-news.xml", "/news/?q=officers"):
        assert item.slug not in client.get(address).content.decode(), address
    # The history says who asked whom.
    as_user(client, people["publisher_A"])
    history = client.get(f"/admin/news/newsitem/{item.pk}/history/").content.decode()
    assert "Sign-off requested from OSCE Programme Office in Bishkek." in history
    # B's publishers (not its editors, not A's people) are emailed a link to the sign-off page.
    [queued] = requests_queued()
    assert tell_publishers.call(*queued.args, **queued.kwargs) == 1
    [message] = mail.outbox
    assert message.to == ["publisher-b@example.org"]
    assert f"http://testserver{sign_off_url(item)}" in message.body
    assert "OSCE Programme Office in Bishkek" in message.body


def test_the_last_sign_off_publishes_it_everywhere_through_the_page_cache(
    client, people, commit, page_cache_on, nothing_owed
):
    item = commit(lambda: sent(joint_draft(A, B, C), people["publisher_A"]))
    addresses = ["/news/", "/news/rss/", "/api/news/", "/sitemap-news.xml", "/news/?q=joint"]
    visitor = type(client)()
    for address in addresses:  # each page cached without it
        assert item.slug not in visitor.get(address).content.decode()
    as_user(client, people["publisher_B"])
    assert commit(lambda: decide(client, item, B)).status_code == 302
    item.refresh_from_db()
    assert item.status == NewsItem.Status.AWAITING  # C has not signed
    for address in addresses:
        assert item.slug not in visitor.get(address).content.decode()
    as_user(client, people["publisher_C"])
    response = commit(lambda: decide(client, item, C))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.updated_by) == ("published", people["publisher_C"])
    for address in addresses:
        assert item.slug in visitor.get(address).content.decode(), address
    assert visitor.get(f"/news/{item.slug}/").status_code == 200


# --- 2. changes reset it ----------------------------------------------------------------------


def test_a_change_between_two_sign_offs_asks_again_showing_what_changed(client, people):
    item = sent(joint_draft(A, B, C), people["publisher_A"])
    as_user(client, people["publisher_B"])
    assert decide(client, item, B).status_code == 302
    as_user(client, people["publisher_A"])
    response = client.post(
        change_url(item), form_data(item, status="published", title="Joint statement, corrected")
    )
    assert response.status_code == 302, errors_of(response)
    item.refresh_from_db()
    assert item.status == NewsItem.Status.AWAITING
    assert row(item, B).state == SignOff.State.REQUESTED  # its sign-off was of the old title
    as_user(client, people["publisher_C"])
    assert decide(client, item, C).status_code == 302
    item.refresh_from_db()
    assert item.status == NewsItem.Status.AWAITING  # B signed an earlier version
    as_user(client, people["publisher_B"])
    page = client.get(sign_off_url(item)).content.decode()
    assert re.search(r"<del>[^<]*border management</del>", page)
    assert re.search(r"<ins>[^<]*corrected</ins>", page)
    assert decide(client, item, B).status_code == 302
    item.refresh_from_db()
    assert item.status == NewsItem.Status.PUBLISHED


def test_a_change_to_a_published_joint_item_takes_it_back_for_sign_off(client, people):
    item = sent(joint_draft(A, B), people["publisher_A"])
    signing.sign(item, structure(B), by=people["publisher_B"], seen_version=item.version)
    item.refresh_from_db()
    assert item.is_public
    as_user(client, people["publisher_A"])
    # Tags, fields and countries are not signed: changing them keeps it public.
    response = client.post(change_url(item), form_of(item, tags="visits", countries=[]))
    assert response.status_code == 302, errors_of(response)
    item.refresh_from_db()
    assert item.status == NewsItem.Status.PUBLISHED
    # The lead is: B is asked again, and the item leaves the public site until it signs. The
    # publisher is told so before anything is saved, and says to go ahead.
    response = client.post(change_url(item), form_of(item, lead="New lead."))
    assert response.status_code == 200
    assert (
        "This change takes the item off the public site until OSCE Programme Office in Bishkek "
        "sign off on it again." in errors_of(response)
    )
    item.refresh_from_db()
    assert item.is_public and item.lead == "A short lead."
    response = client.post(change_url(item), form_of(item, lead="New lead.", resign_confirmed="on"))
    assert response.status_code == 302, errors_of(response)
    item.refresh_from_db()
    assert item.status == NewsItem.Status.AWAITING
    assert client.get(f"/news/{item.slug}/").status_code == 404


def test_adding_a_body_asks_for_its_sign_off(client, people):
    item = sent(joint_draft(A, B), people["publisher_A"])
    signing.sign(item, structure(B), by=people["publisher_B"], seen_version=item.version)
    item.refresh_from_db()
    manager = as_user(client, people["manager"])
    response = manager.post(
        change_url(item), form_data(item, bodies=[C], status="published", resign_confirmed="on")
    )
    assert response.status_code == 302, errors_of(response)
    item.refresh_from_db()
    assert item.status == NewsItem.Status.AWAITING
    # The list of bodies changed: each is asked again, the new one for the first time.
    assert {row.structure.slug: row.state for row in item.sign_offs.all()} == {
        A: "requested",
        B: "requested",
        C: "requested",
    }


# --- concurrent decisions and edits -----------------------------------------------------------


def test_a_sign_off_of_a_version_changed_since_is_refused_and_records_nothing(client, people):
    item = sent(joint_draft(A, B), people["publisher_A"])
    opened = item.version  # B's publisher opens the sign-off page
    other = type(client)()
    as_user(other, people["publisher_A"])
    response = other.post(change_url(item), form_data(item, status="published", lead="Changed."))
    assert response.status_code == 302, errors_of(response)
    as_user(client, people["publisher_B"])
    response = decide(client, item, B, version=opened)
    assert response.status_code == 409
    assert "after you opened it" in response.content.decode()
    assert row(item, B).state == SignOff.State.REQUESTED
    item.refresh_from_db()
    assert item.status == NewsItem.Status.AWAITING


def test_an_edit_opened_before_the_last_sign_off_is_refused(client, people):
    item = sent(joint_draft(A, B), people["publisher_A"])
    stale_form = form_data(item, status="published", title="Written over the sign-off")
    as_user(client, people["publisher_B"])
    assert decide(client, item, B).status_code == 302
    as_user(client, people["publisher_A"])
    response = client.post(change_url(item), stale_form)
    assert response.status_code == 200
    assert "after you opened it" in errors_of(response)
    item.refresh_from_db()
    assert (item.title, item.status) == ("Joint statement on border management", "published")


# --- the issued-on time still applies -----------------------------------------------------------


def test_a_fully_signed_item_with_a_future_time_goes_live_then(
    client, people, commit, page_cache_on, nothing_owed, monkeypatch
):
    go_live = timezone.now() + datetime.timedelta(hours=2)
    item = commit(lambda: sent(joint_draft(A, B, published_at=go_live), people["publisher_A"]))
    as_user(client, people["publisher_B"])
    response = commit(lambda: decide(client, item, B))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.published_at) == ("published", go_live)
    visitor = type(client)()
    assert item.slug not in visitor.get("/news/").content.decode()
    later = go_live + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert item.slug in visitor.get("/news/").content.decode()


def test_sent_without_an_issued_on_time_it_is_issued_at_the_last_sign_off(client, people):
    as_user(client, people["publisher_A"])
    data = form_data(bodies=[A, B], status="published", published_at_0="", published_at_1="")
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    item = NewsItem.objects.get()
    assert (item.status, item.published_at) == ("awaiting", None)
    before = timezone.now()
    as_user(client, people["publisher_B"])
    assert decide(client, item, B).status_code == 302
    item.refresh_from_db()
    assert item.status == "published" and item.published_at >= before
    # A single body's item still needs its time.
    as_user(client, people["publisher_A"])
    data = form_data(
        bodies=[A], status="published", slug="alone", published_at_0="", published_at_1=""
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "Give the time the item goes public" in errors_of(response)


# --- who may decide: the rights matrix of sign-off -------------------------------------------

# On an item of A and B awaiting B: the page (GET), signing for B, declining for B (POST).
SIGN_OFF_RIGHTS = {
    "editor_A": (200, 403, 403),
    "publisher_A": (200, 403, 403),
    "editor_B": (200, 403, 403),
    "publisher_B": (200, 302, 302),
    "publisher_C": (404, 404, 404),
    "manager": (200, 302, 302),
}


@pytest.mark.parametrize("role", sorted(SIGN_OFF_RIGHTS))
def test_who_may_sign_off_and_decline(client, people, role):
    expected_page, expected_sign, expected_decline = SIGN_OFF_RIGHTS[role]
    item = sent(joint_draft(A, B), people["publisher_A"])
    as_user(client, people[role])
    assert client.get(sign_off_url(item)).status_code == expected_page
    for decision, expected in (("decline", expected_decline), ("sign", expected_sign)):
        response = decide(client, item, B, decision, reason="Not our wording.")
        assert response.status_code == expected, decision
        if expected == 302:
            break  # decided: the other decision has nothing left to decide
        assert row(item, B).state == SignOff.State.REQUESTED
    if expected_decline == 302:
        decided = row(item, B)
        assert decided.state == SignOff.State.DECLINED
        assert decided.basis == ("manager" if role == "manager" else "publisher")
    # Nobody signs for A, whose publisher signed by sending it.
    assert row(item, A).decided_by == people["publisher_A"]


def test_a_publisher_signs_only_where_a_request_is_open(client, people):
    item = sent(joint_draft(A, B), people["publisher_A"])
    as_user(client, people["publisher_A"])
    response = decide(client, item, A)  # A signed by sending it
    assert response.status_code == 409
    assert "no open request" in response.content.decode()
    response = client.post(sign_off_url(item), {"body": "x", "version": "1", "decision": "sign"})
    assert response.status_code == 400


# --- 3. declining and withdrawing ------------------------------------------------------------


def test_declining_needs_a_reason_and_returns_the_item_to_draft(client, people):
    item = sent(joint_draft(A, B), people["publisher_A"])
    as_user(client, people["publisher_B"])
    response = decide(client, item, B, "decline", reason="  ")
    assert response.status_code == 409
    assert "Say why you decline" in response.content.decode()
    response = decide(client, item, B, "decline", reason="The figures are not ours.")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == NewsItem.Status.DRAFT
    # Its editors read why, on the form and in the list.
    as_user(client, people["editor_A"])
    assert "The figures are not ours." in client.get(change_url(item)).content.decode()
    assert "declined by OSCE Programme Office in Bishkek" in client.get(CHANGELIST).content.decode()
    history = client.get(f"/admin/news/newsitem/{item.pk}/history/").content.decode()
    assert "Declined for OSCE Programme Office in Bishkek: The figures are not ours." in history
    # Sent again, B is asked again.
    item.refresh_from_db()
    sent(item, people["publisher_A"])
    assert row(item, B).state == SignOff.State.REQUESTED


def test_a_co_issuer_takes_its_name_off_only_through_a_new_signed_version(client, people):
    item = sent(joint_draft(A, B, C), people["publisher_A"])
    for slug, who in ((B, "publisher_B"), (C, "publisher_C")):
        item.refresh_from_db()
        assert (
            signing.sign(item, structure(slug), by=people[who], seen_version=item.version) is None
        )
    item.refresh_from_db()
    assert item.status == NewsItem.Status.PUBLISHED
    # A's publisher may not remove B.
    as_user(client, people["publisher_A"])
    data = form_data(item, status="published")
    b_row = next(k for k, v in data.items() if k.endswith("-structure") and v == structure(B).pk)
    response = client.post(change_url(item), {**data, b_row.replace("structure", "DELETE"): "on"})
    assert response.status_code == 200
    assert "Only its own editors may remove a co-issuing body." in errors_of(response)
    # B's publisher may: the item goes back to A and C, for them to sign off as it now stands.
    as_user(client, people["publisher_B"])
    data = form_data(item, status="published", resign_confirmed="on")
    response = client.post(change_url(item), {**data, b_row.replace("structure", "DELETE"): "on"})
    assert response.status_code == 302, errors_of(response)
    item.refresh_from_db()
    assert [body.structure.slug for body in item.issuing_bodies.all()] == [A, C]
    assert item.status == NewsItem.Status.AWAITING
    assert {row.structure.slug: row.state for row in item.sign_offs.all()} == {
        A: "requested",
        C: "requested",
    }


def test_a_co_issuer_withdraws_the_whole_item(client, people):
    item = sent(joint_draft(A, B), people["publisher_A"])
    signing.sign(item, structure(B), by=people["publisher_B"], seen_version=item.version)
    as_user(client, people["publisher_B"])
    response = client.post(
        CHANGELIST,
        {
            "action": "withdraw_selected",
            "_selected_action": [item.pk],
            "withdrawn_reason": "Issued without our final text.",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.withdrawn_reason) == ("withdrawn", "Issued without our final text.")
    # Withdrawing it took back B's sign-off: A's publisher cannot put it back under B's name.
    withdrawn = row(item, B)
    assert (withdrawn.state, withdrawn.reason) == (
        "declined",
        "Withdrawn: Issued without our final text.",
    )
    item.refresh_from_db()
    sent(item, people["publisher_A"])
    assert item.status == NewsItem.Status.AWAITING
    assert row(item, B).state == SignOff.State.REQUESTED


def test_the_bulk_publish_of_a_joint_item_says_whom_it_asked(client, people):
    item = joint_draft(A, B)
    as_user(client, people["publisher_A"])
    response = client.post(
        CHANGELIST, {"action": "publish_selected", "_selected_action": [item.pk]}, follow=True
    )
    page = response.content.decode()
    assert "Awaiting the co-issuers’ sign-off before they go public: “Joint statement" in page
    history = client.get(f"/admin/news/newsitem/{item.pk}/history/").content.decode()
    assert (
        "Published with the bulk action. Sign-off requested from OSCE Programme Office in "
        "Bishkek." in history
    )


# --- 4. where it shows ---------------------------------------------------------------------------


def test_the_filters_the_form_and_the_home_page_show_what_awaits_whom(client, people):
    waiting = sent(joint_draft(A, B), people["publisher_A"])
    NewsItemFactory(title="Single-body item", issued_by=[structure(A)])
    as_user(client, people["publisher_B"])
    mine = client.get(CHANGELIST, {"sign_off": "mine"}).content.decode()
    others = client.get(CHANGELIST, {"sign_off": "others"}).content.decode()
    assert waiting.title in mine and waiting.title not in others
    home = client.get("/admin/").content.decode()
    assert re.search(r'Awaiting my sign-off</a>:\s*<span class="desk-count">1</span>', home)
    form = client.get(change_url(waiting)).content.decode()
    assert "Requested by publisher-a" in form and "Review and sign off" in form
    as_user(client, people["publisher_A"])
    mine = client.get(CHANGELIST, {"sign_off": "mine"}).content.decode()
    others = client.get(CHANGELIST, {"sign_off": "others"}).content.decode()
    assert waiting.title not in mine and waiting.title in others
    home = client.get("/admin/").content.decode()
    assert re.search(r'Awaiting my sign-off</a>:\s*<span class="desk-count">0</span>', home)
    listing = client.get(CHANGELIST).content.decode()
    assert "Awaiting sign-off: OSCE Programme Office in Bishkek" in listing
    form = client.get(change_url(waiting)).content.decode()
    assert "Signed off by publisher-a" in form and "Review and sign off" not in form


# --- 5. managers, and bodies that never sign ---------------------------------------------------


def test_a_manager_signs_for_a_body_recorded_as_such(client, people):
    item = sent(joint_draft(A, B), people["publisher_A"])
    as_user(client, people["manager"])
    assert decide(client, item, B).status_code == 302
    signed = row(item, B)
    assert (signed.state, signed.basis, signed.decided_by) == (
        "signed",
        "manager",
        people["manager"],
    )
    history = client.get(f"/admin/news/newsitem/{item.pk}/history/").content.decode()
    assert (
        "Signed off for OSCE Programme Office in Bishkek. (By a manager, for the body.)" in history
    )


def test_a_body_that_does_not_sign_joint_items_is_named_without_asking(people):
    unit = structure(C)
    unit.signs_joint_items = False
    unit.save()
    item = sent(joint_draft(A, C), people["publisher_A"])
    assert item.status == NewsItem.Status.PUBLISHED
    assert not SignOff.objects.filter(item=item, structure=unit).exists()


# --- 6. imports keep their state ---------------------------------------------------------------


def import_lines(tmp_path, *lines):
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_news", str(path), stdout=out, stderr=err)
    except Exception as error:
        return f"{out.getvalue()}{err.getvalue()}{error}"
    return out.getvalue() + err.getvalue()


LINE = {
    "title": "Joint press release",
    "lead": "Lead.",
    "body_html": "<p>Body.</p>",
    "published_at": "2019-05-01",
    "issued_by": [A, B],
    "fields_of_work": ["border-management"],
}


def test_an_imported_joint_item_keeps_its_state(tmp_path, client, people):
    import_lines(
        tmp_path,
        {**LINE, "slug": "joint-published", "status": "published"},
        {**LINE, "slug": "joint-draft", "status": "draft"},
    )
    published = NewsItem.objects.get(slug="joint-published")
    assert published.is_public
    assert {(r.structure.slug, r.state, r.basis) for r in published.sign_offs.all()} == {
        (A, "signed", "import"),
        (B, "signed", "import"),
    }
    assert not NewsItem.objects.get(slug="joint-draft").sign_offs.exists()
    # A later change asks the other body, as any change does.
    as_user(client, people["publisher_A"])
    response = client.post(
        change_url(published),
        form_data(published, status="published", lead="Changed.", resign_confirmed="on"),
    )
    assert response.status_code == 302, errors_of(response)
    published.refresh_from_db()
    assert published.status == NewsItem.Status.AWAITING
    assert row(published, B).state == SignOff.State.REQUESTED


def test_an_import_refuses_an_item_awaiting_nobody(tmp_path):
    report = import_lines(
        tmp_path, {**LINE, "slug": "alone", "status": "awaiting", "issued_by": [A]}
    )
    assert "line 1" in report and "needs at least two issuing bodies" in report
    assert not NewsItem.objects.filter(slug="alone").exists()


def test_joint_items_published_before_sign_offs_were_kept_count_as_signed():
    item = NewsItemFactory(issued_by=[structure(A), structure(B)])
    single = NewsItemFactory(issued_by=[structure(A)])
    migration = importlib.import_module("news.migrations.0020_sign_offs")
    migration.record_joint_items(apps, None)
    assert {(r.structure.slug, r.state, r.basis) for r in item.sign_offs.all()} == {
        (A, "signed", "record"),
        (B, "signed", "record"),
    }
    assert not single.sign_offs.exists()
    # The content recorded is what signing.py compares with: the sign-offs hold.
    issuers = signing.issuers_of(item)
    assert all(
        signing.holds(r, signing.signed_content(item, issuers)) for r in item.sign_offs.all()
    )


@pytest.mark.django_db(transaction=True)
def test_a_sign_off_waits_for_a_concurrent_edit_and_is_then_refused(reference_data):
    """Two real connections: an edit's save holds the row while the sign-off is made; the
    sign-off, of the version read before the edit, is refused once the edit is committed."""
    dushanbe = make_editor("concurrent-a", bodies=[A], groups=("Publisher",))
    bishkek = make_editor("concurrent-b", bodies=[B], groups=("Publisher",))
    item = sent(joint_draft(A, B), dushanbe)
    read_by_the_signer = item.version
    row_locked, release = threading.Event(), threading.Event()

    def edit():
        try:
            with transaction.atomic():
                saving = NewsItem.objects.select_for_update().get(pk=item.pk)
                saving.lead = "Changed while the co-issuer was reading."
                saving.version += 1
                saving.updated_by = dushanbe
                saving.save()
                signing.settle(saving, by=dushanbe)
                row_locked.set()
                release.wait(10)
        finally:
            connection.close()

    editing = threading.Thread(target=edit)
    editing.start()
    assert row_locked.wait(10)
    outcome = []
    signer = threading.Thread(
        target=lambda: (
            outcome.append(
                signing.sign(item, structure(B), by=bishkek, seen_version=read_by_the_signer)
            ),
            connection.close(),
        )
    )
    signer.start()
    signer.join(0.5)
    assert signer.is_alive()  # waiting for the edit's lock
    release.set()
    editing.join(10)
    signer.join(10)
    [refusal] = outcome
    assert "changed the item" in refusal and "concurrent-a" in refusal
    assert row(item, B).state == SignOff.State.REQUESTED
    item.refresh_from_db()
    assert (item.status, item.lead) == ("awaiting", "Changed while the co-issuer was reading.")


def test_email_alerts_announce_it_at_the_last_sign_off_not_before(people):
    item = sent(joint_draft(A, B, published_at=timezone.now()), people["publisher_A"])
    assert item.pk not in new_public_items(timezone.now())
    signing.sign(item, structure(B), by=people["publisher_B"], seen_version=item.version)
    assert item.pk in new_public_items(timezone.now())


def test_restoring_an_earlier_version_asks_the_co_issuers_again(client, people):
    item = joint_draft(A, B, title="First wording")
    earlier = save_revision(item, status="published")
    save_revision(item, title="Second wording", status="draft")
    sent(item, people["publisher_A"])
    signing.sign(item, structure(B), by=people["publisher_B"], seen_version=item.version)
    item.refresh_from_db()
    assert item.is_public
    as_user(client, people["publisher_A"])
    response = client.post(
        f"/admin/news/newsitem/{item.pk}/history/{earlier.pk}/",
        form_of(item, title="First wording", status="published"),
    )
    assert response.status_code == 302, errors_of(response)
    item.refresh_from_db()
    assert (item.title, item.status) == ("First wording", "awaiting")
    assert row(item, B).state == SignOff.State.REQUESTED


def test_a_publisher_of_every_co_issuer_publishes_at_once_and_a_manager_is_asked(people):
    both = make_editor("both-offices", bodies=[A, B], groups=("Publisher",))
    item = sent(joint_draft(A, B), both)
    assert item.status == NewsItem.Status.PUBLISHED
    assert {(r.structure.slug, r.state, r.decided_by) for r in item.sign_offs.all()} == {
        (A, "signed", both),
        (B, "signed", both),
    }
    # A manager signs for a body explicitly, on its sign-off page: publishing asks every body.
    other = sent(joint_draft(A, B, slug="another-joint-statement"), people["manager"])
    assert other.status == NewsItem.Status.AWAITING
    assert {r.state for r in other.sign_offs.all()} == {"requested"}

"""Rights through every door of the back office, door by door: django-reversion's history,
restore and recovery, unpublishing, deleting (one and in bulk), the bulk actions and the
publishing service they use, "view on site" and tag suggestions. tests/test_rights_matrix.py
walks every admin URL for every role; these tests name each rule."""

import threading

import pytest
import reversion
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from news import publishing
from news.models import FieldOfWork, IssuingBody, NewsItem
from structures.models import Structure

from .factories import NewsItemFactory
from .test_admin import change_url, errors_of, form_data, make_editor, structure

pytestmark = pytest.mark.usefixtures("reference_data")

DUSHANBE, BISHKEK = "programme-office-in-dushanbe", "programme-office-in-bishkek"
CHANGELIST = "/admin/news/newsitem/"


@pytest.fixture
def dushanbe_editor():
    return make_editor("dushanbe", bodies=[DUSHANBE])


@pytest.fixture
def dushanbe_publisher():
    return make_editor("dushanbe-publisher", bodies=[DUSHANBE], groups=("Publisher",))


@pytest.fixture
def bishkek_publisher():
    return make_editor("bishkek-publisher", bodies=[BISHKEK], groups=("Publisher",))


@pytest.fixture
def manager():
    return make_editor("manager", bodies=[], groups=("Manager",))


def border_management():
    return FieldOfWork.objects.get(slug="border-management")


def item_of(*slugs, **fields):
    fields.setdefault("fields_of_work", [border_management()])
    return NewsItemFactory(issued_by=[structure(slug) for slug in slugs], **fields)


def save_revision(item, **changes):
    """Change and save an item as the admin does: one revision with its issuing bodies."""
    for name, value in changes.items():
        setattr(item, name, value)
    with reversion.create_revision():
        item.save()
    return Version.objects.get_for_object(item).order_by("-pk").first()


def revision_url(item, version):
    return f"/admin/news/newsitem/{item.pk}/history/{version.pk}/"


def snapshot(item):
    item.refresh_from_db()
    return (item.title, item.status, item.version, item.body, item.lead)


# --- history and restore ------------------------------------------------------------------------


@pytest.mark.parametrize("with_form", [False, True])
def test_another_offices_item_cannot_be_rolled_back_through_its_history(
    client, dushanbe_editor, with_form
):
    theirs = item_of(BISHKEK, title="Draft title", status="draft")
    old = save_revision(theirs)
    save_revision(theirs, title="Published title", status="published")
    before = snapshot(theirs)
    client.force_login(dushanbe_editor)
    data = form_data(theirs, title="Draft title") if with_form else {}
    response = client.post(revision_url(theirs, old), data)
    assert response.status_code == 404
    assert snapshot(theirs) == before
    assert client.get(revision_url(theirs, old)).status_code == 404
    assert client.get(f"/admin/news/newsitem/{theirs.pk}/history/").status_code == 404


def test_a_version_is_looked_up_among_the_items_own_versions(client, dushanbe_publisher):
    ours = item_of(DUSHANBE)
    theirs = item_of(BISHKEK, title="Bishkek's title")
    save_revision(ours)
    their_version = save_revision(theirs)
    before = snapshot(ours)
    client.force_login(dushanbe_publisher)
    response = client.post(revision_url(ours, their_version), form_data(ours))
    assert response.status_code == 404
    assert snapshot(ours) == before
    # A version of another model (an "Issued by" row) with the same id is no version of it.
    row = Version.objects.filter(
        content_type=ContentType.objects.get(app_label="news", model="issuingbody")
    ).first()
    assert client.get(revision_url(ours, row)).status_code == 404


def test_an_editor_cannot_roll_a_published_item_back_to_a_draft(client, dushanbe_editor):
    item = item_of(DUSHANBE, title="Draft title", status="draft")
    draft = save_revision(item)
    save_revision(item, title="Live title", status="published")
    before = snapshot(item)
    client.force_login(dushanbe_editor)
    response = client.post(revision_url(item, draft), form_data(item, title="Draft title"))
    assert response.status_code == 403
    assert "only a publisher" in response.content.decode()
    assert snapshot(item) == before


def test_an_editor_cannot_restore_a_version_that_was_published(client, dushanbe_editor):
    item = item_of(DUSHANBE, title="Live title", status="published")
    published = save_revision(item)
    save_revision(item, title="Back to draft", status="draft")
    before = snapshot(item)
    client.force_login(dushanbe_editor)
    response = client.post(revision_url(item, published), form_data(item, status="published"))
    assert response.status_code == 403
    assert snapshot(item) == before


def test_an_editor_restores_an_earlier_draft_of_a_draft(client, dushanbe_editor):
    item = item_of(DUSHANBE, title="First draft", status="draft")
    first = save_revision(item)
    save_revision(item, title="Second draft")
    client.force_login(dushanbe_editor)
    response = client.post(revision_url(item, first), form_data(item, title="First draft"))
    assert response.status_code == 302, errors_of(response)
    item.refresh_from_db()
    assert item.title == "First draft"


def test_a_restored_version_is_sanitised_and_moves_the_counter_forward(client, dushanbe_publisher):
    item = item_of(DUSHANBE)
    # A version stored before the sanitiser knew better: its body holds a script.
    NewsItem.objects.filter(pk=item.pk).update(body='<p onclick="steal()">Old<script>x</script>')
    unsafe = save_revision(NewsItem.objects.get(pk=item.pk))
    save_revision(item, title="Newer title", body="<p>New</p>")
    item.refresh_from_db()
    counter = item.version
    client.force_login(dushanbe_publisher)
    form = client.get(revision_url(item, unsafe))
    assert form.status_code == 200
    posted = form_data(item, status="published", body=unsafe.field_dict["body"])
    response = client.post(revision_url(item, unsafe), posted)
    assert response.status_code == 302, errors_of(response)
    item.refresh_from_db()
    assert item.body == "<p>Old</p>"
    assert item.version == counter + 1


def test_a_restored_version_meets_the_publishing_checklist(client, dushanbe_publisher):
    item = item_of(DUSHANBE, lead="")
    leadless = save_revision(item)
    save_revision(item, lead="A lead, added later.")
    before = snapshot(item)
    client.force_login(dushanbe_publisher)
    response = client.post(
        revision_url(item, leadless), form_data(item, status="published", lead="")
    )
    assert response.status_code == 200
    assert "Write a lead" in errors_of(response)
    assert snapshot(item) == before


def test_a_form_opened_before_a_restore_is_refused(client, dushanbe_publisher):
    item = item_of(DUSHANBE, title="Original")
    first = save_revision(item)
    save_revision(item, title="Changed")
    item.refresh_from_db()
    opened = form_data(item, status="published", title="Typed in an old tab")
    client.force_login(dushanbe_publisher)
    restored = client.post(
        revision_url(item, first), form_data(item, status="published", title="Original")
    )
    assert restored.status_code == 302, errors_of(restored)
    response = client.post(change_url(item), opened)
    assert "after you opened it" in errors_of(response)
    item.refresh_from_db()
    assert item.title == "Original"


def test_a_version_naming_a_body_deleted_since_is_a_clear_conflict(client, manager):
    gone = Structure.objects.create(
        name="Short-lived task force", slug="task-force", kind=Structure.Kind.CLOSED_FIELD_ACTIVITY
    )
    item = item_of(DUSHANBE)
    IssuingBody.objects.create(news_item=item, structure=gone, position=1)
    with_both = save_revision(item)
    item.issuing_bodies.filter(structure=gone).delete()
    save_revision(item)
    gone.delete()
    before = snapshot(item)
    client.force_login(manager)
    response = client.post(revision_url(item, with_both), form_data(item, status="published"))
    assert response.status_code == 409
    assert "refers to something that no longer exists" in response.content.decode()
    assert snapshot(item) == before
    assert list(item.issued_by.values_list("slug", flat=True)) == [DUSHANBE]


# --- recovery ----------------------------------------------------------------------------------


def delete_with_history(item):
    version = save_revision(item)
    item.delete()
    return version


def recover_url(version):
    return f"/admin/news/newsitem/recover/{version.pk}/"


def listed_for_recovery(client):
    response = client.get("/admin/news/newsitem/recover/")
    assert response.status_code == 200
    return {version.pk for version in response.context["deleted"]}


def test_the_recovery_list_shows_only_what_the_user_may_recover(
    client, dushanbe_editor, dushanbe_publisher, manager
):
    own_draft = delete_with_history(item_of(DUSHANBE, status="draft"))
    own_published = delete_with_history(item_of(DUSHANBE))
    joint = delete_with_history(item_of(DUSHANBE, BISHKEK, status="draft"))
    theirs = delete_with_history(item_of(BISHKEK, status="draft"))
    client.force_login(dushanbe_editor)
    assert listed_for_recovery(client) == {own_draft.pk}
    client.force_login(dushanbe_publisher)
    assert listed_for_recovery(client) == {own_draft.pk, own_published.pk}
    client.force_login(manager)
    assert listed_for_recovery(client) >= {own_draft.pk, own_published.pk, joint.pk, theirs.pk}


def test_recovering_what_the_user_may_not_recover_is_refused(client, dushanbe_editor):
    published = delete_with_history(item_of(DUSHANBE))
    theirs = delete_with_history(item_of(BISHKEK, status="draft"))
    client.force_login(dushanbe_editor)
    for version in (published, theirs):
        response = client.post(recover_url(version), form_data(status=version.field_dict["status"]))
        assert response.status_code == 403
    assert not NewsItem.objects.exists()


def test_the_recover_view_takes_versions_of_deleted_items_only(client, manager):
    live = item_of(DUSHANBE, title="Live title")
    version = save_revision(live, title="Old title")
    save_revision(live, title="Live title")
    before = snapshot(live)
    client.force_login(manager)
    response = client.post(recover_url(version), form_data(live, status="published"))
    assert response.status_code == 404
    assert snapshot(live) == before


def recover_data(rows, **overrides):
    """What the recover form posts: the item's fields and its "Issued by" rows as they were."""
    data = form_data(**overrides)
    data.update(
        {
            "issuing_bodies-TOTAL_FORMS": str(len(rows)),
            "issuing_bodies-INITIAL_FORMS": str(len(rows)),
        }
    )
    for index, row in enumerate(rows):
        data[f"issuing_bodies-{index}-id"] = row.pk
        data[f"issuing_bodies-{index}-news_item"] = row.news_item_id
        data[f"issuing_bodies-{index}-structure"] = row.structure_id
        data[f"issuing_bodies-{index}-position"] = row.position
    return data


def test_a_recovered_item_counts_on_from_its_last_version(client, dushanbe_publisher):
    item = item_of(DUSHANBE, status="draft", slug="recovered")
    save_revision(item, title="Second")
    item.refresh_from_db()
    last_counter = item.version
    rows = list(item.issuing_bodies.all())
    version = delete_with_history(item)
    client.force_login(dushanbe_publisher)
    form = client.get(recover_url(version)).context["adminform"].form
    data = recover_data(rows, title="Second", slug="recovered", status="draft")
    data["edit_version"] = form["edit_version"].value()
    response = client.post(recover_url(version), data)
    assert response.status_code == 302, errors_of(response)
    recovered = NewsItem.objects.get(slug="recovered")
    assert recovered.version == last_counter + 1
    assert list(recovered.issued_by.values_list("slug", flat=True)) == [DUSHANBE]


def test_recovering_onto_a_taken_address_is_a_clear_conflict(client, manager):
    version = delete_with_history(item_of(DUSHANBE, slug="taken", status="draft"))
    item_of(BISHKEK, slug="taken")
    client.force_login(manager)
    response = client.post(recover_url(version), form_data(slug="taken"))
    assert response.status_code == 409
    assert "Another item now has the address" in response.content.decode()


# --- unpublishing, withdrawing, deleting -------------------------------------------------------


def test_an_editor_cannot_unpublish_a_live_item(client, dushanbe_editor):
    item = item_of(DUSHANBE, title="Live title")
    before = snapshot(item)
    client.force_login(dushanbe_editor)
    page = client.get(change_url(item))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]  # shown read-only
    shown = page.content.decode()
    assert "only a publisher may change, unpublish or withdraw it" in shown
    assert "<p>Body text.</p>" in shown  # the body as the public page shows it, not its HTML
    response = client.post(change_url(item), form_data(item, status="draft", title="Pulled"))
    assert response.status_code == 403
    assert "only a publisher" in response.content.decode()
    assert snapshot(item) == before


def test_an_editor_cannot_withdraw_a_live_item(client, dushanbe_editor):
    item = item_of(DUSHANBE)
    before = snapshot(item)
    client.force_login(dushanbe_editor)
    data = form_data(item, status="withdrawn", withdrawn_reason="Mine to pull")
    assert client.post(change_url(item), data).status_code == 403
    assert snapshot(item) == before


def delete_url(item):
    return f"/admin/news/newsitem/{item.pk}/delete/"


@pytest.mark.parametrize("status", ["published", "withdrawn"])
def test_an_editor_cannot_delete_a_published_or_withdrawn_item(client, dushanbe_editor, status):
    item = item_of(DUSHANBE, status=status, withdrawn_reason="Old")
    client.force_login(dushanbe_editor)
    response = client.post(delete_url(item), {"post": "yes"})
    assert response.status_code == 403
    said = {
        "published": "is live on the site: withdraw it instead",
        "withdrawn": "is withdrawn: only a publisher may delete it",
    }
    assert said[status] in response.content.decode()
    assert NewsItem.objects.filter(pk=item.pk).exists()


def test_an_editor_deletes_their_own_draft(client, dushanbe_editor):
    item = item_of(DUSHANBE, status="draft")
    client.force_login(dushanbe_editor)
    assert client.post(delete_url(item), {"post": "yes"}).status_code == 302
    assert not NewsItem.objects.filter(pk=item.pk).exists()


def test_an_item_co_issued_with_another_body_is_deleted_by_a_manager_only(
    client, dushanbe_editor, dushanbe_publisher, manager
):
    item = item_of(DUSHANBE, BISHKEK, status="draft")
    for user in (dushanbe_editor, dushanbe_publisher):
        client.force_login(user)
        response = client.post(delete_url(item), {"post": "yes"})
        assert response.status_code == 403
        assert "also issued by Programme Office in Bishkek" in response.content.decode()
    assert NewsItem.objects.filter(pk=item.pk).exists()
    client.force_login(manager)
    assert client.post(delete_url(item), {"post": "yes"}).status_code == 302
    assert not NewsItem.objects.filter(pk=item.pk).exists()


def test_bulk_delete_deletes_nothing_when_one_item_may_not_be_deleted(client, dushanbe_editor):
    draft = item_of(DUSHANBE, status="draft")
    live = item_of(DUSHANBE, title="Live one")
    client.force_login(dushanbe_editor)
    response = client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [draft.pk, live.pk], "post": "yes"},
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "Nothing was deleted" in page and "“Live one” is live on the site" in page
    assert NewsItem.objects.filter(pk__in=[draft.pk, live.pk]).count() == 2


# --- bulk actions and the publishing service ---------------------------------------------------


def test_a_bulk_action_on_another_offices_item_is_refused(client, dushanbe_publisher):
    ours = item_of(DUSHANBE, status="draft")
    theirs = item_of(BISHKEK, status="draft")
    client.force_login(dushanbe_publisher)
    response = client.post(
        CHANGELIST, {"action": "publish_selected", "_selected_action": [ours.pk, theirs.pk]}
    )
    assert response.status_code == 404
    assert NewsItem.objects.filter(status="draft").count() == 2


def test_the_publishing_service_refuses_at_its_own_door(dushanbe_editor, bishkek_publisher):
    item = item_of(DUSHANBE, status="draft")
    assert publishing.publish(item, by=dushanbe_editor) == [
        "Only publishers may publish or withdraw news items."
    ]
    assert publishing.publish(item, by=bishkek_publisher) == [
        f"“{item}” is not issued by a body you work for."
    ]
    assert publishing.withdraw(item, by=bishkek_publisher, reason="No") == [
        f"“{item}” is not issued by a body you work for."
    ]
    item.refresh_from_db()
    assert item.status == "draft"


def test_bulk_publishing_keeps_an_edit_saved_after_the_items_were_read(dushanbe_publisher):
    item = item_of(DUSHANBE, status="draft", title="Title when the list was read")
    held_by_the_action = NewsItem.objects.get(pk=item.pk)
    NewsItem.objects.filter(pk=item.pk).update(title="Title saved a moment later", version=2)
    assert publishing.publish(held_by_the_action, by=dushanbe_publisher) == []
    item.refresh_from_db()
    assert (item.title, item.status, item.version) == ("Title saved a moment later", "published", 3)


def test_a_form_opened_before_a_bulk_action_is_refused(client, dushanbe_publisher):
    item = item_of(DUSHANBE, title="Live title")
    opened = form_data(item, status="published", title="Edited in a tab opened earlier")
    client.force_login(dushanbe_publisher)
    client.post(
        CHANGELIST,
        {"action": "withdraw_selected", "_selected_action": [item.pk], "withdrawn_reason": "Wrong"},
    )
    response = client.post(change_url(item), opened)
    assert "after you opened it" in errors_of(response)
    item.refresh_from_db()
    assert (item.status, item.title) == ("withdrawn", "Live title")


@pytest.mark.django_db(transaction=True)
def test_bulk_publishing_waits_for_a_concurrent_save_and_keeps_it(reference_data):
    """Two real connections: a form's save holds the row while the bulk action runs."""
    publisher = make_editor("concurrent-publisher", bodies=[DUSHANBE], groups=("Publisher",))
    item = item_of(DUSHANBE, status="draft", title="Before")
    held_by_the_action = NewsItem.objects.get(pk=item.pk)
    row_locked, release = threading.Event(), threading.Event()

    def form_save():
        try:
            with transaction.atomic():
                saving = NewsItem.objects.select_for_update().get(pk=item.pk)
                saving.title = "Saved by the form"
                saving.version += 1
                saving.save()
                row_locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=form_save)
    thread.start()
    assert row_locked.wait(10)
    outcome = []
    action = threading.Thread(
        target=lambda: (
            outcome.append(publishing.publish(held_by_the_action, by=publisher)),
            connection.close(),
        )
    )
    action.start()
    action.join(0.5)
    assert action.is_alive()  # waiting for the form's lock
    release.set()
    thread.join(10)
    action.join(10)
    assert outcome == [[]]
    item.refresh_from_db()
    assert (item.title, item.status, item.version) == ("Saved by the form", "published", 3)


# --- smaller doors ------------------------------------------------------------------------------


def test_view_on_site_does_not_lead_to_another_offices_item(client, dushanbe_editor):
    theirs = item_of(BISHKEK, status="draft", slug="a-secret-draft")
    ours = item_of(DUSHANBE, status="draft")
    content_type = ContentType.objects.get_for_model(NewsItem).pk
    client.force_login(dushanbe_editor)
    response = client.get(f"/admin/r/{content_type}/{theirs.pk}/")
    assert response.status_code == 404
    assert "a-secret-draft" not in response.content.decode()
    response = client.get(f"/admin/r/{content_type}/{ours.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/news/newsitem/{ours.pk}/preview/"


def test_tag_suggestions_leave_out_another_offices_draft_tags(client, dushanbe_editor):
    item_of(BISHKEK, status="draft").tags.set(["bishkek embargoed launch"])
    item_of(BISHKEK).tags.set(["bishkek public launch"])
    item_of(DUSHANBE, status="draft").tags.set(["dushanbe launch"])
    client.force_login(dushanbe_editor)
    found = client.get("/admin/news/newsitem/tag-suggestions/", {"q": "launch"}).json()
    assert sorted(found["results"]) == ["bishkek public launch", "dushanbe launch"]
    listed = client.get("/admin/taggit/tag/", {"q": "launch"}).context["cl"].result_list
    assert sorted(tag.name for tag in listed) == ["bishkek public launch", "dushanbe launch"]


def test_taggits_merge_view_is_gone(client, manager):
    client.force_login(manager)
    assert client.get("/admin/taggit/tag/merge-tags/", follow=True).status_code == 404


def test_the_recovery_list_costs_the_same_queries_for_3_or_12_deleted_items(
    client, dushanbe_editor
):
    client.force_login(dushanbe_editor)
    counts = []
    for total in (3, 12):
        while Version.objects.get_deleted(NewsItem).count() < total:
            delete_with_history(item_of(DUSHANBE, status="draft"))
        with CaptureQueriesContext(connection) as queries:
            assert len(listed_for_recovery(client)) == total
        counts.append(len(queries))
    assert counts[0] == counts[1]

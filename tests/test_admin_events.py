"""Events in the back office: the rights of editors by body at every door, the workflow (drafts
for editors; publishing, postponing and cancelling for publishers), the edit counter, times in
the venue's zone, revisions, and news items linked from either side. tests/test_rights_matrix.py
walks every event URL for every role; these tests name each rule."""

import datetime
import zoneinfo

import pytest
import reversion
from django.utils import timezone
from reversion.models import Version

from news import pagecache
from news.models import Event, EventOrganiser, MeetingSeries

from .test_admin import errors_of, make_editor, structure
from .test_admin_rights import BISHKEK, DUSHANBE

pytestmark = pytest.mark.usefixtures("reference_data")

CHANGELIST = "/admin/news/event/"
ADD_URL = "/admin/news/event/add/"
VIENNA = zoneinfo.ZoneInfo("Europe/Vienna")


@pytest.fixture
def editor_a():
    return make_editor("editor-a", bodies=[DUSHANBE])


@pytest.fixture
def publisher_a():
    return make_editor("publisher-a", bodies=[DUSHANBE], groups=("Publisher",))


@pytest.fixture
def manager():
    return make_editor("manager", bodies=[], groups=("Manager",))


def event_of(*slugs, **fields):
    start = fields.pop("start", timezone.now() + datetime.timedelta(days=30))
    fields.setdefault("slug", f"event-{Event.objects.count() + 1}-{'-'.join(slugs)}")
    event = Event.objects.create(
        title=fields.pop("title", "Border security conference"),
        start=start,
        end=fields.pop("end", start + datetime.timedelta(days=1)),
        **fields,
    )
    for position, slug in enumerate(slugs):
        EventOrganiser.objects.create(event=event, structure=structure(slug), position=position)
    return event


def change_url(event):
    return f"{CHANGELIST}{event.pk}/change/"


def form_data(event=None, *, organisers=(), news=(), **overrides):
    """What the event's change form posts; times as the venue's clocks show them."""
    data = {
        "title": "Border security conference",
        "slug": "border-security-conference",
        "series": "",
        "edition": "",
        "status": "draft",
        "status_note": "",
        "time_zone": "Europe/Vienna",
        "start_0": "2026-06-10",
        "start_1": "09:00",
        "end_0": "2026-06-11",
        "end_1": "17:00",
        "attendance": "in_person",
        "city": "Dushanbe",
        "country": "",
        "venue": "",
        "description": "<p>About.</p>",
        "registration_url": "",
        "registration_deadline_0": "",
        "registration_deadline_1": "",
        "livestream_url": "",
        "news_items": [item.pk for item in news],
        "edit_version": event.version if event else "",
        # The links the form showed (all of them: the tests' users may change them).
        "news_items_shown": (
            ",".join(str(pk) for pk in event.news_items.values_list("pk", flat=True))
            if event
            else ""
        ),
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
    }
    if event is not None:
        local = event.local_start
        data.update(
            title=event.title,
            slug=event.slug,
            status=event.status,
            status_note=event.status_note,
            start_0=local.date().isoformat(),
            start_1=local.time().isoformat(),
            end_0=event.local_end.date().isoformat(),
            end_1=event.local_end.time().isoformat(),
        )
    existing = list(event.organisers.all()) if event else []
    data["organisers-TOTAL_FORMS"] = str(len(existing) + len(organisers))
    data["organisers-INITIAL_FORMS"] = str(len(existing))
    for index, link in enumerate(existing):
        data[f"organisers-{index}-id"] = link.pk
        data[f"organisers-{index}-event"] = event.pk
        data[f"organisers-{index}-structure"] = link.structure_id
        data[f"organisers-{index}-position"] = link.position
    for offset, slug in enumerate(organisers):
        index = len(existing) + offset
        data[f"organisers-{index}-structure"] = structure(slug).pk
        data[f"organisers-{index}-position"] = index
    data.update(overrides)
    return data


def save_event_revision(event, **changes):
    """Change and save an event as the admin does: one revision with its organisers."""
    for name, value in changes.items():
        setattr(event, name, value)
    with reversion.create_revision():
        event.save()
    return Version.objects.get_for_object(event).order_by("-pk").first()


def recover_event_data(version, rows, **overrides):
    """What the recover form of a deleted event posts: its fields and organisers as they were."""
    data = form_data(**overrides)
    data["edit_version"] = version.field_dict.get("version")
    data["organisers-TOTAL_FORMS"] = data["organisers-INITIAL_FORMS"] = str(len(rows))
    for index, row in enumerate(rows):
        data[f"organisers-{index}-id"] = row.pk
        data[f"organisers-{index}-event"] = row.event_id
        data[f"organisers-{index}-structure"] = row.structure_id
        data[f"organisers-{index}-position"] = row.position
    return data


def snapshot(event):
    event.refresh_from_db()
    return (event.title, event.status, event.version, event.start)


# --- every door refuses another body's event ---------------------------------------------------


def test_the_list_shows_the_events_of_the_editors_bodies_only(client, editor_a):
    ours, joint = event_of(DUSHANBE), event_of(DUSHANBE, BISHKEK)
    theirs = event_of(BISHKEK)
    client.force_login(editor_a)
    listed = {event.pk for event in client.get(CHANGELIST).context["cl"].result_list}
    assert ours.pk in listed and joint.pk in listed
    assert theirs.pk not in listed


def delete_and_keep_version(event):
    with reversion.create_revision():
        event.save()
    version = Version.objects.get_for_object(event).first()
    event.delete()
    return version


def test_every_door_refuses_another_bodys_event(client, editor_a):
    theirs = event_of(BISHKEK, title="Bishkek secret draft")
    with reversion.create_revision():
        theirs.save()
    version = Version.objects.get_for_object(theirs).first()
    before = snapshot(theirs)
    client.force_login(editor_a)
    base = f"{CHANGELIST}{theirs.pk}"
    for url in (f"{base}/change/", f"{base}/delete/", f"{base}/history/"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"{base}/history/{version.pk}/").status_code == 404
    assert client.post(change_url(theirs), form_data(theirs, title="Taken")).status_code == 404
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 404
    posted = form_data(theirs, title="Rolled back")
    assert client.post(f"{base}/history/{version.pk}/", posted).status_code == 404
    bulk = {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"}
    assert client.post(CHANGELIST, bulk).status_code == 404
    assert snapshot(theirs) == before
    gone = delete_and_keep_version(event_of(BISHKEK, slug="gone-of-bishkek"))
    assert gone.pk not in {v.pk for v in client.get(f"{CHANGELIST}recover/").context["deleted"]}
    assert client.post(f"{CHANGELIST}recover/{gone.pk}/", form_data()).status_code == 403
    assert not Event.objects.filter(slug="gone-of-bishkek").exists()


# --- creating, the workflow, the edit counter --------------------------------------------------


def test_an_editor_creates_a_draft_for_their_own_body(client, editor_a):
    client.force_login(editor_a)
    response = client.post(ADD_URL, form_data(organisers=[DUSHANBE]))
    assert response.status_code == 302, errors_of(response)
    event = Event.objects.get(slug="border-security-conference")
    assert (event.status, event.version, event.created_by, event.updated_by) == (
        "draft",
        1,
        editor_a,
        editor_a,
    )
    assert [link.structure.slug for link in event.organisers.all()] == [DUSHANBE]
    assert Version.objects.get_for_object(event).count() == 1


def test_an_editor_must_name_one_of_their_bodies(client, editor_a):
    client.force_login(editor_a)
    response = client.post(ADD_URL, form_data(organisers=[BISHKEK]))
    assert response.status_code == 200
    assert "Select a valid choice" in errors_of(response)
    response = client.post(ADD_URL, form_data())
    assert "Choose at least one organiser" in errors_of(response)
    assert not Event.objects.filter(slug="border-security-conference").exists()


def test_an_editor_cannot_remove_another_body_from_a_joint_event(client, editor_a):
    event = event_of(DUSHANBE, BISHKEK)
    client.force_login(editor_a)
    data = form_data(event)
    data["organisers-1-DELETE"] = "on"
    response = client.post(change_url(event), data)
    assert "Only a manager may add or remove Programme Office in Bishkek" in errors_of(response)
    assert event.organisers.count() == 2


@pytest.mark.parametrize("status", ["published", "postponed", "cancelled"])
def test_an_editor_saves_drafts_only(client, editor_a, status):
    event = event_of(DUSHANBE)
    client.force_login(editor_a)
    response = client.post(change_url(event), form_data(event, status=status, status_note="Why"))
    assert "You may save drafts only" in errors_of(response)
    assert snapshot(event)[1] == "draft"


def test_an_editor_cannot_change_a_public_event(client, editor_a):
    event = event_of(DUSHANBE, status="published")
    before = snapshot(event)
    client.force_login(editor_a)
    page = client.get(change_url(event))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert "only a publisher may change" in page.content.decode()
    response = client.post(change_url(event), form_data(event, status="draft", title="Pulled"))
    assert response.status_code == 403
    assert snapshot(event) == before


def test_a_publisher_publishes_and_the_counter_moves_on(client, publisher_a):
    event = event_of(DUSHANBE)
    client.force_login(publisher_a)
    response = client.post(change_url(event), form_data(event, status="published"))
    assert response.status_code == 302, errors_of(response)
    event.refresh_from_db()
    assert (event.status, event.version, event.updated_by) == ("published", 2, publisher_a)


@pytest.mark.parametrize("status", ["postponed", "cancelled"])
def test_postponing_or_cancelling_needs_a_note(client, publisher_a, status):
    event = event_of(DUSHANBE, status="published")
    client.force_login(publisher_a)
    response = client.post(change_url(event), form_data(event, status=status))
    assert "Say why the event is postponed or cancelled" in errors_of(response)
    assert snapshot(event)[1] == "published"
    response = client.post(
        change_url(event), form_data(event, status=status, status_note="Moved online.")
    )
    assert response.status_code == 302, errors_of(response)
    assert snapshot(event)[1] == status


def test_a_form_opened_before_another_save_is_refused(client, editor_a):
    event = event_of(DUSHANBE, title="Original")
    opened = form_data(event, title="Typed in an old tab")
    client.force_login(editor_a)
    first = client.post(change_url(event), form_data(event, title="Saved first"))
    assert first.status_code == 302, errors_of(first)
    response = client.post(change_url(event), opened)
    assert "saved this event at" in errors_of(response)
    assert snapshot(event)[0] == "Saved first"


# --- history, deleting, the page cache ---------------------------------------------------------


def test_an_editor_restores_a_draft_version_but_not_a_public_one(client, editor_a):
    event = event_of(DUSHANBE, title="First draft")
    with reversion.create_revision():
        event.save()
    first = Version.objects.get_for_object(event).first()
    event.title, event.status = "Public now", "published"
    with reversion.create_revision():
        event.save()
    client.force_login(editor_a)
    url = f"{CHANGELIST}{event.pk}/history/{first.pk}/"
    response = client.post(url, form_data(event, title="First draft", status="draft"))
    assert response.status_code == 403
    assert snapshot(event)[:2] == ("Public now", "published")
    Event.objects.filter(pk=event.pk).update(status="draft")
    event.refresh_from_db()
    response = client.post(url, form_data(event, title="First draft", status="draft"))
    assert response.status_code == 302, errors_of(response)
    assert snapshot(event)[0] == "First draft"


def test_an_editor_deletes_own_drafts_only(client, editor_a, manager):
    draft, live, joint = event_of(DUSHANBE), event_of(DUSHANBE, status="published"), None
    joint = event_of(DUSHANBE, BISHKEK)
    client.force_login(editor_a)
    assert client.post(f"{CHANGELIST}{live.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"{CHANGELIST}{joint.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [draft.pk, live.pk], "post": "yes"}
    assert client.post(CHANGELIST, bulk).status_code == 403
    ours = Event.objects.filter(pk__in=[draft.pk, live.pk, joint.pk])
    assert ours.count() == 3
    assert client.post(f"{CHANGELIST}{draft.pk}/delete/", {"post": "yes"}).status_code == 302
    client.force_login(manager)
    assert client.post(f"{CHANGELIST}{joint.pk}/delete/", {"post": "yes"}).status_code == 302
    assert list(ours.all()) == [live]


def test_saving_an_event_or_a_series_renews_the_page_cache(client, manager, commit, monkeypatch):
    bumps = []
    monkeypatch.setattr(pagecache, "bump", lambda **kwargs: bumps.append(1))
    event = event_of(DUSHANBE)
    client.force_login(manager)
    response = commit(lambda: client.post(change_url(event), form_data(event, title="Renamed")))
    assert response.status_code == 302, errors_of(response)
    assert bumps == [1]
    series = MeetingSeries.objects.create(name="Test series", slug="test-series-admin")
    url = f"/admin/news/meetingseries/{series.pk}/delete/"
    assert commit(lambda: client.post(url, {"post": "yes"})).status_code == 302
    assert bumps == [1, 1]


def test_a_draft_is_previewed_with_its_unsaved_changes(client, editor_a):
    event = event_of(DUSHANBE, title="Saved title")
    theirs = event_of(BISHKEK)
    client.force_login(editor_a)
    response = client.get(f"{CHANGELIST}{event.pk}/preview/")
    assert response.status_code == 200 and "Saved title" in response.content.decode()
    data = form_data(event, title="Unsaved title")
    response = client.post(f"{CHANGELIST}{event.pk}/preview/", data)
    assert response.status_code == 200
    assert "Unsaved title" in response.content.decode()
    assert snapshot(event)[:3] == ("Saved title", "draft", 1)
    assert client.get(f"{CHANGELIST}{theirs.pk}/preview/").status_code == 404
    assert client.post(f"{CHANGELIST}{theirs.pk}/preview/", data).status_code == 404


def test_a_publisher_publishes_the_selected_drafts_in_bulk(client, publisher_a, editor_a):
    drafts = [event_of(DUSHANBE), event_of(DUSHANBE)]
    cancelled = event_of(DUSHANBE, status="cancelled", status_note="No quorum.")
    theirs = event_of(BISHKEK)

    def bulk(*events):
        return {"action": "publish_selected", "_selected_action": [e.pk for e in events]}

    client.force_login(editor_a)  # not an action an editor is offered
    assert client.post(CHANGELIST, bulk(*drafts)).status_code == 403
    client.force_login(publisher_a)
    # Another body's draft is not in the publisher's list: the whole selection is refused.
    assert client.post(CHANGELIST, bulk(drafts[0], theirs)).status_code == 404
    ours = Event.objects.filter(pk__in=[e.pk for e in (*drafts, cancelled, theirs)])
    assert sorted(ours.values_list("status", flat=True)) == ["cancelled", "draft", "draft", "draft"]

    response = client.post(CHANGELIST, bulk(*drafts, cancelled), follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert "2 events published." in texts
    assert any("Not published" in t and "Border security conference" in t for t in texts)
    for event in drafts:
        event.refresh_from_db()
        assert (event.status, event.version, event.updated_by) == ("published", 2, publisher_a)
        assert Version.objects.get_for_object(event).count() == 1
    assert Event.objects.get(pk=cancelled.pk).status == "cancelled"
    assert Event.objects.get(pk=theirs.pk).status == "draft"

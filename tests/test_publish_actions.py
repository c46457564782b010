"""Publishing as an action (news/admin/form_actions.py, publish_views.py): the buttons each role
is offered and what each does, withdrawing instead of deleting a live item, every problem of a
Save at once in a linked summary (news/admin/error_summary.py), the live checklist agreeing with
the server's, and times in each editor's own time zone across a change of summer time."""

import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone

from news.models import EditorProfile, NewsItem

from .test_admin import form_data, make_editor
from .test_admin_rights import item_of
from .test_joint_issuance import form_of

pytestmark = pytest.mark.usefixtures("reference_data")

A, B = "programme-office-in-dushanbe", "programme-office-in-bishkek"
ADD = "/admin/news/newsitem/add/"
CHECKLIST_NEW = "/admin/news/newsitem/checklist/"
VIENNA = zoneinfo.ZoneInfo("Europe/Vienna")


@pytest.fixture
def people():
    return {
        "editor": make_editor("editor-a", bodies=[A]),
        "publisher": make_editor("publisher-a", bodies=[A], groups=("Publisher",)),
        "publisher_B": make_editor("publisher-b", bodies=[B], groups=("Publisher",)),
        "manager": make_editor("manager", bodies=[], groups=("Manager",)),
    }


def change_url(item):
    return f"/admin/news/newsitem/{item.pk}/change/"


def new_item(action, **overrides):
    """The add form of a Dushanbe item, sent with the button `action`."""
    data = form_data(bodies=[A], **overrides)
    data.pop("status")  # the buttons set it; the form holds it as a hidden field
    data["_action"] = action
    return data


def buttons(page):
    return {value for value in ("draft", "submit", "publish", "schedule", "update")
            if f'name="_action" value="{value}" class="button' in page}  # fmt: skip


# --- the buttons ---------------------------------------------------------------------------------


def test_each_role_is_offered_the_buttons_of_its_work(client, people):
    client.force_login(people["editor"])
    page = client.get(ADD).content.decode()
    assert buttons(page) == {"submit", "draft"}
    assert ">Submit for publishing</button>" in page and "Publish now" not in page
    client.force_login(people["publisher"])
    assert buttons(client.get(ADD).content.decode()) == {"publish", "schedule", "draft"}

    live = item_of(A, title="Live")
    soon = item_of(A, title="Soon", published_at=timezone.now() + datetime.timedelta(days=1))
    gone = item_of(A, title="Gone", status="withdrawn", withdrawn_reason="Old")
    page = client.get(change_url(live)).content.decode()
    assert buttons(page) == {"update"}
    assert f"/admin/news/newsitem/{live.pk}/withdraw/" in page
    assert f"/admin/news/newsitem/{live.pk}/delete/" not in page  # withdrawn, not deleted
    assert buttons(client.get(change_url(soon)).content.decode()) == {"update", "publish", "draft"}
    page = client.get(change_url(gone)).content.decode()
    assert buttons(page) == {"update", "publish"} and ">Publish again</button>" in page
    # An editor reads a live item: no button, only the way back.
    client.force_login(people["editor"])
    page = client.get(change_url(live)).content.decode()
    assert buttons(page) == set() and 'class="closelink"' in page


def test_enter_in_a_text_box_saves_safely_and_never_publishes(client, people):
    client.force_login(people["publisher"])
    page = client.get(ADD).content.decode()
    first = page.index('name="_action"')
    assert page[first - 200 : first + 60].count('value="draft"') == 1  # the form's first button
    live = item_of(A, title="Live")
    page = client.get(change_url(live)).content.decode()
    first = page.index('name="_action"')
    assert 'value="update"' in page[first : first + 40]


def test_publish_now_publishes_at_once_with_a_link_to_the_live_page(client, people):
    client.force_login(people["publisher"])
    before = timezone.now()
    response = client.post(
        ADD, new_item("publish", published_at_0="", published_at_1=""), follow=True
    )
    item = NewsItem.objects.get(slug="border-officers-trained-in-dushanbe")
    assert item.is_public and before <= item.published_at <= timezone.now()
    assert response.redirect_chain[-1][0] == change_url(item)  # the form, saying where it is
    assert f'href="{item.get_absolute_url()}">View live</a>' in response.content.decode()


def test_publish_now_of_an_item_scheduled_for_later_publishes_it_now(client, people):
    client.force_login(people["publisher"])
    soon = item_of(A, title="Soon", published_at=timezone.now() + datetime.timedelta(days=3))
    client.post(change_url(soon), {**form_of(soon), "_action": "publish"})
    soon.refresh_from_db()
    assert soon.is_public


def test_schedule_needs_a_time_ahead_and_saves_nothing_without_one(client, people):
    client.force_login(people["publisher"])
    for date, time in (("", ""), ("2020-01-01", "10:00")):
        response = client.post(ADD, new_item("schedule", published_at_0=date, published_at_1=time))
        assert response.status_code == 200
        assert "Choose when the item goes live: a date and time ahead of now." in (
            response.content.decode()
        )
    assert not NewsItem.objects.exists()
    ahead = timezone.localtime(timezone.now() + datetime.timedelta(days=2))
    response = client.post(
        ADD,
        new_item(
            "schedule",
            published_at_0=ahead.strftime("%Y-%m-%d"),
            published_at_1=ahead.strftime("%H:%M:00"),
        ),
        follow=True,
    )
    item = NewsItem.objects.get()
    assert item.is_scheduled
    assert "Scheduled: goes live on" in response.content.decode()


def test_an_editor_cannot_press_a_publishers_button(client, people):
    client.force_login(people["editor"])
    for action in ("publish", "schedule", "update"):
        response = client.post(ADD, new_item(action))
        assert response.status_code == 200
        assert "This is not an action you may take on this item." in response.content.decode()
    assert not NewsItem.objects.exists()


def test_submitting_for_publishing_puts_the_draft_on_the_publishers_desk(client, people):
    client.force_login(people["editor"])
    refused = client.post(ADD, new_item("submit", lead=""))
    assert "Write a lead" in refused.content.decode() and not NewsItem.objects.exists()
    response = client.post(ADD, new_item("submit"))
    item = NewsItem.objects.get()
    assert response.status_code == 302 and response["Location"] == change_url(item)  # stays
    assert item.status == "draft" and item.submitted_by == people["editor"]
    assert "submitted for publishing" in client.get(change_url(item)).content.decode()

    client.force_login(people["publisher"])
    desk = client.get("/admin/").content.decode()
    assert "Submitted for publishing" in desk and "?status=submitted" in desk
    listed = client.get("/admin/news/newsitem/?status=submitted").content.decode()
    assert item.title in listed
    client.force_login(people["publisher_B"])  # not B's to publish
    assert item.title not in client.get("/admin/news/newsitem/?status=submitted").content.decode()

    # Saved as a draft again by its editor, it is no longer submitted; published, neither.
    client.force_login(people["editor"])
    client.post(change_url(item), {**form_of(item), "_action": "draft"})
    item.refresh_from_db()
    assert item.submitted_at is None
    client.post(change_url(item), {**form_of(item), "_action": "submit"})
    client.force_login(people["publisher"])
    client.post(change_url(item), {**form_of(item), "_action": "publish"})
    item.refresh_from_db()
    assert item.is_public and item.submitted_at is None and item.submitted_by is None


# --- withdrawing instead of deleting ---------------------------------------------------------


def test_withdraw_takes_a_live_item_off_the_site_with_its_reason(client, people):
    live = item_of(A, title="Live")
    url = f"/admin/news/newsitem/{live.pk}/withdraw/"
    client.force_login(people["editor"])
    assert client.post(url, {"withdrawn_reason": "Wrong"}).status_code == 403
    client.force_login(people["publisher_B"])
    assert client.get(url).status_code == 404
    client.force_login(people["publisher"])
    page = client.get(url).content.decode()
    assert "“Live” will leave the public site" in page
    empty = client.post(url, {"withdrawn_reason": "  "})
    assert empty.status_code == 400 and "Say why the item is withdrawn" in empty.content.decode()
    live.refresh_from_db()
    assert live.is_public
    response = client.post(url, {"withdrawn_reason": "Sent by mistake"})
    assert response.status_code == 302 and response["Location"] == change_url(live)
    live.refresh_from_db()
    assert live.status == "withdrawn" and live.withdrawn_reason == "Sent by mistake"
    assert client.get(url).status_code == 404  # once withdrawn, nothing left to withdraw
    draft = item_of(A, title="Draft", status="draft")
    assert client.get(f"/admin/news/newsitem/{draft.pk}/withdraw/").status_code == 404


# --- every problem at once -------------------------------------------------------------------


def test_one_save_reports_every_problem_in_a_summary_linked_to_the_fields(client, people):
    client.force_login(people["publisher"])
    data = form_data(title="", lead="", fields_of_work=[], published_at_0="", published_at_1="")
    data.pop("status")
    data["_action"] = "publish"
    response = client.post(ADD, data)
    assert response.status_code == 200 and not NewsItem.objects.exists()
    page = response.content.decode()
    summary = page[page.index('class="error-summary"') : page.index("</div>", page.index(
        'class="error-summary"'))]  # fmt: skip
    assert "There are 5 problems" in summary
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert len(links) == 5
    for anchor, words in (
        ("id_title", "This field is required."),
        ("id_lead", "Write a lead"),
        ("id_fields_of_work", "Choose at least one field of work."),
        ("issuing_bodies-group", "Choose at least one issuing body"),
        ("issuing_bodies-group", "Choose at least one of your own bodies"),
    ):
        assert any(href == anchor and words in text for href, text in links), anchor
        assert f'id="{anchor}"' in page  # the link leads somewhere
    # Each message is beside its field too.
    assert page.count("Write a lead") == 2


# --- the live checklist agrees with the server ---------------------------------------------------

CASES = [
    pytest.param("publisher", {}, [A], id="ready"),
    pytest.param("publisher", {"lead": ""}, [A], id="no-lead"),
    pytest.param("publisher", {"fields_of_work": []}, [A], id="no-field"),
    pytest.param("publisher", {}, [], id="no-issuer"),
    pytest.param("publisher", {"title": "", "lead": ""}, [], id="no-title-lead-issuer"),
    pytest.param("publisher", {"published_at_0": "", "published_at_1": ""}, [A], id="no-time"),
    pytest.param("publisher", {"published_at_0": "not a date"}, [A], id="bad-date"),
    pytest.param("publisher", {}, [B], id="only-another-body"),
    pytest.param("publisher", {}, [A, B], id="joint"),
    pytest.param("editor", {}, [A], id="editor-ready"),
    pytest.param("editor", {"lead": "", "fields_of_work": []}, [A], id="editor-no-lead"),
    pytest.param("manager", {"lead": ""}, [A, B], id="manager-joint-no-lead"),
]


@pytest.mark.parametrize(("role", "overrides", "bodies"), CASES)
def test_the_live_checklist_says_what_saving_says(client, people, role, overrides, bodies):
    client.force_login(people[role])
    data = form_data(bodies=bodies, **overrides)
    data.pop("status")
    checked = client.post(CHECKLIST_NEW, data).json()
    action = "submit" if role == "editor" else "publish"
    assert (
        checked["action"] == {"submit": "Submit for publishing", "publish": "Publish now"}[action]
    )
    response = client.post(ADD, {**data, "_action": action})
    saved = NewsItem.objects.filter(slug=data["slug"]).exists()
    assert checked["ready"] == saved
    if not saved:
        assert response.context["error_entries"] == checked["problems"]
        assert checked["problems"]


def test_the_checklist_of_an_item_asks_for_the_alt_text_of_a_photo_chosen_in_the_browser(
    client, people
):
    client.force_login(people["publisher"])
    draft = item_of(A, title="Draft", status="draft")
    data = form_of(draft)
    url = f"/admin/news/newsitem/{draft.pk}/checklist/"
    assert client.post(url, data).json()["ready"] is True
    answer = client.post(url, {**data, "_photo_chosen": "1"}).json()
    assert answer["ready"] is False
    assert [p["field"] for p in answer["problems"]] == ["id_image_alt"]
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.image  # nothing saved
    assert client.get(url).status_code == 405


# --- times in the editor's own zone -------------------------------------------------------------


def last_sunday_of_march(year):
    day = datetime.date(year, 3, 31)
    return day - datetime.timedelta(days=(day.weekday() + 1) % 7)


def test_times_are_entered_and_shown_in_the_editors_zone_with_the_organisations_beside(
    client, people
):
    publisher = people["publisher"]
    EditorProfile.objects.filter(user=publisher).update(time_zone="Asia/Dushanbe")
    client.force_login(publisher)
    change = last_sunday_of_march(timezone.now().year + 1)  # Vienna moves to summer time
    for day, vienna in ((change - datetime.timedelta(days=1), "06:00"), (change, "07:00")):
        slug = f"scheduled-{day:%Y-%m-%d}"
        client.post(
            ADD,
            new_item(
                "schedule", slug=slug, published_at_0=f"{day:%Y-%m-%d}", published_at_1="10:00"
            ),
        )
        item = NewsItem.objects.get(slug=slug)
        # 10:00 in Dushanbe (UTC+5, no summer time) is 05:00 UTC on both days.
        assert item.published_at == datetime.datetime(
            day.year, day.month, day.day, 5, tzinfo=datetime.UTC
        )
        page = client.get(change_url(item)).content.decode()
        assert f"{day.day} March {day.year}, 10:00 (Europe/Vienna: {vienna})" in page
        assert 'value="10:00:00"' in page  # the form shows the editor's time
        assert "Times are in your time zone, Asia/Dushanbe (UTC+05:00)" in page
    # Someone in the organisation's zone enters and reads Vienna's time, with nothing beside.
    client.force_login(people["manager"])
    item = NewsItem.objects.get(slug=f"scheduled-{change:%Y-%m-%d}")
    page = client.get(change_url(item)).content.decode()
    assert f"{change.day} March {change.year}, 07:00</strong>" in page
    assert "(Europe/Vienna:" not in page


def test_each_person_sets_their_own_time_zone(client, people):
    editor = people["editor"]
    client.force_login(editor)
    page = client.get("/admin/time-zone/").content.decode()
    assert "Asia/Dushanbe" in page and 'href="/admin/time-zone/"' in page
    assert client.post("/admin/time-zone/", {"time_zone": "Mars/Olympus"}).status_code == 400
    assert client.post("/admin/time-zone/", {"time_zone": "Asia/Dushanbe"}).status_code == 302
    assert EditorProfile.objects.get(user=editor).time_zone == "Asia/Dushanbe"
    # A person without a profile gets one.
    people["manager"].editor_profile.delete()
    client.force_login(people["manager"])
    client.post("/admin/time-zone/", {"time_zone": "Europe/London"})
    assert EditorProfile.objects.get(user=people["manager"]).time_zone == "Europe/London"

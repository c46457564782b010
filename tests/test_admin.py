import datetime
import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from countries.models import Country
from news.models import EditorProfile, FieldOfWork, NewsItem
from structures.models import Structure

from .factories import NewsItemFactory

pytestmark = pytest.mark.usefixtures("reference_data")

ADD_URL = "/admin/news/newsitem/add/"


def structure(slug):
    return Structure.objects.get(slug=slug)


def make_editor(username, *, bodies, groups=("Editor",)):
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.set(Group.objects.filter(name__in=groups))
    profile = EditorProfile.objects.create(user=user)
    profile.structures.set([structure(slug) for slug in bodies])
    return user


@pytest.fixture
def dushanbe_editor():
    return make_editor("dushanbe", bodies=["programme-office-in-dushanbe"])


@pytest.fixture
def dushanbe_publisher():
    return make_editor(
        "dushanbe-publisher", bodies=["programme-office-in-dushanbe"], groups=("Publisher",)
    )


@pytest.fixture
def bishkek_publisher():
    return make_editor(
        "bishkek-publisher", bodies=["programme-office-in-bishkek"], groups=("Publisher",)
    )


@pytest.fixture
def manager():
    return make_editor("manager", bodies=[], groups=("Manager",))


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def form_data(item=None, *, bodies=(), **overrides):
    """What the admin's change form posts."""
    data = {
        "title": "Border officers trained in Dushanbe",
        "slug": "border-officers-trained-in-dushanbe",
        "type": "news",
        "lead": "Officers were trained.",
        "body": "<p>Text.</p>",
        "status": "draft",
        "published_at_0": "2026-01-15",
        "published_at_1": "10:00:00",
        "withdrawn_reason": "",
        "fields_of_work": [FieldOfWork.objects.get(slug="border-management").pk],
        "tags": "training",
        "image_alt": "",
        "image_caption": "",
        "image_credit": "",
        "edit_version": item.version if item else "",
    }
    existing = list(item.issuing_bodies.all()) if item else []
    data.update(
        {
            "issuing_bodies-TOTAL_FORMS": str(len(existing) + len(bodies)),
            "issuing_bodies-INITIAL_FORMS": str(len(existing)),
            "issuing_bodies-MIN_NUM_FORMS": "0",
            "issuing_bodies-MAX_NUM_FORMS": "1000",
        }
    )
    for index, body in enumerate(existing):
        data[f"issuing_bodies-{index}-id"] = body.pk
        data[f"issuing_bodies-{index}-news_item"] = item.pk
        data[f"issuing_bodies-{index}-structure"] = body.structure_id
        data[f"issuing_bodies-{index}-position"] = body.position
    for offset, slug in enumerate(bodies):
        index = len(existing) + offset
        data[f"issuing_bodies-{index}-structure"] = structure(slug).pk
        data[f"issuing_bodies-{index}-position"] = index
    data.update(overrides)
    return data


def change_url(item):
    return f"/admin/news/newsitem/{item.pk}/change/"


def errors_of(response):
    text = []
    context = response.context
    if context and "adminform" in context:
        text += [str(e) for e in context["adminform"].form.errors.values()]
        for formset in context["inline_admin_formsets"]:
            text += [str(e) for e in formset.formset.non_form_errors()]
            text += [str(e) for e in formset.formset.errors if e]
    return " ".join(text)


# --- rights per issuing body ------------------------------------------------------------------


def test_editor_creates_a_draft_for_their_own_office(client, dushanbe_editor):
    client.force_login(dushanbe_editor)
    response = client.post(ADD_URL, form_data(bodies=["programme-office-in-dushanbe"]))
    assert response.status_code == 302, errors_of(response)
    item = NewsItem.objects.get(slug="border-officers-trained-in-dushanbe")
    assert item.status == NewsItem.Status.DRAFT
    assert item.created_by == dushanbe_editor
    assert [s.slug for s in item.issued_by.all()] == ["programme-office-in-dushanbe"]


def test_field_operation_country_is_preselected(client, dushanbe_editor):
    client.force_login(dushanbe_editor)
    client.post(ADD_URL, form_data(bodies=["programme-office-in-dushanbe"]))
    item = NewsItem.objects.get()
    assert [c.code for c in item.countries.all()] == ["TJ"]


def test_editor_cannot_issue_in_another_offices_name(client, dushanbe_editor):
    client.force_login(dushanbe_editor)
    response = client.post(ADD_URL, form_data(bodies=["programme-office-in-bishkek"]))
    assert response.status_code == 200
    # Another office may be named beside one's own, as a co-issuer that signs off (test_joint_*).
    assert "Choose at least one of your own bodies" in errors_of(response)
    assert not NewsItem.objects.exists()


def test_editor_cannot_list_open_change_or_delete_another_offices_item(client, dushanbe_editor):
    theirs = NewsItemFactory(issued_by=[structure("programme-office-in-bishkek")])
    ours = NewsItemFactory(issued_by=[structure("programme-office-in-dushanbe")])
    client.force_login(dushanbe_editor)

    listing = client.get("/admin/news/newsitem/")
    assert listing.status_code == 200
    shown = list(listing.context["cl"].result_list)
    assert ours in shown and theirs not in shown

    assert client.get(change_url(theirs)).status_code in (302, 403, 404)
    response = client.post(change_url(theirs), form_data(theirs, title="Defaced"))
    assert response.status_code in (302, 403, 404)
    assert client.post(
        f"/admin/news/newsitem/{theirs.pk}/delete/", {"post": "yes"}
    ).status_code in (302, 403, 404)
    assert client.get(f"/admin/news/newsitem/{theirs.pk}/history/").status_code in (302, 403, 404)
    theirs.refresh_from_db()
    assert theirs.title != "Defaced"
    assert NewsItem.objects.filter(pk=theirs.pk).exists()


def test_coissued_item_is_visible_and_keeps_the_other_issuer(client, dushanbe_publisher):
    item = NewsItemFactory(
        issued_by=[structure("secretariat"), structure("programme-office-in-dushanbe")],
        fields_of_work=[FieldOfWork.objects.get(slug="border-management")],
    )
    client.force_login(dushanbe_publisher)
    data = form_data(item, status="published", title="New", resign_confirmed="on")
    response = client.post(change_url(item), data)
    assert response.status_code == 302, errors_of(response)
    item.refresh_from_db()
    assert item.title == "New"
    assert [s.slug for s in item.issued_by.all()] == ["secretariat", "programme-office-in-dushanbe"]
    # The new title awaits the Secretariat's sign-off (tests/test_joint_issuance.py).
    assert item.status == NewsItem.Status.AWAITING


def test_editor_must_keep_one_of_their_own_bodies(client, dushanbe_editor):
    client.force_login(dushanbe_editor)
    response = client.post(ADD_URL, form_data(bodies=[]))
    assert "Choose at least one of your own bodies" in errors_of(response)
    assert not NewsItem.objects.exists()


def test_editor_cannot_remove_another_offices_coissuer(client, dushanbe_publisher):
    item = NewsItemFactory(
        issued_by=[structure("secretariat"), structure("programme-office-in-dushanbe")],
        fields_of_work=[FieldOfWork.objects.get(slug="border-management")],
    )
    client.force_login(dushanbe_publisher)
    data = form_data(item, status="published")
    data["issuing_bodies-0-DELETE"] = "on"
    response = client.post(change_url(item), data)
    assert "Only its own editors may remove a co-issuing body" in errors_of(response)
    assert item.issued_by.count() == 2


def test_manager_sees_every_item(client, manager):
    items = [
        NewsItemFactory(issued_by=[structure(slug)])
        for slug in ("programme-office-in-bishkek", "odihr", "secretariat")
    ]
    client.force_login(manager)
    shown = list(client.get("/admin/news/newsitem/").context["cl"].result_list)
    assert set(items) <= set(shown)


def test_editor_without_publish_right_saves_drafts_only(client, dushanbe_editor):
    client.force_login(dushanbe_editor)
    response = client.post(
        ADD_URL, form_data(bodies=["programme-office-in-dushanbe"], status="published")
    )
    assert response.status_code == 200
    assert "You may save drafts only" in errors_of(response)
    assert not NewsItem.objects.exists()


def test_taxonomy_is_read_only_for_editors(client, dushanbe_editor, manager):
    tajikistan = Country.objects.get(code="TJ")
    url = f"/admin/countries/country/{tajikistan.pk}/change/"
    client.force_login(dushanbe_editor)
    assert client.post(url, {"name": "Renamed"}).status_code == 403
    client.force_login(manager)
    assert client.get(url).status_code == 200


# --- workflow ---------------------------------------------------------------------------------


def test_publishing_checklist_says_what_is_missing(client, dushanbe_publisher):
    client.force_login(dushanbe_publisher)
    data = form_data(bodies=[], status="published", lead="", fields_of_work=[])
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    errors = errors_of(response)
    assert "Write a lead" in errors
    assert "Choose at least one issuing body" in errors
    assert "Choose at least one field of work" in errors
    assert not NewsItem.objects.exists()


def test_scheduled_item_appears_by_itself(client, dushanbe_publisher):
    client.force_login(dushanbe_publisher)
    later = timezone.localtime() + datetime.timedelta(hours=2)
    data = form_data(
        bodies=["programme-office-in-dushanbe"],
        status="published",
        published_at_0=later.date().isoformat(),
        published_at_1=later.strftime("%H:%M:%S"),
    )
    assert client.post(ADD_URL, data).status_code == 302
    item = NewsItem.objects.get()
    client.logout()
    assert client.get(item.get_absolute_url()).status_code == 404
    item.published_at = timezone.now() - datetime.timedelta(seconds=1)
    item.save()
    assert client.get(item.get_absolute_url()).status_code == 200


def test_withdrawing_needs_a_reason_and_hides_the_item(client, dushanbe_publisher):
    item = NewsItemFactory(
        issued_by=[structure("programme-office-in-dushanbe")],
        fields_of_work=[FieldOfWork.objects.get(slug="border-management")],
    )
    client.force_login(dushanbe_publisher)
    response = client.post(change_url(item), form_data(item, status="withdrawn"))
    assert "Say why the item is withdrawn" in errors_of(response)
    response = client.post(
        change_url(item), form_data(item, status="withdrawn", withdrawn_reason="Wrong date")
    )
    assert response.status_code == 302
    client.logout()
    assert client.get(item.get_absolute_url()).status_code == 404
    item.refresh_from_db()
    assert item.withdrawn_reason == "Wrong date"


def test_slug_is_stable_once_published(client, dushanbe_publisher):
    item = NewsItemFactory(
        slug="original-slug",
        issued_by=[structure("programme-office-in-dushanbe")],
        fields_of_work=[FieldOfWork.objects.get(slug="border-management")],
    )
    client.force_login(dushanbe_publisher)
    client.post(change_url(item), form_data(item, status="published", slug="new-slug"))
    item.refresh_from_db()
    assert item.slug == "original-slug"


def test_bulk_publish_and_withdraw(client, dushanbe_publisher):
    dushanbe = structure("programme-office-in-dushanbe")
    field = FieldOfWork.objects.get(slug="border-management")
    ready = NewsItemFactory(status="draft", issued_by=[dushanbe], fields_of_work=[field])
    no_lead = NewsItemFactory(status="draft", issued_by=[dushanbe], fields_of_work=[field], lead="")
    client.force_login(dushanbe_publisher)
    response = client.post(
        "/admin/news/newsitem/",
        {"action": "publish_selected", "_selected_action": [ready.pk, no_lead.pk]},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert "1 item published." in texts
    assert any("Not published" in t and "Write a lead" in t for t in texts)
    ready.refresh_from_db()
    no_lead.refresh_from_db()
    assert (ready.status, no_lead.status) == ("published", "draft")

    response = client.post(
        "/admin/news/newsitem/",
        {
            "action": "withdraw_selected",
            "_selected_action": [ready.pk],
            "withdrawn_reason": "Duplicate",
        },
    )
    ready.refresh_from_db()
    assert (ready.status, ready.withdrawn_reason) == ("withdrawn", "Duplicate")


def test_editor_cannot_bulk_publish(client, dushanbe_editor):
    item = NewsItemFactory(status="draft", issued_by=[structure("programme-office-in-dushanbe")])
    client.force_login(dushanbe_editor)
    offered = client.get("/admin/news/newsitem/").context["action_form"].fields["action"].choices
    assert "publish_selected" not in [name for name, _label in offered]
    client.post(
        "/admin/news/newsitem/", {"action": "publish_selected", "_selected_action": [item.pk]}
    )
    item.refresh_from_db()
    assert item.status == "draft"


# --- preview ----------------------------------------------------------------------------------


def test_preview_of_a_draft_shows_the_public_page_to_staff_only(client, dushanbe_editor):
    item = NewsItemFactory(status="draft", issued_by=[structure("programme-office-in-dushanbe")])
    url = f"/admin/news/newsitem/{item.pk}/preview/"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(dushanbe_editor)
    response = client.get(url)
    assert response.status_code == 200
    assert item.title in response.content.decode()
    assert client.get(item.get_absolute_url()).status_code == 404


def test_preview_of_unsaved_changes_saves_nothing(client, dushanbe_editor):
    client.force_login(dushanbe_editor)
    data = form_data(bodies=["programme-office-in-dushanbe"], title="Unsaved headline")
    response = client.post("/admin/news/newsitem/preview/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Unsaved headline" in page and "OSCE Programme Office in Dushanbe" in page
    assert not NewsItem.objects.exists()


# --- concurrent edits -------------------------------------------------------------------------


def test_second_of_two_concurrent_saves_is_refused(client, dushanbe_publisher):
    item = NewsItemFactory(
        issued_by=[structure("programme-office-in-dushanbe")],
        fields_of_work=[FieldOfWork.objects.get(slug="border-management")],
    )
    client.force_login(dushanbe_publisher)
    opened_by_first = form_data(item, status="published", title="First editor's title")
    opened_by_second = form_data(item, status="published", title="Second editor's title")
    assert client.post(change_url(item), opened_by_first).status_code == 302
    response = client.post(change_url(item), opened_by_second)
    assert response.status_code == 200
    assert "after you opened it" in errors_of(response)
    item.refresh_from_db()
    assert item.title == "First editor's title"


# --- photos -----------------------------------------------------------------------------------


def jpeg(size=(1000, 700)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 90, 160)).save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_photo_upload_stores_renditions(client, dushanbe_editor, media_root):
    client.force_login(dushanbe_editor)
    data = form_data(bodies=["programme-office-in-dushanbe"], image=jpeg(), image_alt="Officers")
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    item = NewsItem.objects.get()
    assert item.image.name.startswith("news/")
    assert item.rendition("thumbnail")["width"] == 320
    assert (media_root / item.image_renditions["medium"]["webp"]).exists()


@pytest.mark.parametrize("status", ["draft", "published"])
def test_a_photo_always_needs_alt_text(client, dushanbe_publisher, media_root, status):
    client.force_login(dushanbe_publisher)
    data = form_data(bodies=["programme-office-in-dushanbe"], status=status, image=jpeg())
    response = client.post(ADD_URL, data)
    assert "Describe the photo for people who cannot see it" in errors_of(response)
    assert not NewsItem.objects.exists()
    assert not list(media_root.rglob("*.*"))


def test_bad_photo_is_a_form_error_and_nothing_is_stored(client, dushanbe_editor, media_root):
    client.force_login(dushanbe_editor)
    svg = SimpleUploadedFile("x.svg", b"<svg onload='alert(1)'/>", content_type="image/svg+xml")
    data = form_data(bodies=["programme-office-in-dushanbe"], image=svg, image_alt="x")
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "not a JPEG, PNG or WebP image" in errors_of(response)
    assert not NewsItem.objects.exists()
    assert not list(media_root.rglob("*.*"))


# --- scale --------------------------------------------------------------------------------------


def test_changelist_query_count_does_not_grow_with_the_page(client, manager):
    dushanbe, secretariat = structure("programme-office-in-dushanbe"), structure("secretariat")
    counts = []
    client.force_login(manager)
    for total in (5, 40):
        NewsItem.objects.all().delete()
        for _ in range(total):
            NewsItemFactory(issued_by=[dushanbe, secretariat])
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/news/newsitem/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- revisions --------------------------------------------------------------------------------


def test_history_shows_who_changed_what_and_an_old_version_can_be_restored(
    client, dushanbe_publisher
):
    from reversion.models import Version

    client.force_login(dushanbe_publisher)
    data = form_data(bodies=["programme-office-in-dushanbe"], status="published")
    assert client.post(ADD_URL, data).status_code == 302
    item = NewsItem.objects.get()
    client.post(change_url(item), form_data(item, status="published", title="Second title"))
    item.refresh_from_db()
    assert item.title == "Second title"

    history = client.get(f"/admin/news/newsitem/{item.pk}/history/").content.decode()
    assert "Changed Title" in history and "dushanbe-publisher" in history

    first = Version.objects.get_for_object(item).order_by("pk").first()
    revert_url = f"/admin/news/newsitem/{item.pk}/history/{first.pk}/"
    form = client.get(revert_url)
    assert form.status_code == 200
    assert 'value="Border officers trained in Dushanbe"' in form.content.decode()
    old = form_data(item, status="published")  # the first version's title
    response = client.post(revert_url, old)
    assert response.status_code == 302, errors_of(response)
    item.refresh_from_db()
    assert item.title == "Border officers trained in Dushanbe"
    assert [s.slug for s in item.issued_by.all()] == ["programme-office-in-dushanbe"]
    assert Version.objects.get_for_object(item).count() == 3


def test_another_offices_history_is_closed(client, dushanbe_editor):
    from reversion.models import Version

    theirs = NewsItemFactory(issued_by=[structure("programme-office-in-bishkek")])
    import reversion

    with reversion.create_revision():
        theirs.save()
    version = Version.objects.get_for_object(theirs).first()
    client.force_login(dushanbe_editor)
    url = f"/admin/news/newsitem/{theirs.pk}/history/{version.pk}/"
    assert client.get(url).status_code in (302, 403, 404)


def test_tag_suggestions_for_the_tags_field(client, dushanbe_editor):
    NewsItemFactory().tags.set(["customs", "border crossing", "cross-border trade"])
    url = "/admin/news/newsitem/tag-suggestions/"
    assert client.get(url, {"q": "cross"}).status_code == 302  # staff only
    client.force_login(dushanbe_editor)
    assert client.get(url, {"q": "cross"}).json() == {
        "results": ["border crossing", "cross-border trade"]
    }
    assert client.get(url, {"q": "c"}).json() == {"results": []}
    form = client.get(ADD_URL).content.decode()
    assert f'data-suggestions="{url}"' in form and "tag-suggestions.js" in form

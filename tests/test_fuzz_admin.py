"""Hostile posts of the admin news form: form errors, never a 500, nothing half-saved (issue 6):
75 generated posts each for the add and the change form, and regression tests."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from news import publishing
from news.jsonl import export_line, export_queryset
from news.models import FieldOfWork, NewsItem
from structures.models import Structure

from .factories import NewsItemFactory
from .fuzzing import HOSTILE, MARKER, fuzz_settings
from .test_admin import ADD_URL, change_url, errors_of, form_data, make_editor
from .test_joint_issuance import joint_draft

pytestmark = pytest.mark.usefixtures("demo_news")


# --- 3. the admin news form -------------------------------------------------------------------

ADMIN_EXAMPLES = 75  # for each of the add and the change form
# With the time at midnight, a date at the edge of the calendar is at its edge in UTC too.
MIDNIGHT = {"published_at_1": "00:00:00"}


@pytest.fixture
def superuser(visitor):
    user = User.objects.create_superuser("fuzz-admin", "fuzz@example.org", "pw")
    visitor.force_login(user)
    return user


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(content, name="photo.jpg"):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


ADMIN_VALUES = {
    "title": ["\x00", "x" * 301, "x" * 100_000, f"{MARKER}<script>", "\u202e\x01"],
    "slug": ["../../x", "a b", "\x00", "x" * 300, "ü", ""],
    "type": ["blog", "", "\x00", "' OR 1=1--"],
    "status": ["live", "", "\x00", "published"],
    "lead": ["\x00", "x" * 1_000_000, f"{MARKER}"],
    "body": ["\x00", f"<script>alert(1)</script>{MARKER}", "<img src=x onerror=alert(1)>"],
    "published_at_0": ["2024-02-30", "0000-01-01", "0001-01-01", "99999-01-01", "9999-12-31"],
    "published_at_1": ["25:61:61", "\x00", "-1", "23:59:59.9999999"],
    "withdrawn_reason": ["\x00", "x" * 100_000],
    "fields_of_work": [["-1"], ["9" * 30], ["abc"], ["\x00"], ["1.5"], list(map(str, range(300)))],
    "countries": [["-1"], ["9" * 30], ["\x00"], ["99999"]],
    "tags": ["\x00", "x" * 101, ",,,,", '"', "a" * 100_000, "a,\x00"],
    "image_alt": ["\x00", "x" * 301],
    "edit_version": ["-1", "9" * 30, "abc", "1e9", "\x00"],
    "issuing_bodies-0-structure": ["-1", "9" * 30, "abc", "\x00", "999999", ""],
    "issuing_bodies-0-position": ["-1", "9" * 30, "40000", "abc"],
    "issuing_bodies-TOTAL_FORMS": [None, "-1", "abc", "9" * 30, "1001", "\x00", ""],
    "issuing_bodies-INITIAL_FORMS": [None, "-1", "5", "9" * 30],
    "issuing_bodies-MAX_NUM_FORMS": [None, "-1", "0"],
    "image": [
        upload(b""),
        upload(b"\xff\xd8\xff" + b"\x00" * 50),  # a JPEG that stops after its first marker
        upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
        upload(b"GIF89a" + b"\x00" * 20, "photo.gif"),
        upload(b"<svg onload=alert(1)/>", "../../photo.svg"),
    ],
}  # fmt: skip
admin_changes = st.dictionaries(
    st.sampled_from(sorted(ADMIN_VALUES)),
    st.one_of(st.text(max_size=30), st.sampled_from(HOSTILE)),
    max_size=2,
) | st.sampled_from(sorted(ADMIN_VALUES)).flatmap(
    lambda key: st.sampled_from(ADMIN_VALUES[key]).map(lambda value: {key: value})
)


def hostile_post(data, changes):
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            if hasattr(value, "seek"):
                value.seek(0)
            data[key] = value
    return data


def check_admin_answer(client, url, data, changes, saved):
    """An invalid post is a 200 with form errors (or the site's 400) and stores nothing; a
    valid one is a redirect, and the item it saved can be read back."""
    response = client.post(url, data)
    assert response.status_code in (200, 302, 400), (changes, response.status_code)
    if response.status_code == 302:
        item = saved()
        assert client.get(change_url(item)).status_code == 200
        assert client.get("/admin/news/newsitem/").status_code == 200
        return True
    if response.status_code == 200:
        assert errors_of(response), changes
        assert MARKER.encode() not in response.content
    else:
        assert b"<h1>Bad request</h1>" in response.content
    return False


def test_admin_add_form_answers_hostile_posts_with_form_errors(visitor, superuser, media_root):
    sent = []

    @fuzz_settings(ADMIN_EXAMPLES)
    @given(changes=admin_changes, number=st.integers(0, 10**9))
    def fuzz(changes, number):
        sent.append(changes)
        count = NewsItem.objects.count()
        data = form_data(bodies=["secretariat"], slug=f"fuzz-admin-{number}", **MIDNIGHT)
        data = hostile_post(data, changes)
        if not check_admin_answer(
            visitor, ADD_URL, data, changes, lambda: NewsItem.objects.latest("pk")
        ):
            assert NewsItem.objects.count() == count
            assert not list(media_root.rglob("*.*"))

    fuzz()
    assert len(sent) >= ADMIN_EXAMPLES


def test_admin_change_form_answers_hostile_posts_with_form_errors(visitor, superuser, media_root):
    secretariat = Structure.objects.get(slug="secretariat")
    border_management = FieldOfWork.objects.get(slug="border-management")
    sent = []

    @fuzz_settings(ADMIN_EXAMPLES)
    @given(changes=admin_changes, status=st.sampled_from(["draft", "published"]))
    def fuzz(changes, status):
        sent.append(changes)
        item = NewsItemFactory(
            status=status, issued_by=[secretariat], fields_of_work=[border_management]
        )
        before = export_line(export_queryset().get(pk=item.pk))
        data = form_data(item, slug=item.slug, status=status, **MIDNIGHT)
        data = hostile_post(data, changes)
        if not check_admin_answer(visitor, change_url(item), data, changes, lambda: item):
            assert export_line(export_queryset().get(pk=item.pk)) == before

    fuzz()
    assert len(sent) >= ADMIN_EXAMPLES


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("countries", ":", "“:” is not a valid value."),
        ("issuing_bodies-0-structure", "abc", "Select a valid choice."),
    ],
)
def test_admin_shows_a_non_numeric_id_as_a_form_error(visitor, superuser, key, value, message):
    # Once a 500: the autocomplete widget looked the value up to show it again.
    data = form_data(bodies=["secretariat"]) | {key: value}
    response = visitor.post(ADD_URL, data)
    assert response.status_code == 200
    assert message in errors_of(response)
    assert not NewsItem.objects.filter(slug=data["slug"]).exists()


def test_a_post_without_the_management_form_is_a_form_error(visitor, superuser):
    data = form_data(bodies=["secretariat"])
    del data["issuing_bodies-TOTAL_FORMS"], data["issuing_bodies-INITIAL_FORMS"]
    response = visitor.post(ADD_URL, data)
    assert response.status_code == 200
    assert "ManagementForm data is missing or has been tampered with" in errors_of(response)
    assert not NewsItem.objects.filter(slug=data["slug"]).exists()


def test_admin_refuses_a_tag_longer_than_the_database_holds(visitor, superuser):
    # Once a 500: the database refused the 101st character.
    data = form_data(bodies=["secretariat"], tags="x" * 101)
    response = visitor.post(ADD_URL, data)
    assert response.status_code == 200
    assert "A tag may be at most 100 characters long" in errors_of(response)
    assert not NewsItem.objects.filter(slug=data["slug"]).exists()


def test_admin_refuses_a_body_listed_twice_by_a_tampered_form_count(visitor, superuser):
    # Once a 500 (IntegrityError): the stored row was left out of the form and posted again.
    item = NewsItemFactory(status="draft", issued_by=[Structure.objects.get(slug="secretariat")])
    data = form_data(item, slug=item.slug) | {"issuing_bodies-INITIAL_FORMS": "0"}
    response = visitor.post(change_url(item), data)
    assert response.status_code == 200
    assert "Each issuing body may be listed once" in errors_of(response)
    assert item.issuing_bodies.count() == 1


def test_unpublishing_with_an_error_in_the_form_shows_the_form_again(visitor, superuser):
    # Once a 500: the page was shown again with the slug editable (the new status, draft) but
    # the form had been built without it (the stored status, published).
    item = NewsItemFactory(
        issued_by=[Structure.objects.get(slug="secretariat")],
        fields_of_work=[FieldOfWork.objects.get(slug="border-management")],
    )
    data = form_data(item, slug=item.slug, status="draft", published_at_1="not a time")
    response = visitor.post(change_url(item), data)
    assert response.status_code == 200
    assert "Enter a valid time" in errors_of(response)
    item.refresh_from_db()
    assert item.status == NewsItem.Status.PUBLISHED


def test_admin_refuses_a_time_that_cannot_be_stored_and_read_back(visitor, superuser):
    # Once saved: midnight of 1 January of the year 1 in Vienna is in the year 0 in UTC, and
    # every page that read the item answered 500 from then on.
    data = form_data(bodies=["secretariat"], published_at_0="0001-01-01", published_at_1="0:00")
    response = visitor.post(ADD_URL, data)
    assert response.status_code == 200
    assert "Choose a date between the years 1 and 9999" in errors_of(response)
    assert not NewsItem.objects.filter(slug=data["slug"]).exists()


# --- the sign-off page of a joint item (news/admin/signoffs.py) --------------------------------

SIGN_OFF_EXAMPLES = 60


def test_the_sign_off_page_answers_hostile_posts_without_deciding(visitor):
    publisher = make_editor(
        "fuzz-a", bodies=["programme-office-in-dushanbe"], groups=("Publisher",)
    )
    signer = make_editor("fuzz-b", bodies=["programme-office-in-bishkek"], groups=("Publisher",))
    item = joint_draft("programme-office-in-dushanbe", "programme-office-in-bishkek")
    assert publishing.publish(item, by=publisher) == []
    bishkek = Structure.objects.get(slug="programme-office-in-bishkek").pk
    # Anything but the one valid body: whatever else is sent, nothing is decided.
    values = st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=30),
        st.integers(-(10**20), 10**20).filter(lambda n: n != bishkek).map(str),
    ).filter(lambda value: value.strip().lstrip("+0") != str(bishkek))
    visitor.force_login(signer)
    url = f"/admin/news/newsitem/{item.pk}/sign-off/"
    before = list(item.sign_offs.values_list("structure", "state", "reason"))
    sent = []

    @fuzz_settings(SIGN_OFF_EXAMPLES)
    @given(
        body=values,
        version=values,
        decision=st.one_of(st.sampled_from(["sign", "decline"]), values),
        reason=values,
    )
    def fuzz(body, version, decision, reason):
        sent.append(body)
        data = {"body": body, "version": version, "decision": decision, "reason": reason}
        response = visitor.post(url, data)
        assert response.status_code in (400, 403, 404, 409), (data, response.status_code)
        assert MARKER.encode() not in response.content
        assert list(item.sign_offs.values_list("structure", "state", "reason")) == before

    fuzz()
    assert len(sent) >= SIGN_OFF_EXAMPLES

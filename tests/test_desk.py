"""The editor's desk (news/desk.py): the back office's home page for each role, computed here
independently of the code; and the status as the public sees it (Scheduled) in the list, its
filter and the form, across a go-live."""

import datetime
import html
import json
import re

import pytest
from django.utils import timezone

from news import publishing
from news.models import FieldOfWork, NewsItem
from structures.models import Structure

from .factories import NewsItemFactory
from .test_admin import make_editor, structure
from .test_joint_issuance import form_of

pytestmark = pytest.mark.usefixtures("reference_data")

A, B = "programme-office-in-dushanbe", "programme-office-in-bishkek"
CHANGELIST = "/admin/news/newsitem/"


@pytest.fixture
def people():
    return {
        "editor_A": make_editor("editor-a", bodies=[A]),
        "publisher_A": make_editor("publisher-a", bodies=[A], groups=("Publisher",)),
        "publisher_B": make_editor("publisher-b", bodies=[B], groups=("Publisher",)),
        "manager": make_editor("manager", bodies=[], groups=("Manager",)),
    }


@pytest.fixture
def newsroom(people):
    """Items of A and of B in every state, some saved by A's editor."""
    now = timezone.now()
    made = {}

    def item(key, *slugs, **fields):
        fields.setdefault("fields_of_work", [FieldOfWork.objects.get(slug="border-management")])
        made[key] = NewsItemFactory(
            title=f"Item {key}", slug=key, issued_by=[structure(s) for s in slugs], **fields
        )
        return made[key]

    item("draft-a-mine", A, status="draft", created_by=people["editor_A"])
    item("draft-a-other", A, status="draft")
    item("draft-b", B, status="draft", created_by=people["editor_A"])  # not theirs to see now
    for days in (3, 1, 2):
        item(f"scheduled-a-{days}", A, published_at=now + datetime.timedelta(days=days))
    item("scheduled-b", B, published_at=now + datetime.timedelta(hours=5))
    for days in range(1, 8):
        item(f"published-a-{days}", A, published_at=now - datetime.timedelta(days=days))
    item("published-b", B, published_at=now - datetime.timedelta(hours=1))
    item("withdrawn-a", A, status="withdrawn", withdrawn_reason="Wrong")
    joint = item("joint", A, B, status="draft")
    assert publishing.publish(joint, by=people["publisher_A"]) == []
    return made


def desk(client, user):
    client.force_login(user)
    page = client.get("/admin/").content.decode()
    shelves = {}
    for key, body in re.findall(r'id="shelf-(\w+)">(.*?)</div>', page, re.S):
        count = re.search(r'class="desk-count">([^<]+)<', body)
        shelves[key] = {
            "count": count.group(1) if count else None,
            "items": re.findall(
                r'<li><a href="/admin/news/newsitem/\d+/change/">([^<]+)</a>', body
            ),
        }
    return shelves


def expected(user, made, *, edits_all=False, bodies=()):
    """The desk as the issue words it, worked out from the items here, not from the code."""

    def visible(key):
        item = made[key]
        issuers = {b.structure.slug for b in item.issuing_bodies.all()}
        return edits_all or bool(issuers & set(bodies))

    keys = [key for key in made if visible(key)]
    items = {key: NewsItem.objects.get(pk=made[key].pk) for key in keys}
    now = timezone.now()
    drafts = [
        k for k, i in items.items() if i.status == "draft" and user in (i.created_by, i.updated_by)
    ]
    scheduled = sorted(
        (k for k, i in items.items() if i.status == "published" and i.published_at > now),
        key=lambda k: items[k].published_at,
    )
    published = sorted(
        (k for k, i in items.items() if i.status == "published" and i.published_at <= now),
        key=lambda k: items[k].published_at,
        reverse=True,
    )
    return {
        "drafts": str(len(drafts)),
        "scheduled": str(len(scheduled)),
        "scheduled items": [f"Item {k}" for k in scheduled[:5]],
        "published items": [f"Item {k}" for k in published[:5]],
    }


@pytest.mark.parametrize("role", ["editor_A", "publisher_A", "publisher_B", "manager"])
def test_each_role_sees_its_own_desk(client, people, newsroom, role):
    user = people[role]
    bodies = {"editor_A": [A], "publisher_A": [A], "publisher_B": [B], "manager": []}[role]
    want = expected(user, newsroom, edits_all=role == "manager", bodies=bodies)
    got = desk(client, user)
    assert got["drafts"]["count"] == want["drafts"]
    assert got["scheduled"]["count"] == want["scheduled"]
    assert got["scheduled"]["items"] == want["scheduled items"]
    assert got["published"]["items"] == want["published items"]
    # The joint item sent by A awaits B: B's publisher is asked, A's people wait for B.
    awaits_me = "1" if role == "publisher_B" else "0"
    assert got["sign_off_mine"]["count"] == awaits_me
    others = "1" if role in ("editor_A", "publisher_A", "manager") else "0"
    assert got["sign_off_others"]["count"] == others
    assert ("review_structure" in got) is (role == "manager")


def test_a_managers_desk_counts_what_an_import_added_for_review(client, people):
    Structure.objects.filter(slug="secretariat").update(needs_review=True)
    shelves = desk(client, people["manager"])
    assert shelves["review_structure"]["count"] == "1"
    assert shelves["review_fieldofwork"]["count"] == "0"
    response = client.get("/admin/structures/structure/?needs_review__exact=1")
    assert "OSCE Secretariat" in response.content.decode()


def test_each_shelf_links_to_the_list_it_counts(client, people, newsroom):
    client.force_login(people["editor_A"])
    page = client.get("/admin/").content.decode()
    for key, url in re.findall(r'id="shelf-(\w+)">\s*<h3><a href="([^"]+)"', page):
        response = client.get(url.replace("&amp;", "&"))
        assert response.status_code == 200, key
        assert "?e=1" not in response.get("Location", ""), key
    drafts = client.get(CHANGELIST, {"status": "draft", "mine": "yes"})
    assert [i.slug for i in drafts.context["cl"].result_list] == ["draft-a-mine"]


@pytest.mark.parametrize("role", ["editor_A", "publisher_A", "manager"])
def test_the_desk_costs_the_same_queries_however_many_items(
    client, people, newsroom, django_assert_max_num_queries, role
):
    user = people[role]
    client.force_login(user)
    client.get("/admin/")  # the session, the content types, the menus' first read
    with django_assert_max_num_queries(20) as few:
        client.get("/admin/")
    bound = len(few.captured_queries)  # read now: the next request empties Django's query log
    now = timezone.now()
    for number in range(40):
        source = NewsItemFactory(
            slug=f"more-{number}", issued_by=[structure(A)], status="draft", created_by=user
        )
        NewsItemFactory(
            slug=f"more-{number}-scheduled",
            issued_by=[structure(A)],
            published_at=now + datetime.timedelta(days=number + 1),
        )
        NewsItemFactory(
            slug=f"more-{number}-ru",
            issued_by=[structure(A)],
            language="ru",
            translation_key=source.translation_key,
            translated_from=source,
            source_version=source.version,
        )
        NewsItem.objects.filter(pk=source.pk).update(version=source.version + 1)
    shelves = desk(client, user)
    assert shelves["drafts"]["count"] == ("41" if role == "editor_A" else "40")  # draft-a-mine
    assert shelves["scheduled"]["count"] == ("44" if role == "manager" else "43")
    assert shelves["source_changed"]["count"] == "40"
    with django_assert_max_num_queries(bound):
        client.get("/admin/")


def test_a_translation_is_on_the_desk_from_its_sources_next_save_until_its_own(client, people):
    """Whatever door saves the source (here a bulk update, as an import or an action writes),
    and until the translation is saved against it; a translation whose source was deleted is
    off the shelf. Worked out from each item's own property (models/items.py)."""
    source = NewsItemFactory(slug="source", issued_by=[structure(A)])
    translation = NewsItemFactory(
        slug="translation", issued_by=[structure(A)], language="ru", status="draft",
        translation_key=source.translation_key, translated_from=source,
        source_version=source.version,
    )  # fmt: skip

    def on_the_shelf():
        translation.refresh_from_db()
        count = desk(client, people["editor_A"])["source_changed"]["count"]
        assert count == ("1" if translation.source_changed else "0")
        return count == "1"

    assert not on_the_shelf()
    NewsItem.objects.filter(pk=source.pk).update(version=source.version + 1)
    assert on_the_shelf()
    translation.source_version = source.version + 1
    translation.save()
    assert not on_the_shelf()
    source.refresh_from_db()
    source.version += 1
    source.save()
    assert on_the_shelf()
    source.delete()
    assert not on_the_shelf()


# --- Scheduled: the status as the public sees it ----------------------------------------------


def test_scheduled_shows_in_the_list_the_filter_and_the_form_until_it_goes_live(
    client, people, monkeypatch
):
    go_live = timezone.now() + datetime.timedelta(hours=2)
    item = NewsItemFactory(
        title="Tomorrow's statement", issued_by=[structure(A)], published_at=go_live
    )
    client.force_login(people["publisher_A"])

    def filtered(status):
        response = client.get(CHANGELIST, {"status": status})
        return [row.pk for row in response.context["cl"].result_list]

    listing = client.get(CHANGELIST).content.decode()
    assert "Scheduled: goes live on" in listing
    assert filtered("scheduled") == [item.pk] and filtered("published") == []
    form = client.get(f"/admin/news/newsitem/{item.pk}/change/").content.decode()
    assert "Status: <strong>Scheduled: goes live on" in form
    assert ">Preview</a>" in form and ">View on site</a>" not in form

    later = go_live + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert filtered("scheduled") == [] and filtered("published") == [item.pk]
    form = client.get(f"/admin/news/newsitem/{item.pk}/change/").content.decode()
    assert "Status: <strong>Published</strong>" in form
    assert ">View on site</a>" in form and "View live" in form


def test_the_models_are_grouped_and_named_for_editors(client, people, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org"))
    page = client.get("/admin/").content.decode()
    sections = re.findall(r'<caption>\s*<a href="[^"]*" class="section"[^>]*>([^<]+)</a>', page)
    assert sections[:3] == ["News", "Taxonomy", "People"]
    assert "Taggit" not in page and "TAGGIT" not in page
    taxonomy = page.split(">Taxonomy</a>")[1].split("</table>")[0]
    for name in ("Fields of work", "Structures", "Countries", "Tags"):
        assert f">{name}</a>" in taxonomy, name
    # An editor sees the sections of what they may edit.
    client.force_login(people["editor_A"])
    page = client.get("/admin/").content.decode()
    sections = re.findall(r'<caption>\s*<a href="[^"]*" class="section"[^>]*>([^<]+)</a>', page)
    assert sections[0] == "News" and "People" not in sections


# --- the form in the order an editor thinks (issue 18, part 3: first steps) --------------------


def test_a_new_item_of_an_editor_of_one_body_is_issued_by_it(client, people):
    client.force_login(people["editor_A"])
    page = client.get("/admin/news/newsitem/add/").content.decode()
    dushanbe = structure(A)
    assert re.search(rf'<option value="{dushanbe.pk}" selected>', page)
    # A manager, who works for every body, chooses.
    client.force_login(people["manager"])
    page = client.get("/admin/news/newsitem/add/").content.decode()
    assert not re.search(
        r'name="issuing_bodies-0-structure"[^>]*>\s*<option value="\d+" selected', page
    )


def test_menu_sections_are_not_offered_as_fields_of_work_but_kept_where_set(client, people):
    projects = FieldOfWork.objects.filter(is_topical=False).first()
    assert projects is not None, "the reference data has menu sections"
    client.force_login(people["publisher_A"])
    page = client.get("/admin/news/newsitem/add/").content.decode()
    assert (
        f'value="{projects.pk}"' not in page.split('id="id_fields_of_work"')[1].split("</div>")[0]
    )
    item = NewsItemFactory(issued_by=[structure(A)], fields_of_work=[projects], status="draft")
    page = client.get(f"/admin/news/newsitem/{item.pk}/change/").content.decode()
    assert re.search(rf'value="{projects.pk}"[^>]*checked', page)


def test_the_body_editor_keeps_the_spell_checker(client, people):
    client.force_login(people["editor_A"])
    page = client.get("/admin/news/newsitem/add/").content.decode()
    config = re.search(r'data-django-prose-editor-configurable="([^"]+)"', page).group(1)
    extensions = json.loads(html.unescape(config))["extensions"]
    assert "Bold" in extensions and "NoSpellCheck" not in extensions


@pytest.fixture
def live_soon_draft():
    """An item of A that is live, one scheduled two days ahead, and a draft."""
    return (
        NewsItemFactory(title="A live statement", issued_by=[structure(A)]),
        NewsItemFactory(
            title="A coming statement",
            issued_by=[structure(A)],
            published_at=timezone.now() + datetime.timedelta(days=2),
        ),
        NewsItemFactory(title="A draft statement", issued_by=[structure(A)], status="draft"),
    )


def test_a_live_item_is_withdrawn_not_deleted_and_a_delete_confirmation_says_when(
    client, people, live_soon_draft
):
    live, soon, draft = live_soon_draft

    def page(item):
        return client.get(f"/admin/news/newsitem/{item.pk}/delete/").content.decode()

    for person in ("publisher_A", "manager"):
        client.force_login(people[person])
        refused = client.get(f"/admin/news/newsitem/{live.pk}/delete/")
        assert refused.status_code == 403
        assert "withdraw it instead" in refused.content.decode()
        form = client.get(f"/admin/news/newsitem/{live.pk}/change/").content.decode()
        assert f"/admin/news/newsitem/{live.pk}/delete/" not in form
        assert f"/admin/news/newsitem/{live.pk}/withdraw/" in form
    client.force_login(people["publisher_A"])
    when = timezone.localtime(soon.published_at).strftime("%H:%M")
    assert "“A coming statement” is scheduled to go live on" in page(soon)
    assert when in page(soon)
    assert "scheduled to go live" not in page(draft)
    assert NewsItem.objects.filter(pk=live.pk).exists()


def test_saving_says_whether_the_item_is_live_with_a_link_or_when_it_goes_live(
    client, people, live_soon_draft
):
    live, soon, draft = live_soon_draft
    client.force_login(people["publisher_A"])

    def saved(item):
        moment = timezone.localtime(item.published_at)
        data = form_of(
            item,
            published_at_0=moment.strftime("%Y-%m-%d"),
            published_at_1=moment.strftime("%H:%M:%S"),
        )
        response = client.post(f"/admin/news/newsitem/{item.pk}/change/", data, follow=True)
        return response.content.decode()

    page = saved(live)
    assert f'It is live on the site. <a href="{live.get_absolute_url()}">View live</a>' in page
    page = saved(soon)
    assert "Scheduled: goes live on" in page and "View live</a>" not in page.split("messagelist")[1]
    page = saved(draft)
    assert "It is live on the site" not in page

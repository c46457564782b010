"""Language versions in the back office (issue 12, "Editors"): "Add translation" makes a draft
sibling filled in from its source; the edit form lists the group and refuses a language the group
has; a translation whose source was saved since is marked "source changed" until it is saved
again; rights follow the issuing bodies into every version; each version is published alone."""

import pytest
import reversion
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from countries.models import Country
from news import publishing
from news.admin.translations import TranslationRefused, create_translation
from news.models import EditorProfile, FieldOfWork, NewsItem

from .test_admin import change_url, errors_of, form_data, make_editor, structure
from .test_admin_rights import BISHKEK, DUSHANBE, item_of

pytestmark = pytest.mark.usefixtures("reference_data")

CHANGELIST = "/admin/news/newsitem/"


def translate_url(item):
    return f"/admin/news/newsitem/{item.pk}/translate/"


@pytest.fixture
def dushanbe_editor():
    return make_editor("dushanbe", bodies=[DUSHANBE])


@pytest.fixture
def dushanbe_publisher():
    return make_editor("dushanbe-publisher", bodies=[DUSHANBE], groups=("Publisher",))


@pytest.fixture
def bishkek_editor():
    return make_editor("bishkek", bodies=[BISHKEK])


@pytest.fixture
def manager():
    return make_editor("manager", bodies=[], groups=("Manager",))


@pytest.fixture
def source():
    """A published English item of Dushanbe (co-issued by the Secretariat), fully classified."""
    item = item_of(
        DUSHANBE,
        "secretariat",
        title="Tajik customs officers study Finland's experience",
        slug="tajik-customs-officers-study-finlands-experience",
        lead="Officers visited the Finnish border.",
        body="<p>Twelve officers took part.</p>",
        type=NewsItem.Type.PRESS_RELEASE,
        image="news/2026/01/visit.jpg",
        image_alt="Officers at a border crossing",
        image_caption="At the crossing",
        image_credit="OSCE/Someone",
        fields_of_work=[FieldOfWork.objects.get(slug="border-management")],
        countries=[Country.objects.get(code="TJ"), Country.objects.get(code="FI")],
    )
    item.tags.set(["customs", "training"])
    return item


def translate(client, item, language):
    return client.post(translate_url(item), {"language": language})


def as_it_stands(item, **changes):
    """What its edit form posts for an item, with `changes`."""
    item.refresh_from_db()
    kept = ("title", "slug", "lead", "image_alt", "image_caption", "image_credit")
    return form_data(item, **{name: getattr(item, name) for name in kept} | changes)


def saved_through_the_form(client, item, **changes):
    """Save an item through its edit form, as it stands, with `changes`."""
    response = client.post(change_url(item), as_it_stands(item, **changes))
    assert response.status_code == 302, errors_of(response)
    item.refresh_from_db()
    return item


def row_counts():
    return (NewsItem.objects.count(), Version.objects.count(), LogEntry.objects.count())


# --- "Add translation" ------------------------------------------------------------------------


def test_add_translation_makes_a_draft_sibling_filled_in_from_the_source(
    client, dushanbe_editor, source
):
    client.force_login(dushanbe_editor)
    response = translate(client, source, "ru")

    translation = NewsItem.objects.get(language="ru")
    assert response.status_code == 302
    assert response["Location"] == change_url(translation)
    assert translation.status == NewsItem.Status.DRAFT
    assert translation.published_at is None
    assert translation.slug == "tajik-customs-officers-study-finlands-experience-ru"
    for name in ("title", "lead", "body", "type", "image_alt", "image_caption", "image_credit"):
        assert getattr(translation, name) == getattr(source, name), name
    assert translation.image.name == source.image.name
    assert translation.translation_key == source.translation_key
    assert translation.translated_from == source
    assert translation.source_version == source.version
    assert not translation.source_changed
    assert translation.created_by == translation.updated_by == dushanbe_editor
    assert [(b.structure.slug, b.position) for b in translation.issuing_bodies.all()] == [
        (DUSHANBE, 0),
        ("secretariat", 1),
    ]
    assert set(translation.fields_of_work.all()) == set(source.fields_of_work.all())
    assert set(translation.countries.all()) == set(source.countries.all())
    assert set(translation.tags.names()) == {"customs", "training"}
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Russian draft was made" in m for m in messages), messages


def test_the_source_is_left_as_it_was(client, dushanbe_editor, source):
    before = NewsItem.objects.filter(pk=source.pk).values().get()
    client.force_login(dushanbe_editor)
    translate(client, source, "ru")
    assert NewsItem.objects.filter(pk=source.pk).values().get() == before


def test_the_translation_starts_its_history(client, dushanbe_editor, source):
    client.force_login(dushanbe_editor)
    translate(client, source, "ru")
    translation = NewsItem.objects.get(language="ru")
    version = Version.objects.get_for_object(translation).get()
    assert "Russian translation" in version.revision.get_comment()
    assert version.revision.user == dushanbe_editor
    # Stored with its "Issued by" rows, so that it can be restored whole.
    assert version.revision.version_set.filter(content_type__model="issuingbody").count() == 2
    history = client.get(f"/admin/news/newsitem/{translation.pk}/history/")
    assert "Russian translation" in history.content.decode()


def test_a_taken_slug_gets_a_number(client, dushanbe_editor, source):
    item_of(DUSHANBE, slug=f"{source.slug}-ru")
    client.force_login(dushanbe_editor)
    translate(client, source, "ru")
    assert NewsItem.objects.get(language="ru", translation_key=source.translation_key).slug == (
        f"{source.slug}-ru-2"
    )


def test_the_choice_of_language_offers_the_languages_the_group_lacks(
    client, dushanbe_editor, source
):
    client.force_login(dushanbe_editor)
    translate(client, source, "ru")
    page = client.get(translate_url(source))
    assert page.status_code == 200
    offered = [code for code, _label in page.context["form"].fields["language"].widget.choices]
    assert "fr" in offered and "ru" not in offered and "en" not in offered


def test_a_language_the_group_has_is_refused_and_nothing_is_written(
    client, dushanbe_editor, source
):
    client.force_login(dushanbe_editor)
    translate(client, source, "ru")
    before = row_counts()
    response = translate(client, source, "ru")
    assert response.status_code == 400
    assert "has a Russian version already" in response.content.decode()
    assert "Nothing was created" in response.content.decode()
    # The source's own language, from the translation: the same.
    translation = NewsItem.objects.get(language="ru")
    assert translate(client, translation, "en").status_code == 400
    assert row_counts() == before


def test_a_language_added_meanwhile_is_refused_under_the_lock(dushanbe_editor, source):
    create_translation(source, "ru", by=dushanbe_editor)
    before = row_counts()
    with pytest.raises(TranslationRefused, match="has a Russian version already"):
        create_translation(source, "ru", by=dushanbe_editor)
    assert row_counts() == before


def test_an_unknown_language_is_a_form_error(client, dushanbe_editor, source):
    client.force_login(dushanbe_editor)
    before = row_counts()
    for bad in ("xx", "", "../en"):
        assert translate(client, source, bad).status_code == 400
    assert row_counts() == before


def test_the_translate_view_is_protected_against_forged_posts(dushanbe_editor, source):
    client = Client(enforce_csrf_checks=True)
    client.force_login(dushanbe_editor)
    assert translate(client, source, "ru").status_code == 403
    assert not NewsItem.objects.filter(language="ru").exists()


# --- the edit form: language and siblings -----------------------------------------------------


def test_the_edit_form_lists_the_other_versions_with_their_status(client, dushanbe_editor, source):
    client.force_login(dushanbe_editor)
    translate(client, source, "ru")
    translate(client, source, "fr")
    translation = NewsItem.objects.get(language="ru")
    page = client.get(change_url(source))
    panel = page.context["translations"]
    assert [(s.language.code, s.item.status) for s in panel.siblings] == [
        ("fr", "draft"),
        ("ru", "draft"),
    ]
    html = page.content.decode()
    assert f'href="{change_url(translation)}" lang="ru"' in html
    assert "Русский" in html
    assert [code for code, _label in panel.add_choices if code in ("en", "ru", "fr", "de")] == [
        "de"
    ]
    # From the translation: the original, marked as such.
    page = client.get(change_url(translation))
    rows = {s.language.code: s for s in page.context["translations"].siblings}
    assert rows["en"].is_source and rows["en"].url == change_url(source)


def test_a_sibling_the_user_may_not_edit_is_listed_without_a_link(
    client, dushanbe_editor, manager, source
):
    translation = create_translation(source, "ru", by=manager)
    translation.issuing_bodies.all().delete()
    translation.issuing_bodies.create(structure=structure(BISHKEK), position=0)
    client.force_login(dushanbe_editor)
    page = client.get(change_url(source))
    (row,) = page.context["translations"].siblings
    assert row.url is None
    assert row.item.title == translation.title


def test_changing_the_language_to_one_in_the_group_is_a_form_error_naming_the_sibling(
    client, dushanbe_editor, source
):
    client.force_login(dushanbe_editor)
    translate(client, source, "ru")
    translation = NewsItem.objects.get(language="ru")
    response = client.post(change_url(translation), as_it_stands(translation, language="en"))
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors["language"]
    assert f"“{source.title}” is this item's English version already" in error
    translation.refresh_from_db()
    assert translation.language == "ru"
    # A language the group lacks is fine.
    assert saved_through_the_form(client, translation, language="uk").language == "uk"


def test_the_language_is_shown_in_the_list_and_filters_it(client, dushanbe_editor, source):
    client.force_login(dushanbe_editor)
    translate(client, source, "ru")
    page = client.get(CHANGELIST, {"language": "ru"})
    assert [item.language for item in page.context["cl"].result_list] == ["ru"]
    assert "Russian (Русский)" in page.content.decode()


# --- "source changed" ---------------------------------------------------------------------------


def test_a_translation_whose_source_was_saved_since_is_marked_until_it_is_saved(
    client, dushanbe_publisher, source
):
    client.force_login(dushanbe_publisher)
    translate(client, source, "ru")
    translation = NewsItem.objects.get(language="ru")
    note = "original was changed after this translation was last saved"

    def marked():
        listed = client.get(CHANGELIST, {"source_changed": "yes"}).context["cl"].result_list
        return [item.pk for item in listed], note in client.get(change_url(translation)).text

    assert marked() == ([], False)
    # The source is issued jointly with the Secretariat: its new lead goes back for sign-off.
    saved_through_the_form(
        client, source, status="published", lead="A new lead.", resign_confirmed="on"
    )
    translation.refresh_from_db()
    assert translation.source_changed
    assert marked() == ([translation.pk], True)
    assert "source changed" in client.get(CHANGELIST).content.decode()
    # The source's own form marks the translation in its list of versions.
    (row,) = client.get(change_url(source)).context["translations"].siblings
    assert row.source_changed

    saved_through_the_form(client, translation, title="Таджикские таможенники")
    assert translation.source_version == NewsItem.objects.get(pk=source.pk).version
    assert not translation.source_changed
    assert marked() == ([], False)


# --- rights -------------------------------------------------------------------------------------


def test_an_editor_of_the_body_translates_its_item_and_edits_the_translation(
    client, dushanbe_editor, source
):
    client.force_login(dushanbe_editor)
    assert translate(client, source, "ru").status_code == 302
    translation = NewsItem.objects.get(language="ru")
    assert client.get(change_url(translation)).status_code == 200
    assert saved_through_the_form(client, translation, title="Перевод").title == "Перевод"


def test_an_editor_of_another_body_finds_no_translate_door(client, bishkek_editor, source):
    client.force_login(bishkek_editor)
    before = row_counts()
    assert client.get(translate_url(source)).status_code == 404
    assert translate(client, source, "ru").status_code == 404
    no_such_item = f"/admin/news/newsitem/{source.pk + 10_000}/translate/"
    assert client.post(no_such_item, {"language": "ru"}).status_code == 404
    assert row_counts() == before


def test_an_editor_of_another_body_cannot_edit_the_translation(
    client, dushanbe_editor, bishkek_editor, source
):
    translation = create_translation(source, "ru", by=dushanbe_editor)
    client.force_login(bishkek_editor)
    assert client.get(change_url(translation)).status_code == 404


def test_someone_who_may_not_add_items_may_not_add_translations(client, source):
    user = User.objects.create_user("reviewer", password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="news", codename__in=["view_newsitem", "change_newsitem"]
        )
    )
    EditorProfile.objects.create(user=user).structures.set([structure(DUSHANBE)])
    client.force_login(user)
    assert client.get(change_url(source)).context["translations"].add_choices == []
    assert translate(client, source, "ru").status_code == 403
    assert not NewsItem.objects.filter(language="ru").exists()


def test_an_editor_may_translate_a_published_item_they_may_not_change(
    client, dushanbe_editor, source
):
    client.force_login(dushanbe_editor)
    page = client.get(change_url(source))
    assert "Add translation" in page.content.decode()
    assert translate(client, source, "ru").status_code == 302
    assert NewsItem.objects.get(language="ru").status == NewsItem.Status.DRAFT


# --- publishing, one version at a time ----------------------------------------------------------


def test_publishing_the_translation_does_not_publish_the_source(client, dushanbe_publisher):
    draft = item_of(DUSHANBE, status="draft", published_at=None)
    translation = create_translation(draft, "ru", by=dushanbe_publisher)
    client.force_login(dushanbe_publisher)
    saved_through_the_form(client, translation, status="published")
    assert translation.is_public
    draft.refresh_from_db()
    assert draft.status == NewsItem.Status.DRAFT


def test_publishing_the_source_does_not_publish_its_translations(dushanbe_publisher):
    draft = item_of(DUSHANBE, status="draft", published_at=None)
    translation = create_translation(draft, "ru", by=dushanbe_publisher)
    with reversion.create_revision():
        assert publishing.publish(draft, by=dushanbe_publisher) == []
    translation.refresh_from_db()
    assert translation.status == NewsItem.Status.DRAFT
    assert not NewsItem.objects.published().filter(pk=translation.pk).exists()


def test_the_bulk_action_publishes_only_the_selected_version(client, dushanbe_publisher, source):
    NewsItem.objects.filter(pk=source.pk).update(status="draft")
    translation = create_translation(source, "ru", by=dushanbe_publisher)
    client.force_login(dushanbe_publisher)
    response = client.post(
        CHANGELIST, {"action": "publish_selected", "_selected_action": [translation.pk]}
    )
    assert response.status_code == 302
    translation.refresh_from_db()
    source.refresh_from_db()
    # Issued jointly with the Secretariat (as its source is): published, it awaits the
    # Secretariat's sign-off (news/signing.py). Either way the source stays a draft.
    assert (translation.status, source.status) == ("awaiting", "draft")


# --- scale --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "manager"])
def test_the_edit_forms_query_count_does_not_grow_with_the_siblings(
    client, dushanbe_editor, manager, who
):
    client.force_login(dushanbe_editor if who == "editor" else manager)
    counts = []
    for languages in (["ru"], ["ru", "fr", "de", "tg"]):
        source = item_of(DUSHANBE, status="draft", slug=f"source-{len(languages)}")
        for code in languages:
            translation = create_translation(source, code, by=manager)
        # Saved since: the note and the "source changed" marks are read too.
        source.version += 1
        source.save()
        client.get(change_url(translation))  # what Django caches once per process
        with CaptureQueriesContext(connection) as queries:
            assert client.get(change_url(translation)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts

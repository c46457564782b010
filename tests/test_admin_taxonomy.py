"""The taxonomy in the back office: sub-topics, aliases and the entries an import added for
review, as managers keep them."""

import re

import pytest
from django.urls import reverse

from countries.models import Country
from news.models import Alias, FieldOfWork
from structures.models import Structure

from .test_admin import make_editor

pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.fixture
def manager_client(client):
    client.force_login(make_editor("manager", bodies=[], groups=("Manager",)))
    return client


def field(slug):
    return FieldOfWork.objects.get(slug=slug)


def test_a_manager_adds_an_alias_for_a_field(manager_client):
    response = manager_client.post(
        reverse("admin:news_alias_add"),
        {"label": "Anti-trafficking work", "field_of_work": field("migration").pk},
    )
    assert response.status_code == 302
    alias = Alias.objects.get(label="Anti-trafficking work")
    assert (alias.kind, alias.key, alias.slug) == (
        "field", "anti-trafficking work", "anti-trafficking-work",
    )  # fmt: skip


@pytest.mark.parametrize(
    "targets",
    [{}, {"field_of_work": "migration", "country": "TJ"}],
    ids=["no target", "two targets"],
)
def test_an_alias_needs_exactly_one_target(manager_client, targets):
    data = {"label": "Somewhere else"}
    if "field_of_work" in targets:
        data["field_of_work"] = field(targets["field_of_work"]).pk
    if "country" in targets:
        data["country"] = Country.objects.get(code=targets["country"]).pk
    response = manager_client.post(reverse("admin:news_alias_add"), data)
    assert response.status_code == 200
    assert "Choose exactly one field of work, structure or country" in response.text
    assert not Alias.objects.filter(label="Somewhere else").exists()


def test_the_same_label_twice_for_one_kind_is_a_form_error_not_a_crash(manager_client):
    Alias.objects.create(label="Frontier management", field_of_work=field("border-management"))
    response = manager_client.post(
        reverse("admin:news_alias_add"),
        {"label": "  frontier   MANAGEMENT ", "field_of_work": field("migration").pk},
    )
    assert response.status_code == 200
    assert "is already an alias of Border management" in response.text
    assert Alias.objects.filter(key="frontier management").count() == 1


def test_an_alias_added_on_a_structures_page_takes_its_kind(manager_client):
    odihr = Structure.objects.get(slug="odihr")
    url = reverse("admin:structures_structure_change", args=[odihr.pk])
    page = manager_client.get(url)
    assert page.status_code == 200 and "aliases-TOTAL_FORMS" in page.text
    alias = Alias.objects.create(label="Warsaw office for elections", structure=odihr)
    assert (alias.kind, alias.target) == ("structure", odihr)


def test_a_sub_topic_cannot_have_sub_topics_of_its_own(manager_client):
    safety = field("safety-of-journalists")
    response = manager_client.post(
        reverse("admin:news_fieldofwork_add"),
        {
            "name": "Online safety of journalists",
            "slug": "online-safety-of-journalists",
            "parent": safety.pk,
            "description": "",
            "is_topical": "on",
            "position": "0",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert not FieldOfWork.objects.filter(slug="online-safety-of-journalists").exists()


def test_the_news_form_lists_each_sub_topic_under_its_field(manager_client):
    page = manager_client.get(reverse("admin:news_newsitem_add")).text
    checkbox = r'<label for="id_fields_of_work_\d+"><input [^>]*>\s*([^<]*?)\s*</label>'
    labels = re.findall(checkbox, page)
    media = labels.index("Media freedom and development")
    assert labels[media + 1 : media + 4] == [
        "Media freedom and development › Safety of journalists",
        "Media freedom and development › Media laws",
        "Media freedom and development › Media pluralism",
    ]


def test_managers_find_what_an_import_added_for_review(manager_client):
    FieldOfWork.objects.create(name="Blue economy", slug="blue-economy", needs_review=True)
    Structure.objects.create(
        name="Green Desk", issuing_label="Green Desk", slug="green-desk",
        kind=Structure.Kind.OTHER_BODY, needs_review=True,
    )  # fmt: skip
    fields = manager_client.get(
        reverse("admin:news_fieldofwork_changelist") + "?needs_review__exact=1"
    )
    assert "Blue economy" in fields.text and "Border management" not in fields.text
    bodies = manager_client.get(
        reverse("admin:structures_structure_changelist") + "?needs_review__exact=1"
    )
    assert "Green Desk" in bodies.text and "OSCE Secretariat" not in bodies.text


def test_editors_cannot_see_or_change_aliases(client):
    client.force_login(make_editor("dushanbe", bodies=["programme-office-in-dushanbe"]))
    assert client.get(reverse("admin:news_alias_changelist")).status_code == 403
    response = client.post(
        reverse("admin:news_alias_add"), {"label": "X", "field_of_work": field("migration").pk}
    )
    assert response.status_code == 403
    assert not Alias.objects.filter(label="X").exists()

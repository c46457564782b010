"""The publishing door (news/publishing.py), tested at the door: each transition allowed and
refused by role, each rule of the checklist at each level; and, for each caller (the admin's
edit form, its bulk action, import_news), that it asks the door rather than a rule of its own."""

import io
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.utils import timezone

from news import publishing
from news.models import FieldOfWork, NewsItem
from news.publishing import Level, Problem

from .factories import NewsItemFactory
from .test_admin import ADD_URL, errors_of, form_data, make_editor, structure

pytestmark = pytest.mark.usefixtures("reference_data")

DUSHANBE = "programme-office-in-dushanbe"
DRAFT, PUBLISHED, WITHDRAWN, AWAITING = "draft", "published", "withdrawn", "awaiting"


@pytest.fixture
def users():
    return {
        "editor": make_editor("editor", bodies=[DUSHANBE]),
        "publisher": make_editor("publisher", bodies=[DUSHANBE], groups=("Publisher",)),
        "manager": make_editor("manager", bodies=[], groups=("Manager",)),
    }


# --- transitions ----------------------------------------------------------------------------------

# (status on record, status saved): may an editor make it? Publishers and managers may make all.
EDITOR_MAY = {
    (None, DRAFT): True,
    (None, PUBLISHED): False,
    (DRAFT, DRAFT): True,
    (DRAFT, PUBLISHED): False,
    (DRAFT, WITHDRAWN): False,
    (PUBLISHED, PUBLISHED): False,  # changing a live item is publishing
    (PUBLISHED, DRAFT): False,  # unpublishing
    (PUBLISHED, WITHDRAWN): False,
    (WITHDRAWN, WITHDRAWN): False,
    (WITHDRAWN, DRAFT): False,
    (WITHDRAWN, PUBLISHED): False,
    (AWAITING, AWAITING): False,  # changing an item sent for sign-off is publishing
    (AWAITING, DRAFT): False,  # taking it back
    (AWAITING, WITHDRAWN): False,
}


@pytest.mark.parametrize("role", ["editor", "publisher", "manager"])
@pytest.mark.parametrize(("before", "after"), sorted(EDITOR_MAY, key=str))
def test_each_status_change_by_role(users, role, before, after):
    refusal = publishing.status_refusal(users[role], before, after)
    allowed = EDITOR_MAY[before, after] if role == "editor" else True
    assert (refusal is None) == allowed, refusal
    if refusal:
        assert "publisher" in refusal  # says who may


def test_someone_signed_out_may_not_publish():
    assert publishing.publishing_refusal(AnonymousUser()) is not None


# --- the checklist ------------------------------------------------------------------------------


def draft(**fields):
    values = {"title": "T", "lead": "A lead.", "status": DRAFT, **fields}
    return NewsItem(**values)


FIELD = object()  # a field of work, stood in for: the checklist only asks whether there is one
RULES = [
    # (item, issuing bodies, fields of work, codes at EDITORIAL, codes at ARCHIVE)
    (draft(), [], [], set(), set()),
    (draft(image="news/a.jpg"), [], [], {"alt_text"}, {"alt_text"}),
    (draft(image="news/a.jpg", image_alt="Officers"), [], [], set(), set()),
    (draft(status=WITHDRAWN), [], [], {"withdrawal_reason"}, set()),
    (draft(status=WITHDRAWN, withdrawn_reason="Wrong date"), [], [], set(), set()),
    (
        draft(status=PUBLISHED, lead=""),
        [],
        [],
        {"issued_on", "issuer", "lead", "field_of_work"},
        {"issued_on", "issuer"},
    ),
    (draft(status=PUBLISHED, published_at=timezone.now()), ["a body"], [FIELD], set(), set()),
]


@pytest.mark.parametrize(("item", "bodies", "fields", "editorial", "archive"), RULES)
def test_each_rule_of_the_checklist_at_each_level(item, bodies, fields, editorial, archive):
    def codes(level):
        found = publishing.problems(item, issuing_bodies=bodies, fields_of_work=fields, level=level)
        return {problem.code for problem in found}

    assert codes(Level.EDITORIAL) == editorial
    assert codes(Level.ARCHIVE) == archive


def test_each_problem_names_the_field_it_concerns():
    found = publishing.problems(
        draft(status=PUBLISHED, lead="", image="a.jpg"), issuing_bodies=[], fields_of_work=[]
    )
    assert {problem.field for problem in found} == {
        "image_alt",
        "published_at",
        "issuing_bodies",
        "lead",
        "fields_of_work",
    }


# --- every caller asks the door ---------------------------------------------------------------


@pytest.fixture
def door(monkeypatch):
    """The door's checklist with one more problem of its own: a caller that states the rules
    itself never reports it."""
    asked = []
    checklist = publishing.problems

    def problems(item, **kwargs):
        asked.append(item)
        probe = Problem("probe", "issuing_bodies", "Stopped at the publishing door.")
        return [*checklist(item, **kwargs), probe]

    monkeypatch.setattr(publishing, "problems", problems)
    return asked


def test_the_edit_form_asks_the_door(client, users, door):
    client.force_login(users["editor"])
    response = client.post(ADD_URL, form_data(bodies=[DUSHANBE]))
    assert door
    assert "Stopped at the publishing door." in errors_of(response)
    assert not NewsItem.objects.exists()


def test_the_bulk_action_asks_the_door(client, users, door):
    item = NewsItemFactory(
        status=DRAFT,
        issued_by=[structure(DUSHANBE)],
        fields_of_work=[FieldOfWork.objects.get(slug="border-management")],
    )
    client.force_login(users["publisher"])
    response = client.post(
        "/admin/news/newsitem/",
        {"action": "publish_selected", "_selected_action": [item.pk]},
        follow=True,
    )
    texts = [str(message) for message in response.context["messages"]]
    assert any("Stopped at the publishing door." in text for text in texts)
    item.refresh_from_db()
    assert item.status == DRAFT


def test_import_news_asks_the_door(tmp_path, door):
    line = {"slug": "x", "title": "T", "issued_by": ["secretariat"], "published_at": "2020-01-01"}
    path = tmp_path / "news.jsonl"
    path.write_text(json.dumps(line) + "\n")
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_news", str(path), stdout=io.StringIO(), stderr=errors)
    assert door
    assert "line 1: Stopped at the publishing door." in errors.getvalue()
    assert not NewsItem.objects.filter(slug="x").exists()

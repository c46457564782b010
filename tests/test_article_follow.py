"""An article and a structure page as a reader uses them: when the item last changed, share
links, the press contact of the issuing office, the external-links disclaimer only when the body
links out, and a structure's predecessors and former names each stated once."""

import datetime
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from news import publishing
from news.models import NewsItem
from news.reference_data import press_contact
from structures.models import Structure

from .factories import NewsItemFactory
from .pages import SEED_URL, between, page, structure
from .test_admin import change_url, errors_of, form_data, make_editor
from .test_import_export import record, run_import

DISCLAIMER = "not responsible for the content of external websites"
SHARE_LINK = re.compile(r'<li><a href="([^"]+)" aria-label="([^"]+)"([^>]*)>([^<]+)</a></li>')
# A network's link: its name shown, and a sentence read out with the name in it.
NETWORK_LINK = re.compile(
    r'<li><a href="([^"]+)"([^>]*)><span aria-hidden="true" translate="no">([^<]+)</span>'
    r'<span class="visually-hidden">(.+?)</span></a></li>'
)


def facts(html):
    return between(html, '<dl class="facts">', "</dl>")


# --- last updated ------------------------------------------------------------------------------


def test_an_item_revised_after_it_was_issued_says_when(client, reference_data):
    issued = timezone.now() - datetime.timedelta(days=3)
    item = NewsItemFactory(published_at=issued, revised_at=issued + datetime.timedelta(days=1))
    html = facts(page(client, item.get_absolute_url()))
    revised = timezone.localtime(item.revised_at)
    assert "<dt>Last updated</dt>" in html
    assert f'<time datetime="{revised.isoformat()}">' in html


@pytest.mark.parametrize("revised_days", [None, -1], ids=["never revised", "revised before"])
def test_an_item_not_revised_since_it_was_issued_says_no_update(
    client, reference_data, revised_days
):
    issued = timezone.now() - datetime.timedelta(days=3)
    revised = None if revised_days is None else issued + datetime.timedelta(days=revised_days)
    item = NewsItemFactory(published_at=issued, revised_at=revised)
    assert "Last updated" not in page(client, item.get_absolute_url())


def test_a_change_of_content_marks_the_item_revised_and_a_change_of_status_does_not(
    reference_data, django_user_model
):
    item = NewsItemFactory()
    publishing.mark_revised(item, ["fields_of_work", "countries", "published_at"])
    assert item.revised_at is None
    publishing.mark_revised(item, ["body"])
    assert item.revised_at is not None
    item.save()
    revised = item.revised_at
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "x")
    assert publishing.withdraw(item, by=admin, reason="Outdated") == []
    item.refresh_from_db()
    assert item.status == NewsItem.Status.WITHDRAWN and item.revised_at == revised


def test_an_edit_in_the_back_office_of_its_text_marks_it_revised_and_a_retagging_does_not(
    client, reference_data
):
    manager = make_editor("manager", bodies=[], groups=("Manager",))
    client.force_login(manager)
    item = NewsItemFactory(status=NewsItem.Status.DRAFT, issued_by=[structure("secretariat")])

    def as_it_stands(**changes):
        item.refresh_from_db()
        kept = {"title": item.title, "slug": item.slug, "lead": item.lead, "body": item.body}
        return form_data(item, **{**kept, **changes})

    response = client.post(change_url(item), as_it_stands(tags="retagged"))
    assert response.status_code == 302, errors_of(response)
    item.refresh_from_db()
    assert item.revised_at is None
    response = client.post(change_url(item), as_it_stands(body="<p>Corrected.</p>"))
    assert response.status_code == 302, errors_of(response)
    item.refresh_from_db()
    assert item.revised_at is not None


def test_a_reimport_that_changes_the_text_marks_the_item_revised(tmp_path, reference_data):
    run_import(tmp_path, record())
    run_import(tmp_path, record(countries=["FI"]))
    assert NewsItem.objects.get().revised_at is None
    run_import(tmp_path, record(title="Customs study visit, corrected"))
    assert NewsItem.objects.get().revised_at is not None


# --- share links -------------------------------------------------------------------------------


def test_an_article_has_plain_share_links_that_open_no_script(client, demo_news):
    html = page(client, SEED_URL)
    share = between(html, 'class="share"', "</section>")
    (mail,) = SHARE_LINK.findall(share)
    networks = NETWORK_LINK.findall(share)
    assert [mail[3]] + [text for _href, _attributes, text, _label in networks] == [
        "Email", "Facebook", "X", "LinkedIn", "Telegram", "WhatsApp", "VK",
    ]  # fmt: skip
    url = "http://testserver" + SEED_URL
    title = NewsItem.objects.get(slug=SEED_URL.split("/")[2]).title
    href, label, attributes, _text = mail
    assert unescape(label) == "Share by email" and "target" not in attributes
    mailto = urlsplit(unescape(href))
    assert mailto.scheme == "mailto" and "+" not in mailto.query
    assert parse_qs(mailto.query) == {"subject": [title], "body": [url]}
    for href, attributes, text, label in networks:
        address = urlsplit(unescape(href))
        assert address.scheme == "https"
        assert url in " ".join(v for vs in parse_qs(address.query).values() for v in vs)
        read_out = re.sub(r"<[^>]+>", "", label)
        assert unescape(read_out) == f"Share on {text} (opens in a new tab)"
        assert attributes == ' target="_blank" rel="noopener noreferrer"'
    # Nothing of the networks' own is loaded by the page.
    assert not re.search(r"<script[^>]+src=\"https?://", html)
    assert not re.search(r"<(img|iframe)[^>]+src=\"https?://(?!testserver)", html)


# --- press contact -----------------------------------------------------------------------------


def test_the_press_contact_of_the_issuing_office_is_shown_where_there_is_one(
    client, reference_data
):
    office = structure("programme-office-in-dushanbe")
    office.press_contact = "Press and Public Information"
    office.press_email = "press-dushanbe@example.org"
    office.press_phone = "+992 37 226 50 14"
    office.save()
    item = NewsItemFactory(issued_by=[office, structure("secretariat")])
    html = page(client, item.get_absolute_url())
    contact = between(html, 'class="press-contact"', "</section>")
    assert ">Press contact</h2>" in contact
    assert "Press and Public Information" in contact
    assert 'href="mailto:press-dushanbe@example.org"' in contact
    assert 'href="tel:+992372265014"' in contact
    assert "Secretariat" not in contact  # it names none


def test_no_press_contact_is_shown_where_the_reference_data_has_none(client, demo_news):
    assert not Structure.objects.exclude(press_contact="", press_email="", press_phone="").exists()
    assert 'class="press-contact"' not in page(client, SEED_URL)


def test_the_reference_data_press_contact_is_loaded_only_where_given():
    entry = {"id": "x", "press": {"name": "Press desk", "email": "press@example.org"}}
    expected = {"press_contact": "Press desk", "press_email": "press@example.org"}
    assert press_contact(entry) == expected
    assert press_contact({"id": "y"}) == {}


# --- the external-links disclaimer -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ('<p>See <a href="https://www.un.org/">the UN</a>.</p>', True),
        ('<p>See <a href="//example.org/x">this</a>.</p>', True),
        ('<p><a href="/news/">Ours</a>, <a href="http://testserver/x/">ours</a>.</p>', False),
        ("<p>No links at all.</p>", False),
    ],
    ids=["external", "scheme-relative", "own site only", "no links"],
)  # fmt: skip
def test_the_disclaimer_is_shown_only_when_the_body_links_out(client, reference_data, body, shown):
    item = NewsItemFactory(body=body)
    assert (DISCLAIMER in page(client, item.get_absolute_url())) is shown


# --- a structure's history ---------------------------------------------------------------------


def test_a_predecessor_that_is_a_former_name_is_stated_once_as_that_name(client, reference_data):
    html = page(client, "/structures/programme-office-in-dushanbe/")
    assert html.count("Centre in Dushanbe") == 1
    assert "<dt>Preceded by</dt>" not in html
    former = between(html, "<dt>Former names</dt>", "</dd>")
    assert (
        '<li><a href="/structures/centre-in-dushanbe/">OSCE Centre in Dushanbe</a> '
        '<span class="aside">(2002–2008)</span></li>'
    ) in former
    assert '<li>OSCE Mission to Tajikistan <span class="aside">(1994–2002)</span></li>' in former


def test_a_predecessor_under_another_name_is_stated_as_a_predecessor(client, reference_data):
    office = structure("programme-office-in-dushanbe")
    Structure.objects.create(
        name="Test Mission to Tajikistan",
        issuing_label="OSCE Test Mission to Tajikistan",
        slug="test-mission",
        kind=Structure.Kind.CLOSED_FIELD_ACTIVITY,
        established_year=1990,
        closed_year=1993,
        successor=office,
    )
    html = page(client, office.get_absolute_url())
    preceded = between(html, "<dt>Preceded by</dt>", "</dd>")
    assert re.findall(r'<a href="([^"]+)">', preceded) == ["/structures/test-mission/"]
    assert "Test Mission" not in between(html, "<dt>Former names</dt>", "</dd>")
    assert html.count("Centre in Dushanbe") == 1

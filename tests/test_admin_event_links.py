"""News items linked to events from either side, with the admin's autocomplete, within the
editor's rights; and the event form's times, entered and shown in the venue's time zone."""

import datetime

import pytest

from news.models import Event, NewsItem

from .test_admin import errors_of, make_editor
from .test_admin_events import ADD_URL, change_url, event_of, form_data
from .test_admin_rights import BISHKEK, DUSHANBE, item_of

pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.fixture
def editor_a():
    return make_editor("editor-a", bodies=[DUSHANBE])


def stored_start():
    return Event.objects.get(slug="border-security-conference").start


# --- the lookups and the news form's event --------------------------------------------------------


def autocomplete(client, model_name, field_name, term=""):
    params = {"app_label": "news", "model_name": model_name, "field_name": field_name, "term": term}
    response = client.get("/admin/autocomplete/", params)
    assert response.status_code == 200
    return {result["text"] for result in response.json()["results"]}


def test_the_news_forms_event_lookup_offers_public_events_and_own_drafts(client, editor_a):
    event_of(DUSHANBE, title="Zconference own draft")
    event_of(BISHKEK, title="Zconference of Bishkek, public", status="published")
    event_of(BISHKEK, title="Zconference of Bishkek, draft")
    client.force_login(editor_a)
    assert autocomplete(client, "newsitem", "event", "Zconference") == {
        "Zconference own draft",
        "Zconference of Bishkek, public",
    }
    # The events' own list and lookups go by the bodies alone.
    assert autocomplete(client, "eventorganiser", "event", "Zconference") == {
        "Zconference own draft"
    }


def test_an_editors_organiser_lookup_offers_the_bodies_they_work_for(client, editor_a):
    client.force_login(editor_a)
    assert autocomplete(client, "eventorganiser", "structure", "Bishkek") == set()
    found = autocomplete(client, "eventorganiser", "structure", "Dushanbe")
    assert len(found) == 1 and "Dushanbe" in found.pop()


def test_the_news_form_refuses_another_bodys_draft_event(client, editor_a):
    from .test_admin import change_url as news_change_url
    from .test_admin import form_data as news_form_data

    theirs = event_of(BISHKEK, title="Bishkek draft")
    public = event_of(BISHKEK, title="Bishkek public", status="published")
    item = item_of(DUSHANBE, status="draft")
    client.force_login(editor_a)
    response = client.post(news_change_url(item), news_form_data(item, event=theirs.pk))
    assert "Select a valid choice" in errors_of(response)
    response = client.post(news_change_url(item), news_form_data(item, event=public.pk))
    assert response.status_code == 302, errors_of(response)
    item.refresh_from_db()
    assert item.event == public


def test_a_link_made_by_a_manager_to_another_bodys_draft_is_kept(client, editor_a):
    from .test_admin import change_url as news_change_url
    from .test_admin import form_data as news_form_data

    theirs = event_of(BISHKEK, title="Bishkek draft")
    item = item_of(DUSHANBE, status="draft", event=theirs)
    client.force_login(editor_a)
    response = client.post(news_change_url(item), news_form_data(item, event=theirs.pk))
    assert response.status_code == 302, errors_of(response)
    item.refresh_from_db()
    assert item.event == theirs


def test_the_event_forms_news_lookup_offers_news_the_editor_may_link(client, editor_a):
    item_of(DUSHANBE, status="draft", title="Launch draft of Dushanbe")
    item_of(DUSHANBE, status="published", title="Launch published by Dushanbe")
    item_of(BISHKEK, status="draft", title="Launch draft of Bishkek")
    client.force_login(editor_a)
    # A published item is changed by publishers only: an editor is not offered it.
    assert autocomplete(client, "issuingbody", "news_item", "Launch") == {
        "Launch draft of Dushanbe"
    }


# --- news linked from the event's side ---------------------------------------------------------


def test_linking_news_from_the_event_sets_and_clears_their_event(client, editor_a):
    event = event_of(DUSHANBE)
    first, second = item_of(DUSHANBE, status="draft"), item_of(DUSHANBE, status="draft")
    theirs = item_of(BISHKEK, status="draft", event=event)
    client.force_login(editor_a)
    response = client.post(change_url(event), form_data(event, news=[first, second]))
    assert response.status_code == 302, errors_of(response)
    assert set(event.news_items.all()) == {first, second, theirs}
    first.refresh_from_db()
    assert first.version == 2  # a news form opened before refuses to undo the link
    event.refresh_from_db()
    response = client.post(change_url(event), form_data(event, news=[second]))
    assert response.status_code == 302, errors_of(response)
    assert set(event.news_items.all()) == {second, theirs}


def test_an_item_linked_from_its_own_form_meanwhile_stays_linked(client, editor_a):
    event = event_of(DUSHANBE)
    opened = form_data(event, title="Saved later")
    meanwhile = item_of(DUSHANBE, status="draft", event=event)
    client.force_login(editor_a)
    response = client.post(change_url(event), opened)
    assert response.status_code == 302, errors_of(response)
    meanwhile.refresh_from_db()
    assert meanwhile.event == event


def test_another_bodys_news_cannot_be_linked_from_the_event(client, editor_a):
    event = event_of(DUSHANBE)
    theirs = item_of(BISHKEK, status="draft")
    live = item_of(DUSHANBE, status="published")
    client.force_login(editor_a)
    for item in (theirs, live):
        response = client.post(change_url(event), form_data(event, news=[item]))
        assert "Select a valid choice" in errors_of(response)
    assert not NewsItem.objects.filter(event=event).exists()


# --- times in the venue's zone -----------------------------------------------------------------


def test_venue_times_across_a_dst_change_are_stored_and_shown_as_entered(client, editor_a):
    client.force_login(editor_a)
    data = form_data(organisers=[DUSHANBE], start_0="2026-03-28", start_1="10:00")
    data.update(end_0="2026-03-30", end_1="10:00", time_zone="Europe/Vienna")
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    event = Event.objects.get(slug="border-security-conference")
    utc = datetime.UTC
    assert event.start == datetime.datetime(2026, 3, 28, 9, 0, tzinfo=utc)  # CET, +1
    assert event.end == datetime.datetime(2026, 3, 30, 8, 0, tzinfo=utc)  # CEST, +2
    form = client.get(change_url(event)).context["adminform"].form
    assert form["start"].value() == ["2026-03-28", "10:00:00"] or form.initial["start"] == (
        datetime.datetime(2026, 3, 28, 10, 0)
    )
    assert form.initial["end"] == datetime.datetime(2026, 3, 30, 10, 0)


def test_times_are_read_in_the_venues_zone_not_the_editors(client, editor_a):
    client.force_login(editor_a)
    data = form_data(organisers=[DUSHANBE], time_zone="Asia/Dushanbe")
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    event = Event.objects.get(slug="border-security-conference")
    assert event.start == datetime.datetime(2026, 6, 10, 4, 0, tzinfo=datetime.UTC)  # UTC+5


def test_a_time_the_clocks_skip_is_a_form_error(client, editor_a):
    client.force_login(editor_a)
    data = form_data(organisers=[DUSHANBE], start_0="2026-03-29", start_1="02:30")
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "does not exist in Europe/Vienna" in errors_of(response)


def test_a_time_the_clocks_show_twice_is_the_first_of_the_two(client, editor_a):
    client.force_login(editor_a)
    data = form_data(organisers=[DUSHANBE], start_0="2026-10-25", start_1="02:30")
    data.update(end_0="2026-10-25", end_1="12:00")
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    assert Event.objects.get(slug="border-security-conference").start == datetime.datetime(
        2026, 10, 25, 0, 30, tzinfo=datetime.UTC
    )


@pytest.mark.parametrize(
    "day, zone",
    [
        ("0001-01-01", "Asia/Tokyo"),  # before the year 1 in UTC
        ("9999-12-31", "America/Los_Angeles"),  # after the year 9999 in UTC
        ("2026-02-30", "Europe/Vienna"),
        ("x", "Europe/Vienna"),
        ("2026-06-10", "Mars/Olympus_Mons"),
    ],
)
def test_a_date_out_of_reach_is_a_form_error(client, editor_a, day, zone):
    client.force_login(editor_a)
    data = form_data(organisers=[DUSHANBE], start_0=day, end_0=day, time_zone=zone)
    data.update(start_1="00:00" if day.startswith("0001") else "23:00", end_1="23:30")
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert errors_of(response)


# --- hostile posts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("series", "not-an-id"),
        ("country", "1 OR 1=1"),
        ("news_items", ["x", "-1"]),
        ("organisers-0-structure", "abc"),
        ("organisers-0-position", "99999999"),
        ("time_zone", "Mars/Olympus_Mons"),
        ("status", "launched"),
        ("start_1", "25:99"),
        ("edit_version", "many"),
        ("registration_url", "javascript:alert(1)"),
    ],
)
def test_a_hostile_post_of_the_event_form_is_a_form_error(visitor, editor_a, field, value):
    visitor.force_login(editor_a)
    response = visitor.post(ADD_URL, form_data(organisers=[DUSHANBE], **{field: value}))
    assert response.status_code == 200
    assert errors_of(response)
    assert not Event.objects.filter(slug="border-security-conference").exists()


# --- documents, the list's filters -------------------------------------------------------------


def with_documents(data, *documents):
    data.update({"documents-TOTAL_FORMS": str(len(documents)), "documents-INITIAL_FORMS": "0"})
    for index, document in enumerate(documents):
        for name, value in document.items():
            data[f"documents-{index}-{name}"] = value
    return data


def test_a_document_is_a_link_or_a_pdf(client, editor_a, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(editor_a)
    fake = SimpleUploadedFile("agenda.pdf", b"<html>not a pdf</html>", "application/pdf")
    data = with_documents(form_data(organisers=[DUSHANBE]), {"title": "Agenda", "file": fake})
    assert "The file is not a PDF" in errors_of(client.post(ADD_URL, data))
    pdf = SimpleUploadedFile("agenda.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    data = with_documents(
        form_data(organisers=[DUSHANBE]),
        {"title": "Agenda", "file": pdf, "position": "0"},
        {"title": "Report", "url": "https://www.osce.org/report", "position": "1"},
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    event = Event.objects.get(slug="border-security-conference")
    assert [d.title for d in event.documents.all()] == ["Agenda", "Report"]


@pytest.mark.parametrize("query", ["", "?year=2026", "?when=upcoming", "?when=past&status=draft"])
def test_the_list_and_its_filters_answer(client, editor_a, query):
    from .test_admin_events import CHANGELIST

    event_of(DUSHANBE, title="Listed event")
    client.force_login(editor_a)
    response = client.get(CHANGELIST + query)
    assert response.status_code == 200

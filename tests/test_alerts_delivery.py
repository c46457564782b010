"""Who gets which item, when, and once: matching new public items against the lists, digests,
withdrawals, edits, scheduled times, imports, and failed sends."""

import datetime
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.text import slugify
from django_tasks_db.models import DBTaskResult

from alerts import periods, sending
from alerts.announcing import announce
from alerts.models import AlertList, Announcement, Delivery, Message, Subscriber, Subscription
from alerts.passes import run_pass
from countries.models import Country
from news import publishing
from news.models import Event, EventOrganiser, FieldOfWork, NewsItem
from structures.models import Structure

from .factories import NewsItemFactory
from .test_admin import make_editor

pytestmark = pytest.mark.usefixtures("reference_data")


def subscriber_on(query, *, email="reader@example.org", frequency="immediately", language="en",
                  content_language="en", confirmed=True, kind="news"):  # fmt: skip
    alert_list, _ = AlertList.objects.get_or_create(
        kind=kind, query=query, content_language=content_language
    )
    subscriber, _ = Subscriber.objects.get_or_create(email=email)
    return Subscription.objects.create(
        subscriber=subscriber,
        alert_list=alert_list,
        frequency=frequency,
        language=language,
        confirmed_at=timezone.now() - timedelta(days=30) if confirmed else None,
    )


def tajik_item(**kwargs):
    kwargs.setdefault("countries", [Country.objects.get(slug="tajikistan")])
    kwargs.setdefault("published_at", timezone.now() - timedelta(minutes=5))
    return NewsItemFactory(**kwargs)


def subjects(to=None):
    return [m.subject for m in mail.outbox if to is None or m.to == [to]]


def test_an_item_matching_several_lists_of_one_subscriber_is_sent_once():
    subscriber_on("country=tajikistan")
    subscriber_on("field=border-management")
    subscriber_on("")  # all news
    tajik_item(title="Once", fields_of_work=[FieldOfWork.objects.get(slug="border-management")])
    run_pass()
    run_pass()
    assert subjects() == ["Once"]


def test_each_subscriber_gets_what_their_filter_shows_and_nothing_else():
    subscriber_on("country=tajikistan", email="tj@example.org")
    subscriber_on("country=kyrgyzstan", email="kg@example.org")
    subscriber_on('q="study visit"', email="q@example.org")
    tajik_item(title="A study visit to Finland")
    tajik_item(title="Customs training")
    run_pass()
    assert sorted(subjects("tj@example.org")) == ["A study visit to Finland", "Customs training"]
    assert subjects("kg@example.org") == []
    assert subjects("q@example.org") == ["A study visit to Finland"]


def test_an_unconfirmed_subscription_gets_nothing():
    subscriber_on("country=tajikistan", confirmed=False)
    tajik_item()
    run_pass()
    assert mail.outbox == []


def test_an_edited_item_is_not_sent_again():
    subscriber_on("country=tajikistan")
    item = tajik_item(title="First version")
    run_pass()
    item.title = "Second version"
    item.save()
    run_pass()
    assert subjects() == ["First version"]


def test_an_item_withdrawn_before_its_alert_went_out_is_not_sent():
    subscriber_on("country=tajikistan")
    item = tajik_item()
    run_pass(limit=0)  # announced and planned, not sent yet
    assert Message.objects.filter(kind="immediate", sent_at__isnull=True).count() == 1
    NewsItem.objects.filter(pk=item.pk).update(status=NewsItem.Status.WITHDRAWN)
    run_pass()
    assert mail.outbox == []
    message = Message.objects.get(kind="immediate")
    assert message.sent_at is None and message.ended_at is not None


def test_an_item_withdrawn_and_published_again_is_not_sent_again():
    subscriber_on("country=tajikistan")
    item = tajik_item()
    run_pass()
    NewsItem.objects.filter(pk=item.pk).update(status=NewsItem.Status.WITHDRAWN)
    run_pass()
    NewsItem.objects.filter(pk=item.pk).update(status=NewsItem.Status.PUBLISHED)
    run_pass()
    assert len(mail.outbox) == 1


def test_a_scheduled_item_is_sent_when_its_time_comes():
    subscriber_on("country=tajikistan")
    tajik_item(title="Tomorrow", published_at=timezone.now() + timedelta(days=1))
    run_pass()
    assert mail.outbox == []
    run_pass(timezone.now() + timedelta(days=1, minutes=1))
    assert subjects() == ["Tomorrow"]


def test_old_news_going_public_now_is_not_announced():
    """An archive import of items issued years ago tells nobody anything new."""
    subscriber_on("country=tajikistan")
    tajik_item(published_at=timezone.now() - timedelta(days=400))
    run_pass()
    assert mail.outbox == []


def test_a_subscription_confirmed_after_an_item_went_out_does_not_get_it():
    tajik_item()
    run_pass()
    subscriber_on("country=tajikistan")
    run_pass()
    assert mail.outbox == []


def published_by_the_dushanbe_office(title):
    """A draft about Border management in Tajikistan, published by a publisher of the office
    through the publishing door, as the back office's button does."""
    publisher = make_editor(
        f"publisher-{NewsItem.objects.count()}",
        bodies=["programme-office-in-dushanbe"],
        groups=("Publisher",),
    )
    draft = tajik_item(
        title=title,
        status=NewsItem.Status.DRAFT,
        published_at=None,
        issued_by=[Structure.objects.get(slug="programme-office-in-dushanbe")],
        fields_of_work=[FieldOfWork.objects.get(slug="border-management")],
    )
    assert publishing.publish(draft, by=publisher) == []
    return draft


def test_items_published_by_a_publisher_and_by_an_import_are_sent(tmp_path):
    subscriber_on("country=tajikistan")
    published_by_the_dushanbe_office("Published from the back office")
    line = {
        "slug": "imported-today",
        "title": "Imported today",
        "lead": "Lead.",
        "published_at": timezone.now().isoformat(),
        "issued_by": ["Secretariat"],
        "countries": ["Tajikistan"],
        "fields_of_work": ["border-management"],
    }
    path = tmp_path / "news.jsonl"
    path.write_text(json.dumps(line) + "\n")
    call_command("import_news", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    run_pass()
    assert sorted(subjects()) == ["Imported today", "Published from the back office"]


def test_a_list_follows_its_listings_language_view():
    """The Russian listing shows the Russian items and the English ones not translated into
    Russian; the English listing, the English items."""
    subscriber_on(
        "country=tajikistan", email="ru@example.org", content_language="ru", language="ru"
    )
    subscriber_on("country=tajikistan", email="en@example.org")
    tajik_item(title="In English")
    tajik_item(title="По-русски", language="ru", slug="po-russki")
    run_pass()
    assert subjects("en@example.org") == ["In English"]
    assert sorted(subjects("ru@example.org")) == ["In English", "По-русски"]
    [russian] = [m for m in mail.outbox if m.subject == "По-русски"]
    assert '<html lang="ru">' in russian.alternatives[0][0]
    assert "http://testserver/ru/news/po-russki/" in russian.body


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def test_digest_times():
    monday = datetime.date(2026, 11, 30)
    assert periods.due_at("daily", at(monday, 7, 59)) == at(monday, 8)
    assert periods.due_at("daily", at(monday, 8)) == at(monday + timedelta(days=1), 8)
    assert periods.due_at("weekly", at(monday, 9)) == at(monday + timedelta(days=7), 8)
    assert periods.due_at("weekly", at(monday, 7)) == at(monday, 8)
    # Across the change to winter time (Vienna, 25 October 2026): still 8 o'clock.
    saturday = datetime.date(2026, 10, 24)
    assert timezone.localtime(periods.due_at("daily", at(saturday, 9))).hour == 8


def test_a_daily_digest_gathers_the_days_items_by_list():
    monday = datetime.date(2026, 11, 30)
    tajikistan = Country.objects.get(slug="tajikistan")
    border = FieldOfWork.objects.get(slug="border-management")
    subscriber_on("country=tajikistan", frequency="daily")
    subscriber_on("field=border-management", frequency="daily")
    noon = at(monday, 12)
    NewsItemFactory(
        title="Tajik one", countries=[tajikistan], published_at=noon - timedelta(hours=1)
    )
    NewsItemFactory(
        title="Border one", fields_of_work=[border], published_at=noon - timedelta(hours=1)
    )
    NewsItemFactory(
        title="Tajik two", countries=[tajikistan], published_at=noon - timedelta(hours=2)
    )
    run_pass(noon)
    assert mail.outbox == []  # due at 8 tomorrow
    run_pass(at(monday + timedelta(days=1), 7, 59))
    assert mail.outbox == []
    run_pass(at(monday + timedelta(days=1), 8, 1))
    run_pass(at(monday + timedelta(days=1), 8, 2))
    [digest] = mail.outbox
    assert digest.subject == "Your daily news digest: 3 items"
    text = digest.body
    assert (
        text.index("News items in Tajikistan") < text.index("Tajik one") < text.index("Tajik two")
    )
    assert text.index("News items about Border management") < text.index("Border one")
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "frequency=daily" in digest.extra_headers["List-Unsubscribe"]


def test_an_immediate_list_takes_an_item_before_a_digest_of_the_same_subscriber():
    subscriber_on("country=tajikistan", frequency="weekly")
    subscriber_on("field=border-management", frequency="immediately")
    tajik_item(title="Both", fields_of_work=[FieldOfWork.objects.get(slug="border-management")])
    run_pass()
    run_pass(timezone.now() + timedelta(days=8))
    assert subjects() == ["Both"]


def test_a_failed_send_is_tried_again_later_and_then_recorded(smtp, settings):
    subscriber_on("country=tajikistan")
    tajik_item(title="Hard to send")
    smtp.refuse = True
    now = timezone.now()
    run_pass(now)
    message = Message.objects.get(kind="immediate")
    assert (message.attempts, message.sent_at) == (1, None)
    assert message.next_attempt_at == now + timedelta(minutes=1)
    assert "451" in message.outcome
    run_pass(now + timedelta(seconds=30))  # not yet
    message.refresh_from_db()
    assert message.attempts == 1
    for minutes in (2, 7, 33, 160):
        run_pass(now + timedelta(minutes=minutes))
    message.refresh_from_db()
    assert message.attempts == sending.SEND_ATTEMPTS
    assert message.ended_at is not None and message.sent_at is None
    smtp.refuse = False
    run_pass(now + timedelta(days=1))
    assert smtp.messages == []


def test_a_send_that_fails_once_arrives_on_the_next_try(smtp):
    subscriber_on("country=tajikistan")
    tajik_item(title="Second time lucky")
    smtp.refuse = True
    now = timezone.now()
    run_pass(now)
    smtp.refuse = False
    run_pass(now + timedelta(minutes=2))
    assert [m["Subject"] for m in smtp.wait_for(1)] == ["Second time lucky"]


def test_the_matching_costs_the_same_queries_whatever_the_number_of_subscribers():
    def queries_to_announce(items):
        for _ in range(items):
            tajik_item()
        with CaptureQueriesContext(connection) as queries:
            announce(timezone.now())
        return len(queries)

    for n in range(3):
        subscriber_on("country=tajikistan", email=f"s{n}@example.org")
    subscriber_on("field=border-management", email="b@example.org")
    few = queries_to_announce(2)
    for n in range(3, 60):
        subscriber_on("country=tajikistan", email=f"s{n}@example.org")
    many = queries_to_announce(5)
    assert many == few
    assert Delivery.objects.count() == 3 * 2 + 60 * 5


# --- meetings and conferences -------------------------------------------------------------------


def an_event(title, *, days_ahead=30, status=Event.Status.PUBLISHED, country="finland"):
    start = timezone.now() + timedelta(days=days_ahead)
    event = Event.objects.create(
        slug=slugify(title),
        title=title,
        city="Helsinki",
        country=Country.objects.get(slug=country),
        start=start,
        end=start + timedelta(days=1),
        status=status,
    )
    EventOrganiser.objects.create(event=event, structure=Structure.objects.get(slug="secretariat"))
    return event


def test_a_new_meeting_is_sent_to_the_meetings_lists_it_matches():
    subscriber_on("country=finland", email="fi@example.org", kind="meetings")
    subscriber_on("country=austria", email="at@example.org", kind="meetings")
    subscriber_on("country=finland", email="news@example.org")  # the news listing's filter
    an_event("Conference on security in Helsinki")
    run_pass()
    run_pass()
    assert subjects("fi@example.org") == ["Conference on security in Helsinki"]
    assert subjects("at@example.org") == subjects("news@example.org") == []
    [message] = mail.outbox
    assert "Helsinki, Finland" in message.body
    assert "Organised by OSCE Secretariat" in message.body
    assert "http://testserver/meetings/conference-on-security-in-helsinki/" in message.body
    assert "Events in Finland" in message.body


def test_past_and_draft_meetings_are_not_announced():
    subscriber_on("", kind="meetings")
    an_event("Over already", days_ahead=-10)
    draft = an_event("Not yet public", status=Event.Status.DRAFT)
    run_pass()
    assert mail.outbox == []
    draft.status = Event.Status.PUBLISHED
    draft.save()
    run_pass()
    assert subjects() == ["Not yet public"]


def test_the_meetings_listing_offers_alerts_for_its_filter(client):
    page = client.get("/meetings/?country=finland").content.decode()
    assert 'href="/alerts/meetings/subscribe/?country=finland"' in page
    form = client.get("/alerts/meetings/subscribe/?country=finland").content.decode()
    assert "Events in Finland" in form
    client.post(
        "/alerts/meetings/subscribe/?country=finland",
        {"email": "m@example.org", "frequency": "weekly", "language": "en"},
    )
    alert_list = AlertList.objects.get()
    assert (alert_list.kind, alert_list.query) == ("meetings", "country=finland")
    assert alert_list.get_absolute_url() == "/meetings/?country=finland"


@pytest.mark.parametrize(
    "backend",
    ["django_tasks.backends.immediate.ImmediateBackend", "django_tasks_db.DatabaseBackend"],
)
def test_scheduling_an_item_queues_what_the_task_backend_can_run(
    settings, backend, django_capture_on_commit_callbacks
):
    """The immediate backend of `make run` cannot run a task later: saving a scheduled item
    there must not fail (the next `send_alerts` finds it); the database backend queues a pass
    for its time (at the end of its ten seconds, alerts/tasks.py)."""
    settings.TASKS = {"default": {"BACKEND": backend}}
    subscriber_on("country=tajikistan")
    when = timezone.now() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        tajik_item(title="Later", published_at=when)
    assert mail.outbox == []
    if backend.startswith("django_tasks_db"):
        [queued] = DBTaskResult.objects.all()
        assert when < queued.run_after <= when + timedelta(seconds=10)
    run_pass(when + timedelta(minutes=1))
    assert subjects() == ["Later"]


def test_an_item_owed_to_a_digest_already_sent_goes_in_the_next_one():
    """A pass that began before the digest's hour may announce an item after another pass has
    sent that digest: the item is not lost, it waits for the next digest."""
    subscription = subscriber_on("country=tajikistan", frequency="daily")
    tajik_item(title="On time")
    run_pass()
    hour = Delivery.objects.get().due_at
    run_pass(hour + timedelta(minutes=1))
    assert [m.subject for m in mail.outbox] == ["Your daily news digest: 1 item"]
    late = tajik_item(title="Late")
    Announcement.objects.create(item=late, announced_at=hour - timedelta(seconds=1))
    Delivery.objects.create(
        subscriber=subscription.subscriber, item=late, subscription=subscription, due_at=hour
    )
    run_pass(hour + timedelta(minutes=2))
    assert len(mail.outbox) == 1
    run_pass(hour + timedelta(days=1, minutes=1))
    assert len(mail.outbox) == 2
    assert "Late" in mail.outbox[1].body and "On time" not in mail.outbox[1].body

"""Finding who is owed a newly public news item, or a new meeting.

An item is announced once, when a pass first finds it public: published, its time come (the
one definition, `NewsItem.objects.published()`), issued within the last `ALERT_ITEM_MAX_AGE_DAYS`
days (an archive import of 2013's news is not news to anyone), and not announced before. It
does not matter which door published it (the form, a bulk action, an import, a scheduled time
arriving): the pass looks at what is public, not at what happened.

An event is announced once too, when a pass first finds it public (`Event.objects.published()`)
and not over: a meeting of the past, imported with the archive, is no news either.

Each list's filter is applied by its listing's own FilterSet to the new items (or events), so an
alert matches exactly what the listing would show. The announcement and every delivery it owes are
written in one transaction: a worker that dies in between leaves nothing, and the next pass
does it all. Two passes take turns here (alerts/locks.py), and each delivery is unique per
subscriber and item besides."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from news.models import Event, NewsItem

from .lists import filterset_of
from .locks import take_turns
from .models import AlertList, Announcement, Delivery, EventAnnouncement, Subscription
from .periods import due_at

log = logging.getLogger(__name__)

BATCH = 500  # items (or events) matched in one transaction
Kind = AlertList.Kind


def new_public_items(now):
    """The ids of items public at `now`, recent, and not announced yet, oldest first."""
    since = now - timedelta(days=settings.ALERT_ITEM_MAX_AGE_DAYS)
    return list(
        NewsItem.objects.published(at=now)
        .filter(published_at__gte=since)
        .exclude(pk__in=Announcement.objects.values("item_id"))
        .order_by("published_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )


def new_public_events(now):
    """The ids of events public and not over at `now`, not announced yet, soonest first."""
    return list(
        Event.objects.published()
        .filter(end__gte=now)
        .exclude(pk__in=EventAnnouncement.objects.values("event_id"))
        .order_by("start", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )


def announce(now):
    """Announce the items and events that went public since the last pass; returns how many."""
    total = 0
    for kind, new, record in (
        (Kind.NEWS, new_public_items, Announcement),
        (Kind.MEETINGS, new_public_events, EventAnnouncement),
    ):
        while True:
            with transaction.atomic():
                take_turns("announce")
                ids = new(now)
                if not ids:
                    break
                # `pk`: the item's or the event's (the announcement's primary key is its own).
                record.objects.bulk_create(
                    [record(pk=pk, announced_at=now) for pk in ids], ignore_conflicts=True
                )
                Delivery.objects.bulk_create(owed(kind, ids, now), ignore_conflicts=True)
            total += len(ids)
    return total


def owed(kind, ids, now):
    """The deliveries of these items (or events): per subscriber and item, by the subscriber's
    most frequent list that matches it (an item matching a daily and an immediate list is sent
    at once, and once)."""
    best = {}
    target = "item_id" if kind == Kind.NEWS else "event_id"
    for alert_list, subscriptions in confirmed_lists(kind):
        for pk in matching(alert_list, ids, now):
            for subscription in subscriptions:
                when = due_at(subscription.frequency, now)
                key = (subscription.subscriber_id, pk)
                if key not in best or when < best[key].due_at:
                    best[key] = Delivery(
                        subscriber_id=subscription.subscriber_id,
                        subscription=subscription,
                        due_at=when,
                        **{target: pk},
                    )
    return list(best.values())


def confirmed_lists(kind):
    """(list, its confirmed subscriptions) of every list of `kind` anyone is confirmed on."""
    subscriptions = {}
    for subscription in Subscription.objects.filter(
        confirmed_at__isnull=False, alert_list__kind=kind
    ).only("pk", "subscriber_id", "alert_list_id", "frequency"):
        subscriptions.setdefault(subscription.alert_list_id, []).append(subscription)
    lists = AlertList.objects.filter(pk__in=subscriptions).only(
        "pk", "kind", "query", "content_language"
    )
    return [(alert_list, subscriptions[alert_list.pk]) for alert_list in lists]


def matching(alert_list, ids, now):
    """The ids among `ids` that the list's listing shows."""
    if alert_list.is_meetings:
        new = Event.objects.published().filter(pk__in=ids)
    else:
        new = NewsItem.objects.published(at=now).filter(pk__in=ids)
    filterset = filterset_of(alert_list, new)
    if not filterset.is_valid():
        # A value the listing no longer knows (a tag deleted since): the listing itself shows
        # nothing for this filter either.
        log.warning(
            "alert list %s: its filter is no longer valid: %s", alert_list.pk, filterset.errors
        )
        return []
    return list(filterset.qs.order_by().values_list("pk", flat=True))

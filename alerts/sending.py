"""Turning what is owed into messages, and sending them.

`plan(now)`: the deliveries due by `now` that no message holds yet are gathered into messages:
one per item for immediate subscriptions, one per subscriber, period and language for digests.
The message is created and the deliveries claimed in one transaction; passes take turns at it
(alerts/locks.py), and a message is unique per subscriber and subject besides: two workers
never make the same message.

`send_due(now)`: each unsent message whose time has come is taken under a row lock (skipped by
other workers), sent over one SMTP connection, and marked sent in the same transaction. A
worker that dies mid-send leaves the message unsent and unlocked: the next pass sends it again,
under the same Message-ID, which receiving systems use to drop the copy in the one case where
the server had accepted it before the worker died. A message whose items were all withdrawn
meanwhile is not sent. A failed send is tried again after 1, 5, 25 minutes… and recorded as
failed after `SEND_ATTEMPTS` attempts."""

import logging
from collections import defaultdict
from datetime import timedelta

from django.core.mail import get_connection
from django.db import transaction

from news.models import Event, NewsItem

from . import emails
from .locks import take_turns
from .models import Delivery, Message, Subscription
from .periods import due_at

log = logging.getLogger(__name__)

Kind = Message.Kind
Frequency = Subscription.Frequency
KIND_OF = {
    Frequency.IMMEDIATELY: Kind.IMMEDIATE,
    Frequency.DAILY: Kind.DAILY,
    Frequency.WEEKLY: Kind.WEEKLY,
}
BATCH = 1000  # deliveries claimed in one transaction
SEND_ATTEMPTS = 5  # tried after 1, 5, 25 and 125 minutes, then recorded as failed


def plan(now):
    """Gather the due deliveries into messages; returns how many messages were made."""
    made = 0
    while True:
        with transaction.atomic():
            take_turns("plan")
            due = list(
                Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(message__isnull=True, due_at__lte=now)
                .select_related("subscription")
                .order_by("due_at", "pk")[:BATCH]
            )
            if not due:
                return made
            groups = defaultdict(list)
            for delivery in due:
                groups[subject_of(delivery)].append(delivery)
            # A digest's message may have been made by an earlier batch of the period, or even
            # sent already (an item announced by a pass that began before the digest's hour and
            # ended after another pass sent it): then the item waits for the next digest.
            known = messages_of(groups)
            late = [s for s in groups if s[:3] in known and not known[s[:3]][1]]
            for subject in late:
                for delivery in groups.pop(subject):
                    delivery.due_at = due_at(delivery.subscription.frequency, now)
                    Delivery.objects.filter(pk=delivery.pk).update(due_at=delivery.due_at)
            new = [subject for subject in groups if subject[:3] not in known]
            Message.objects.bulk_create(
                [
                    Message(
                        subscriber_id=subscriber_id,
                        kind=kind,
                        key=key,
                        language=language,
                        subscription=groups[subscriber_id, kind, key, language][0].subscription,
                        next_attempt_at=now,
                    )
                    for subscriber_id, kind, key, language in new
                ],
                ignore_conflicts=True,
            )
            messages = known | messages_of({subject: groups[subject] for subject in new})
            claimed = []
            for subject, deliveries in groups.items():
                for delivery in deliveries:
                    delivery.message_id = messages[subject[:3]][0]
                    claimed.append(delivery)
            Delivery.objects.bulk_update(claimed, ["message"])
            made += len(new)


def subject_of(delivery):
    """(subscriber, kind, key, language) of the message that carries a delivery."""
    subscription = delivery.subscription
    kind = KIND_OF[subscription.frequency]
    if kind == Kind.IMMEDIATE:
        key = str(delivery.item_id) if delivery.item_id else f"event {delivery.event_id}"
    else:
        key = f"{delivery.due_at.isoformat()} {subscription.language}"
    return (delivery.subscriber_id, kind, key, subscription.language)


def messages_of(groups):
    """{(subscriber, kind, key): (message id, still to send)} of the groups' messages, made now
    or before."""
    wanted = {subject[:3] for subject in groups}
    found = {}
    by_kind = defaultdict(lambda: (set(), set()))
    for subscriber_id, kind, key in wanted:
        by_kind[kind][0].add(subscriber_id)
        by_kind[kind][1].add(key)
    for kind, (subscribers, keys) in by_kind.items():
        rows = Message.objects.filter(
            kind=kind, subscriber_id__in=subscribers, key__in=keys
        ).values_list("pk", "subscriber_id", "kind", "key", "sent_at", "ended_at")
        for pk, subscriber_id, row_kind, key, sent_at, ended_at in rows:
            if (subscriber_id, row_kind, key) in wanted:
                found[subscriber_id, row_kind, key] = (pk, sent_at is None and ended_at is None)
    return found


def send_due(now, *, limit=None):
    """Send every message due by `now`; returns (sent, failed) counts."""
    sent = failed = 0
    connection = get_connection()
    writer = emails.Writer()
    try:
        while limit is None or sent + failed < limit:
            with transaction.atomic():
                message = (
                    Message.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(sent_at__isnull=True, ended_at__isnull=True, next_attempt_at__lte=now)
                    .select_related("subscriber")
                    .order_by("next_attempt_at", "pk")
                    .first()
                )
                if message is None:
                    break
                outcome = send_one(message, connection, writer, now)
            if outcome == "sent":
                sent += 1
            elif outcome == "failed":
                failed += 1
    finally:
        connection.close()
    return sent, failed


def send_one(message, connection, writer, now):
    """Send a locked message; record the outcome on it."""
    items = []
    if message.kind not in (Kind.CONFIRMATION, Kind.ALREADY_SUBSCRIBED):
        items = public_deliveries(message, now)
        if not items:
            message.ended_at = now
            message.outcome = "nothing left to send: its items were withdrawn or unsubscribed"
            message.save(update_fields=["ended_at", "outcome"])
            return "ended"
    elif message.subscription is None:
        message.ended_at = now
        message.outcome = "the subscription no longer exists"
        message.save(update_fields=["ended_at", "outcome"])
        return "ended"
    message.attempts += 1
    try:
        # Opened once for the pass (send_messages() would open and close it per message).
        connection.open()
        writer.build(message, items, connection=connection).send()
    except Exception as error:  # SMTP, socket and template errors alike: tried again later
        log.warning(
            "message %s: sending failed (attempt %s): %s", message.pk, message.attempts, error
        )
        connection.close()  # a broken connection is opened again for the next message
        message.outcome = str(error)[:500]
        if message.attempts >= SEND_ATTEMPTS:
            message.ended_at = now
            message.save(update_fields=["attempts", "outcome", "ended_at"])
            return "failed"
        message.next_attempt_at = now + retry_delay(message.attempts)
        message.save(update_fields=["attempts", "outcome", "next_attempt_at"])
        return "retry"
    message.sent_at = now
    message.outcome = ""
    message.save(update_fields=["attempts", "outcome", "sent_at"])
    return "sent"


def retry_delay(attempts):
    """1, 5, 25, 125 minutes… after the first, second, third failure."""
    return timedelta(minutes=5 ** (attempts - 1))


def public_deliveries(message, now):
    """(item id, event id, subscription id) of the message's deliveries whose item or event is
    public at `now`: a withdrawn item is not sent, nor an event made a draft again. Short
    queries, each on a primary key or an index, whatever the size of the archive."""
    rows = list(message.deliveries.values_list("item_id", "event_id", "subscription_id"))
    items = {row[0] for row in rows if row[0]}
    events = {row[1] for row in rows if row[1]}
    if items:
        items = set(
            NewsItem.objects.published(at=now).filter(pk__in=items).values_list("pk", flat=True)
        )
    if events:
        events = set(Event.objects.published().filter(pk__in=events).values_list("pk", flat=True))
    return [row for row in rows if row[0] in items or row[1] in events]

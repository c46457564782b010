import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from alerts.forms import normalise_email
from alerts.models import Subscriber


class Command(BaseCommand):
    help = (
        "What the site holds about an email address, for a request from its owner: `export` "
        "writes it as JSON (the address, each list with its filter, frequency, language and "
        "dates, and each message sent); `erase` deletes the address and all of it."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("email")

    def handle(self, *args, action, email, **options):
        subscriber = Subscriber.objects.filter(email=normalise_email(email)).first()
        if subscriber is None:
            raise CommandError(f"No subscriber has the address {email!r}.")
        if action == "export":
            self.stdout.write(json.dumps(exported(subscriber), indent=2, ensure_ascii=False))
            return
        with transaction.atomic():
            counts = {
                "subscriptions": subscriber.subscriptions.count(),
                "messages": subscriber.messages.count(),
            }
            subscriber.delete()
        self.stdout.write(
            f"Erased {subscriber.email}: {counts['subscriptions']} subscriptions and "
            f"{counts['messages']} message records."
        )


def exported(subscriber):
    def moment(value):
        return value.isoformat() if value else None

    return {
        "email": subscriber.email,
        "created_at": moment(subscriber.created_at),
        "subscriptions": [
            {
                "filter": subscription.alert_list.query,
                "content_language": subscription.alert_list.content_language,
                "listing": subscription.alert_list.get_absolute_url(),
                "frequency": subscription.frequency,
                "language": subscription.language,
                "asked_for_at": moment(subscription.created_at),
                "confirmed_at": moment(subscription.confirmed_at),
            }
            for subscription in subscriber.subscriptions.select_related("alert_list").order_by("pk")
        ],
        "messages": [
            {
                "kind": message.kind,
                "created_at": moment(message.created_at),
                "sent_at": moment(message.sent_at),
                "items": [delivery.item.slug for delivery in message.deliveries.all()],
            }
            for message in subscriber.messages.prefetch_related("deliveries__item").order_by("pk")
        ],
    }

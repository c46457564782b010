"""The messages themselves: plain text and HTML, in the subscriber's language, with the headers
that let a mail program unsubscribe in one click (RFC 2369 List-Unsubscribe, RFC 8058
List-Unsubscribe-Post) and a Message-ID fixed by the message's record, so that a message sent
again after a crash is recognisably the same message."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from languages.urls import reverse_in
from news.listing.summary import issuer_name
from news.models import Event, NewsItem
from news.templatetags.event_tags import event_dates

from .lists import describe_list
from .models import CONFIRMATION_DAYS, AlertList, Message, Subscription

Kind = Message.Kind
CONFIRMATION_SALT = "alerts.confirmation"


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def site_domain():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def confirmation_token(subscription):
    return signing.dumps(
        {"s": subscription.pk, "n": subscription.confirmation_nonce}, salt=CONFIRMATION_SALT
    )


def read_confirmation_token(token):
    """(subscription id, nonce) of a confirmation link; raises signing.BadSignature (and its
    subclass SignatureExpired after `CONFIRMATION_DAYS`)."""
    data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_DAYS * 24 * 3600)
    return data["s"], data["n"]


def link(language, name, **kwargs):
    """An absolute link to an alerts page, in the message's language."""
    return absolute(reverse_in(language, name, kwargs=kwargs))


def item_entry(item):
    bodies = [issuer_name(structure) for structure, _name in item.issuers_in_force()]
    meta = [_("Issued on %(date)s") % {"date": date_format(item.published_at, "DATE_FORMAT")}]
    if bodies:
        meta.append(_("Issued by %(bodies)s") % {"bodies": ", ".join(bodies)})
    return {
        "title": item.title,
        "lead": item.lead,
        "url": absolute(item.get_absolute_url()),
        "meta": meta,
        "order": (-item.published_at.timestamp(), -item.pk),
    }


def event_entry(event):
    meta = [strip_tags(event_dates(event))]
    place = ", ".join(filter(None, [event.city, event.country.local_name if event.country else ""]))
    if place:
        meta.append(place)
    if event.status != Event.Status.PUBLISHED:
        meta.append(str(event.get_status_display()))
    bodies = [issuer_name(o.structure) for o in event.organisers.all()]
    if bodies:
        meta.append(_("Organised by %(bodies)s") % {"bodies": ", ".join(bodies)})
    return {
        "title": event.title,
        "lead": "",
        "url": absolute(event.get_absolute_url()),
        "meta": meta,
        "order": (event.start.timestamp(), event.pk),
    }


class Writer:
    """Writes the messages of one pass, remembering what its messages share: each list's
    sentence and each item's entry, per language (a pass may write thousands of messages about
    the same hundred items and lists)."""

    def __init__(self):
        self.lists = {}
        self.list_names = {}
        self.entries = {}
        self.subscriptions = {}

    def alert_list(self, pk):
        if pk not in self.lists:
            self.lists[pk] = AlertList.objects.get(pk=pk)
        return self.lists[pk]

    def list_name(self, alert_list, language):
        key = (alert_list.pk, language)
        if key not in self.list_names:
            with translation.override(language):
                self.list_names[key] = describe_list(alert_list)
        return self.list_names[key]

    def entries_of(self, keys, language):
        """The entries of ("item", id) and ("event", id) keys, in the language: title, lead,
        address, the lines under the title (`meta`), and the order they are listed in (`order`:
        the newest item first, as the news listing; the soonest event first, as the meetings
        listing)."""
        missing = {
            kind: [pk for key_kind, pk in keys if key_kind == kind and (kind, pk, language)
                   not in self.entries]
            for kind in ("item", "event")
        }  # fmt: skip
        with translation.override(language):
            if missing["item"]:
                items = NewsItem.objects.filter(pk__in=missing["item"]).prefetch_related(
                    "issuing_bodies__structure__former_names"
                )
                for item in items:
                    self.entries["item", item.pk, language] = item_entry(item)
            if missing["event"]:
                events = (
                    Event.objects.filter(pk__in=missing["event"])
                    .select_related("country")
                    .prefetch_related("organisers__structure")
                )
                for event in events:
                    self.entries["event", event.pk, language] = event_entry(event)
        return [self.entries[kind, pk, language] for kind, pk in keys]

    def subscription(self, pk):
        """A subscription's token and list, remembered for the pass (both never change)."""
        if pk not in self.subscriptions:
            self.subscriptions[pk] = Subscription.objects.only("token", "alert_list_id").get(pk=pk)
        return self.subscriptions[pk]

    def groups(self, deliveries, language):
        """[(list sentence, list address, [entries])] of (item id, event id, subscription id)
        rows: by list, and in each in the order of its listing."""
        keys = [("item", item_id) if item_id else ("event", event_id)
                for item_id, event_id, _pk in deliveries]  # fmt: skip
        entries = self.entries_of(keys, language)
        by_list = {}
        for (_item_id, _event_id, subscription_id), entry in zip(deliveries, entries, strict=True):
            list_id = self.subscription(subscription_id).alert_list_id
            by_list.setdefault(list_id, []).append(entry)
        groups = []
        for list_id in sorted(by_list):
            alert_list = self.alert_list(list_id)
            groups.append(
                (
                    self.list_name(alert_list, language),
                    absolute(alert_list.get_absolute_url()),
                    sorted(by_list[list_id], key=lambda entry: entry["order"]),
                )
            )
        return groups

    def build(self, message, deliveries, *, connection=None):
        """The EmailMultiAlternatives of a message; `deliveries`, (item id, event id,
        subscription id) of what is still to send, for alerts and digests."""
        subscriber = message.subscriber
        language = message.language
        with translation.override(language):
            context = {
                "site_name": settings.SITE_NAME,
                "manage_url": link(language, "alerts:manage", token=subscriber.token),
            }
            headers = {"Message-ID": f"<alert-{message.pk}.{subscriber.pk}@{site_domain()}>"}
            if message.kind in (Kind.CONFIRMATION, Kind.ALREADY_SUBSCRIBED):
                subject, template = self.about_subscription(message, context)
            else:
                subject, template, unsubscribe = self.about_items(message, deliveries, context)
                headers["List-Unsubscribe"] = f"<{unsubscribe}>"
                headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            context["subject"] = subject
            text = render_to_string(f"{template}.txt", context)
            html = render_to_string(f"{template}.html", context)
        email = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[subscriber.email],
            headers=headers,
            connection=connection,
        )
        email.attach_alternative(html, "text/html")
        return email

    def about_subscription(self, message, context):
        subscription = message.subscription
        alert_list = subscription.alert_list
        context["list_name"] = self.list_name(alert_list, message.language)
        context["list_url"] = absolute(alert_list.get_absolute_url())
        context["frequency"] = subscription.get_frequency_display()
        context["days"] = CONFIRMATION_DAYS
        if message.kind == Kind.CONFIRMATION:
            context["confirm_url"] = link(
                message.language, "alerts:confirm", token=confirmation_token(subscription)
            )
            subject = _("Confirm your email alerts: %(list)s") % {"list": context["list_name"]}
            return subject, "alerts/email/confirmation"
        subject = _("You already receive these email alerts: %(list)s") % {
            "list": context["list_name"]
        }
        return subject, "alerts/email/already_subscribed"

    def about_items(self, message, deliveries, context):
        language = message.language
        context["groups"] = self.groups(deliveries, language)
        entries = [entry for _name, _url, group in context["groups"] for entry in group]
        if message.kind == Kind.IMMEDIATE:
            token = self.subscription(message.subscription_id).token
            unsubscribe = link(language, "alerts:unsubscribe", token=token)
            context["unsubscribe_url"] = unsubscribe
            context["item"] = entries[0]
            return entries[0]["title"], "alerts/email/alert", unsubscribe
        # A digest carries items of several lists: its one-click link stops the digest.
        frequency = KIND_FREQUENCY[message.kind]
        unsubscribe = (
            link(language, "alerts:unsubscribe_all", token=message.subscriber.token)
            + f"?frequency={frequency}"
        )
        context["unsubscribe_url"] = unsubscribe
        context["count"] = len(entries)
        context["period"] = frequency
        if message.kind == Kind.DAILY:
            subject = ngettext(
                "Your daily news digest: %(count)s item",
                "Your daily news digest: %(count)s items",
                len(entries),
            )
        else:
            subject = ngettext(
                "Your weekly news digest: %(count)s item",
                "Your weekly news digest: %(count)s items",
                len(entries),
            )
        return subject % {"count": len(entries)}, "alerts/email/digest", unsubscribe


KIND_FREQUENCY = {Kind.DAILY: "daily", Kind.WEEKLY: "weekly"}

"""The pages of email alerts: asking for them from any listing, confirming, managing and leaving.

No account and no cookie: the subscribe form is answered the same whatever the address (nobody
can learn who subscribes), and every other page is reached by a link from a message, whose
unguessable token is the only key. The forms are exempt from Django's CSRF check for that
reason: it guards the ambient authority of a session cookie, and these pages have none (a forged
request would need the token it is meant to steal; subscribing someone else is what double
opt-in and the rate limits are for). The one-click unsubscribe of RFC 8058 is a POST from the
recipient's mail provider, which could not carry a CSRF token anyway."""

from django.core import signing
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from languages import registry as languages
from news.events.filters import EVENT_LISTING_READS, EventFilter
from news.listing.filters import LISTING_READS, NewsFilter
from news.page_keys import LAST_VALUE, NOTHING, Reads

from . import emails, ratelimit, tasks
from .forms import FrequencyForm, SubscribeForm
from .lists import describe_list, list_query
from .models import AlertList, Message, Subscriber, Subscription, new_token

Kind = Message.Kind


alert_page = method_decorator([csrf_exempt, never_cache], name="dispatch")


@alert_page
class SubscribeView(View):
    """/alerts/subscribe/?<the news listing's filters> (and /alerts/meetings/subscribe/?<the
    meetings listing's>): the filter in plain words, an address, how often, and the language of
    the emails."""

    template_name = "alerts/subscribe.html"
    kind = AlertList.Kind.NEWS
    # Never cached (never_cache), like every page here; declared all the same (news/page_keys.py).
    page_cache_reads = Reads(LISTING_READS)

    def dispatch(self, request, *args, **kwargs):
        meetings = self.kind == AlertList.Kind.MEETINGS
        self.filterset = (EventFilter if meetings else NewsFilter).for_request(request)
        if not self.filterset.is_valid():
            listing_url = reverse("news:event_list" if meetings else "news:list")
            return render(
                request,
                "alerts/invalid_filter.html",
                {"form": self.filterset.form, "listing_url": listing_url},
                status=400,
            )
        self.alert_list = AlertList(
            kind=self.kind,
            query=list_query(self.filterset),
            content_language=languages.current().code,
        )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        form = SubscribeForm(initial={"language": request.LANGUAGE_CODE})
        return self.show(form)

    def post(self, request):
        form = SubscribeForm(request.POST)
        if not form.is_valid():
            return self.show(form, status=400)
        if not ratelimit.client_allowed(request):
            return render(request, "alerts/too_many.html", status=429)
        # Over the limit for one address, the answer is the same as ever, and nothing is sent.
        if ratelimit.address_allowed(form.cleaned_data["email"]):
            ask_for_alerts(self.alert_list, **form.cleaned_data)
        return redirect("alerts:check_email")

    def show(self, form, status=200):
        context = {
            "form": form,
            "list_name": describe_list(self.alert_list),
            "listing_url": self.alert_list.get_absolute_url(),
        }
        return render(self.request, self.template_name, context, status=status)


@transaction.atomic
def ask_for_alerts(alert_list, *, email, frequency, language):
    """Record the request and queue the message it calls for: a confirmation link, or, for an
    address already confirmed on that list, a note saying so (the page says the same to both)."""
    alert_list, _ = AlertList.objects.get_or_create(
        kind=alert_list.kind, query=alert_list.query, content_language=alert_list.content_language
    )
    subscriber, _ = Subscriber.objects.get_or_create(email=email)
    subscription, _ = Subscription.objects.select_for_update().get_or_create(
        subscriber=subscriber,
        alert_list=alert_list,
        defaults={"frequency": frequency, "language": language},
    )
    now = timezone.now()
    if subscription.is_confirmed:
        kind, key = Kind.ALREADY_SUBSCRIBED, new_token()
    else:
        # Asked again before confirming: the newest choices, a new link (the old one stops
        # working), and another week to confirm.
        subscription.frequency = frequency
        subscription.language = language
        subscription.confirmation_nonce = new_token()
        subscription.save(update_fields=["frequency", "language", "confirmation_nonce"])
        Subscription.objects.filter(pk=subscription.pk).update(created_at=now)
        kind, key = Kind.CONFIRMATION, subscription.confirmation_nonce
    Message.objects.create(
        subscriber=subscriber,
        kind=kind,
        key=key,
        subscription=subscription,
        language=language,
        next_attempt_at=now,
    )
    tasks.wake()


class MeetingsSubscribeView(SubscribeView):
    kind = AlertList.Kind.MEETINGS
    page_cache_reads = Reads(EVENT_LISTING_READS)


@alert_page
class CheckEmailView(View):
    page_cache_reads = NOTHING

    def get(self, request):
        return render(request, "alerts/check_email.html")


@alert_page
class ConfirmView(View):
    """The link in a confirmation message: a page with one button (a link checker that opens
    every link of a message must not confirm on its own), which confirms, once."""

    page_cache_reads = NOTHING

    def dispatch(self, request, token):
        try:
            subscription_id, nonce = emails.read_confirmation_token(token)
        except signing.SignatureExpired:
            return render(request, "alerts/link_expired.html", status=410)
        except signing.BadSignature:
            raise Http404("No such confirmation link.") from None
        self.nonce = nonce
        self.subscription = (
            Subscription.objects.select_related("subscriber", "alert_list")
            .filter(pk=subscription_id)
            .first()
        )
        if self.subscription is None or self.subscription.confirmation_nonce != nonce:
            return render(request, "alerts/link_used.html", status=410)
        return super().dispatch(request)

    def get(self, request):
        context = {
            "subscription": self.subscription,
            "list_name": describe_list(self.subscription.alert_list),
        }
        return render(request, "alerts/confirm.html", context)

    def post(self, request):
        with transaction.atomic():
            confirmed = Subscription.objects.filter(
                pk=self.subscription.pk, confirmation_nonce=self.nonce
            ).update(confirmed_at=timezone.now(), confirmation_nonce="")
        if not confirmed:  # used by another request meanwhile
            return render(request, "alerts/link_used.html", status=410)
        manage = reverse("alerts:manage", kwargs={"token": self.subscription.subscriber.token})
        return redirect(f"{manage}?confirmed={self.subscription.pk}")


@alert_page
class ManageView(View):
    """Every list of an address, from the link in any message: how often, and leaving."""

    page_cache_reads = Reads({"confirmed": LAST_VALUE, "changed": LAST_VALUE})

    def dispatch(self, request, token):
        self.subscriber = get_object_or_404(Subscriber, token=token)
        return super().dispatch(request)

    def subscriptions(self):
        return self.subscriber.subscriptions.select_related("alert_list").order_by("pk")

    def get(self, request):
        confirmed = request.GET.get("confirmed", "")
        rows = [
            {
                "subscription": subscription,
                "name": describe_list(subscription.alert_list),
                "url": subscription.alert_list.get_absolute_url(),
                "just_confirmed": str(subscription.pk) == confirmed,
            }
            for subscription in self.subscriptions()
        ]
        context = {
            "subscriber": self.subscriber,
            "rows": rows,
            "frequencies": Subscription.Frequency.choices,
            "changed": request.GET.get("changed") == "1",
        }
        return render(request, "alerts/manage.html", context)

    def post(self, request):
        action = request.POST.get("action")
        if action == "unsubscribe_all":
            return redirect("alerts:unsubscribe_all", token=self.subscriber.token)
        pk = request.POST.get("subscription", "")
        subscription = self.subscriber.subscriptions.filter(pk=pk).first() if pk.isdigit() else None
        if subscription is None:
            raise Http404("No such subscription of this address.")
        if action == "frequency":
            form = FrequencyForm(request.POST)
            if form.is_valid():
                subscription.frequency = form.cleaned_data["frequency"]
                subscription.save(update_fields=["frequency"])
            manage = reverse("alerts:manage", kwargs={"token": self.subscriber.token})
            return redirect(f"{manage}?changed=1")
        if action == "unsubscribe":
            return unsubscribed(request, [subscription], self.subscriber)
        raise Http404("No such action.")


@alert_page
class UnsubscribeView(View):
    """One list: the link in each alert, and the List-Unsubscribe address. A page with one
    button on GET; a POST (the button, or a mail program's one-click request) unsubscribes."""

    page_cache_reads = NOTHING

    def dispatch(self, request, token):
        self.subscription = (
            Subscription.objects.select_related("subscriber", "alert_list")
            .filter(token=token)
            .first()
        )
        if self.subscription is None:
            return render(request, "alerts/not_subscribed.html", status=404)
        return super().dispatch(request)

    def get(self, request):
        context = {
            "subscription": self.subscription,
            "list_name": describe_list(self.subscription.alert_list),
        }
        return render(request, "alerts/unsubscribe.html", context)

    def post(self, request):
        return unsubscribed(request, [self.subscription], self.subscription.subscriber)


@alert_page
class UnsubscribeAllView(View):
    """Every list of an address (or every list of one frequency: a digest's one-click link)."""

    page_cache_reads = Reads({"frequency": LAST_VALUE})

    def dispatch(self, request, token):
        self.subscriber = Subscriber.objects.filter(token=token).first()
        if self.subscriber is None:
            return render(request, "alerts/not_subscribed.html", status=404)
        self.frequency = request.GET.get("frequency", "")
        if self.frequency and self.frequency not in Subscription.Frequency.values:
            self.frequency = ""
        return super().dispatch(request)

    def chosen(self):
        subscriptions = self.subscriber.subscriptions.select_related("alert_list")
        if self.frequency:
            subscriptions = subscriptions.filter(frequency=self.frequency)
        return list(subscriptions)

    def get(self, request):
        context = {
            "subscriber": self.subscriber,
            "names": [describe_list(s.alert_list) for s in self.chosen()],
            "frequency": self.frequency,
        }
        return render(request, "alerts/unsubscribe_all.html", context)

    def post(self, request):
        return unsubscribed(request, self.chosen(), self.subscriber)


def unsubscribed(request, subscriptions, subscriber):
    """End these subscriptions (what was owed under them goes too); an address left with none
    is forgotten."""
    names = [describe_list(s.alert_list) for s in subscriptions]
    with transaction.atomic():
        Subscription.objects.filter(pk__in=[s.pk for s in subscriptions]).delete()
        remaining = subscriber.subscriptions.exists()
        if not remaining:
            Subscriber.objects.filter(pk=subscriber.pk).delete()
    context = {"names": names, "subscriber": subscriber if remaining else None}
    return render(request, "alerts/unsubscribed.html", context)

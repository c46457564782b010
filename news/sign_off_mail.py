"""The email that asks a co-issuer's publishers to sign off a joint item: news/signing.py asks,
once the request is committed; a worker sends it (`manage.py db_worker`, as it sends the email
alerts; `make run` sends it at once, to the console)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from structures.models import Structure

from .models import NewsItem, SignOff
from .permissions import can_publish


def tell_publishers_on_commit(item, structures, by):
    """Queue the emails asking `structures` (their publishers) to sign off `item`, once the
    current transaction commits: a request rolled back asks nobody."""
    ids = sorted(structure.pk for structure in structures)
    requester = by.pk if by is not None else None
    transaction.on_commit(lambda: tell_publishers.enqueue(item.pk, ids, requester))


@task()
def tell_publishers(item_id, structure_ids, requested_by_id=None):
    """One email to each publisher of the bodies whose sign-off `item_id` still waits for.
    Returns the number of emails sent."""
    item = NewsItem.objects.filter(pk=item_id, status=NewsItem.Status.AWAITING).first()
    if item is None:  # signed, declined, changed back or deleted since
        return 0
    still_open = set(
        SignOff.objects.filter(
            item=item, state=SignOff.State.REQUESTED, structure__in=structure_ids
        ).values_list("structure_id", flat=True)
    )
    users = (
        get_user_model()
        .objects.filter(is_active=True, editor_profile__structures__in=still_open)
        .exclude(email="")
        .exclude(pk=requested_by_id)
        .distinct()
        .order_by("pk")
    )
    requester = get_user_model().objects.filter(pk=requested_by_id).first()
    address = settings.SITE_URL + reverse("admin:news_newsitem_sign_off", args=[item.pk])
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for user in users:
            if not can_publish(user):
                continue
            bodies = Structure.objects.filter(pk__in=still_open, editors__user=user)
            names = ", ".join(sorted(body.issuing_label for body in bodies))
            messages.append(
                EmailMessage(
                    subject=_("Sign-off requested: %(title)s") % {"title": item.title},
                    body=_(
                        "%(who)s asks %(bodies)s to sign off a joint news item before it goes "
                        "public:\n\n    %(title)s\n\nRead it, then sign off or decline (with a "
                        "reason) here:\n%(address)s\n\nThe item stays off the public site until "
                        "every co-issuer has signed off.\n"
                    )
                    % {
                        "who": (requester.get_full_name() or requester.get_username())
                        if requester
                        else _("A publisher"),
                        "bodies": names,
                        "title": item.title,
                        "address": address,
                    },
                    to=[user.email],
                )
            )
    if messages:
        get_connection().send_messages(messages)
    return len(messages)

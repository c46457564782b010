"""Publishing as an action: the buttons of a news item's form. Publishers press "Publish now",
"Schedule…" or "Save draft" (and "Withdraw…", a page of its own, for a live item); editors "Save
draft" and "Submit for publishing". A button says what the save is for; the form turns it into
the item's status and "issued on" time (`apply`), and the publishing door (news/publishing.py)
checks the result as it checks every save. A post without a button (an older form, a script)
keeps to the status it sends."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import NewsItem
from ..permissions import can_publish

Status = NewsItem.Status
FIELD = "_action"
DRAFT, SUBMIT, PUBLISH, SCHEDULE, UPDATE = "draft", "submit", "publish", "schedule", "update"
# After each the editor stays on the form: its status line says where the item now is.
STAYS = {DRAFT, SUBMIT, PUBLISH, SCHEDULE, UPDATE}


@dataclass(frozen=True)
class Button:
    action: str
    label: str
    primary: bool = False


LABELS = {
    DRAFT: gettext_lazy("Save draft"),
    SUBMIT: gettext_lazy("Submit for publishing"),
    PUBLISH: gettext_lazy("Publish now"),
    SCHEDULE: gettext_lazy("Schedule…"),
    UPDATE: gettext_lazy("Save changes"),
}


def offered(user, item):
    """The actions `user` may take on `item` (None: a new one) as stored, the first the main
    one."""
    status = item.status if item is not None and item.pk else None
    if not can_publish(user):
        return [SUBMIT, DRAFT] if status in (None, Status.DRAFT) else []
    if status in (None, Status.DRAFT):
        return [PUBLISH, SCHEDULE, DRAFT]
    if status == Status.PUBLISHED and item.is_scheduled:
        return [UPDATE, PUBLISH, DRAFT]
    if status == Status.PUBLISHED:
        return [UPDATE]  # off the site by "Withdraw…", which keeps it on record
    if status == Status.AWAITING:
        return [UPDATE, DRAFT]
    return [UPDATE, PUBLISH]  # withdrawn


def buttons(user, item):
    actions = offered(user, item)
    labels = dict(LABELS)
    if item is not None and item.status == Status.WITHDRAWN:
        labels[PUBLISH] = gettext_lazy("Publish again")
    if item is not None and item.status != Status.DRAFT:
        labels[DRAFT] = gettext_lazy("Return to draft")
    return [Button(action, labels[action], primary=n == 0) for n, action in enumerate(actions)]


def chosen_action(data):
    """The button pressed, or None (a post that sends the status itself)."""
    action = data.get(FIELD)
    return action if action in LABELS else None


def apply_action(form, action, status_on_record):
    """Set the form's cleaned status (and "issued on" time) for `action`. Raises a
    ValidationError for an action the user is not offered."""
    cleaned = form.cleaned_data
    item = form.instance if form.instance.pk else None
    if action not in offered(form.request.user, item):
        raise ValidationError(_("This is not an action you may take on this item."))
    now = timezone.now()
    if action in (DRAFT, SUBMIT):
        cleaned["status"] = Status.DRAFT
    elif action == UPDATE:
        cleaned["status"] = status_on_record
    elif action == PUBLISH:
        cleaned["status"] = Status.PUBLISHED
        when = cleaned.get("published_at")
        if when is None or when > now:
            # Now: at once for an item of the user's own bodies, at the last sign-off for a
            # joint one (IssuingBodyFormSet.checklist, which knows the bodies, decides).
            cleaned["published_at"] = None
            form.publishes_now = True
    elif action == SCHEDULE:
        cleaned["status"] = Status.PUBLISHED
        when = cleaned.get("published_at")
        if when is None or when <= now:
            form.add_error(
                "published_at",
                _("Choose when the item goes live: a date and time ahead of now."),
            )

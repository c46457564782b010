"""Who may do what with news: editors work for issuing bodies, publishers may publish, managers
(and superusers) see and edit everything. The Django groups are set up by `ensure_groups()`.

Every door of the back office asks here about roles and bodies: the admin's forms and views,
django-reversion's history and recovery, the bulk actions; what a role may do to an item's
status is the publishing door's (news/publishing.py). A `…_refusal()` function returns None when
the user may go ahead, or the reason they may not, in words for them."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils.translation import gettext as _

from structures.models import Structure

from .models import Event, NewsItem
from .models.events import EDIT_ALL_EVENTS
from .querysets import EDIT_ALL, edits_all

PUBLISH = "news.publish_newsitem"
PUBLISH_EVENT = "news.publish_event"

NEWS_EDITING = [
    "news.add_newsitem", "news.change_newsitem", "news.view_newsitem", "news.delete_newsitem",
    "news.add_issuingbody", "news.change_issuingbody", "news.view_issuingbody",
    "news.delete_issuingbody",
    "taggit.add_tag", "taggit.view_tag",
    "structures.view_structure", "countries.view_country", "news.view_fieldofwork",
]  # fmt: skip
# Events: editors write drafts of their bodies' events (and see the series, to choose one);
# publishers publish, postpone and cancel them; managers edit every event and the series.
EVENT_EDITING = [
    f"news.{action}_{model}"
    for model in ("event", "eventorganiser", "eventdocument")
    for action in ("add", "change", "delete", "view")
] + ["news.view_meetingseries"]
SERIES_EDITING = [f"news.{action}_meetingseries" for action in ("add", "change", "delete")]
TAXONOMY_EDITING = [
    f"{app}.{action}_{model}"
    for app, model in (
        ("countries", "country"), ("countries", "chairpersonship"), ("structures", "structure"),
        ("structures", "formername"), ("news", "fieldofwork"), ("news", "alias"),
        ("taggit", "tag"),
    )
    for action in ("add", "change", "delete", "view")
]  # fmt: skip
# Email alerts: the addresses are seen by managers only, who may also delete them (on request);
# nobody adds or changes a subscription in the back office: its owner does, from its messages.
ALERTS_MANAGING = [
    "alerts.view_subscriber", "alerts.delete_subscriber", "alerts.view_subscription",
    "alerts.delete_subscription", "alerts.view_alertlist", "alerts.view_message",
]  # fmt: skip
GROUPS = {
    "Editor": [*NEWS_EDITING, *EVENT_EDITING],
    "Publisher": [*NEWS_EDITING, PUBLISH, *EVENT_EDITING, PUBLISH_EVENT],
    "Manager": [*NEWS_EDITING, PUBLISH, EDIT_ALL, *TAXONOMY_EDITING, "news.view_editorprofile",
                "news.change_editorprofile", "news.add_editorprofile",
                *EVENT_EDITING, PUBLISH_EVENT, EDIT_ALL_EVENTS, *SERIES_EDITING, *ALERTS_MANAGING],
}  # fmt: skip


def ensure_groups():
    """Create or update the Editor, Publisher and Manager groups; returns the names changed."""
    changed = []
    for name, codes in GROUPS.items():
        group, created = Group.objects.get_or_create(name=name)
        wanted = set()
        for code in codes:
            app_label, codename = code.split(".")
            wanted.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        if created or set(group.permissions.all()) != wanted:
            group.permissions.set(wanted)
            changed.append(name)
    return changed


def can_publish(user):
    return user.is_active and (user.is_superuser or user.has_perm(PUBLISH))


def own_structures(user):
    """The structures an editor may issue news in the name of."""
    if edits_all(user):
        return Structure.objects.all()
    return Structure.objects.filter(editors__user=user)


def may_edit(user, item):
    if item is None or item.pk is None or edits_all(user):
        return True
    return type(item).objects.filter(pk=item.pk).editable_by(user).exists()


def visible_tags(user, queryset):
    """Tags of public items and of the items the user may edit: another office's draft does
    not give its tags away."""
    if edits_all(user):
        return queryset
    own = NewsItem.objects.editable_by(user)
    return queryset.filter(NewsItem.objects.published().using_tag() | own.using_tag())


# --- what a role may do with an item it can see --------------------------------------------


def issuer_ids(item):
    """The ids of the bodies that issue a saved item (from the prefetched rows when there)."""
    return {body.structure_id for body in item.issuing_bodies.all()}


def structure_names(structure_ids):
    names = Structure.objects.filter(pk__in=structure_ids).values_list("name", flat=True)
    return ", ".join(sorted(names))


def outside_bodies(user, structure_ids):
    """Those of `structure_ids` the user does not work for (none for managers)."""
    if edits_all(user):
        return set()
    # Read once for the user object, which Django makes anew for each request: checking a list
    # of items (the recovery list) asks once, not once an item.
    if not hasattr(user, "own_structure_ids"):
        user.own_structure_ids = frozenset(own_structures(user).values_list("pk", flat=True))
    return set(structure_ids) - user.own_structure_ids


def deletion_refusal(user, item):
    """Deleting takes an item off the record: editors delete their own drafts only, and an item
    also issued by a body the user does not work for is deleted by a manager only. A live item
    is withdrawn, not deleted: its address is out in the world, and it stays on record."""
    if item.is_public:
        return _(
            "“%(item)s” is live on the site: withdraw it instead. It leaves the site and stays "
            "on record, with the reason."
        ) % {"item": item}
    if item.status != NewsItem.Status.DRAFT and not can_publish(user):
        if item.status == NewsItem.Status.WITHDRAWN:
            return _("“%(item)s” is withdrawn: only a publisher may delete it.") % {"item": item}
        return _("“%(item)s” is published: only a publisher may delete it.") % {"item": item}
    others = outside_bodies(user, issuer_ids(item))
    if others:
        return _(
            "“%(item)s” is also issued by %(bodies)s: only a manager may delete an item of a "
            "body you do not work for."
        ) % {"item": item, "bodies": structure_names(others)}
    return None


# --- events: the same roles, for meetings and conferences ---------------------------------------


def can_publish_events(user):
    return user.is_active and (user.is_superuser or user.has_perm(PUBLISH_EVENT))


def edits_all_events(user):
    return user.is_active and (user.is_superuser or user.has_perm(EDIT_ALL_EVENTS))


def may_edit_event(user, event):
    if event is None or event.pk is None or edits_all_events(user):
        return True
    return Event.objects.filter(pk=event.pk).editable_by(user).exists()


def linkable_events(user, current_id=None):
    """The events a news item may be linked to by `user`: public ones and those the user may
    edit, and the one it is linked to already (`current_id`), whoever linked it."""
    if edits_all_events(user):
        return Event.objects.all()
    editable = Event.objects.editable_by(user).values("pk")
    return Event.objects.filter(
        Q(pk__in=editable) | ~Q(status=Event.Status.DRAFT) | Q(pk=current_id)
    )


def linkable_news(user):
    """The news items `user` may link to an event or unlink from it: those the user may
    change (a public item is changed by publishers only)."""
    editable = NewsItem.objects.editable_by(user)
    if can_publish(user):
        return editable
    return editable.filter(status=NewsItem.Status.DRAFT)


def event_change_refusal(user, status_on_record):
    """Editors work on drafts: once an event is public (published, postponed or cancelled),
    changing it is for publishers."""
    if status_on_record in (None, Event.Status.DRAFT) or can_publish_events(user):
        return None
    return _("This event is public: only a publisher may change, postpone or cancel it.")


def event_status_refusal(user, status_on_record, new_status):
    """Whether the user may save an event that is `status_on_record` (None: new) as
    `new_status`."""
    refusal = event_change_refusal(user, status_on_record)
    if refusal is None and new_status != Event.Status.DRAFT and not can_publish_events(user):
        refusal = _(
            "You may save drafts only: ask a publisher to publish, postpone or cancel the event."
        )
    return refusal


def organiser_ids(event):
    return {link.structure_id for link in event.organisers.all()}


def event_organisers_refusal(user, *, before, after):
    """Whether an editor may turn an event organised by `before` (structure ids; an empty set
    for a new or deleted event) into one organised by `after`: one of the editor's own bodies
    stays among them, and no body the editor does not work for is added or removed."""
    if edits_all_events(user):
        return None
    if not after - outside_bodies(user, after):
        return _("The event must be organised by at least one of the bodies you work for.")
    others = outside_bodies(user, before ^ after)
    if others:
        return _("Only a manager may add or remove %(bodies)s, which you do not work for.") % {
            "bodies": structure_names(others)
        }
    return None


def event_deletion_refusal(user, event):
    """Editors delete their own drafts only; an event also organised by a body the user does
    not work for is deleted by a manager only."""
    if event.status != Event.Status.DRAFT and not can_publish_events(user):
        return _("“%(event)s” is public: only a publisher may delete it.") % {"event": event}
    if edits_all_events(user):
        return None
    others = outside_bodies(user, organiser_ids(event))
    if others:
        return _(
            "“%(event)s” is also organised by %(bodies)s: only a manager may delete an event "
            "of a body you do not work for."
        ) % {"event": event, "bodies": structure_names(others)}
    return None

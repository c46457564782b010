"""Who may do what with news: editors work for issuing bodies, publishers may publish, managers
(and superusers) see and edit everything. The Django groups are set up by `ensure_groups()`.

Every door of the back office asks here about roles and bodies: the admin's forms and views,
django-reversion's history and recovery, the bulk actions; what a role may do to an item's
status is the publishing door's (news/publishing.py). A `…_refusal()` function returns None when
the user may go ahead, or the reason they may not, in words for them."""

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext as _

from structures.models import Structure

from .models import NewsItem
from .querysets import EDIT_ALL, edits_all

PUBLISH = "news.publish_newsitem"

NEWS_EDITING = [
    "news.add_newsitem", "news.change_newsitem", "news.view_newsitem", "news.delete_newsitem",
    "news.add_issuingbody", "news.change_issuingbody", "news.view_issuingbody",
    "news.delete_issuingbody",
    "taggit.add_tag", "taggit.view_tag",
    "structures.view_structure", "countries.view_country", "news.view_fieldofwork",
]  # fmt: skip
TAXONOMY_EDITING = [
    f"{app}.{action}_{model}"
    for app, model in (
        ("countries", "country"), ("countries", "chairpersonship"), ("structures", "structure"),
        ("structures", "formername"), ("news", "fieldofwork"), ("news", "alias"),
        ("taggit", "tag"),
    )
    for action in ("add", "change", "delete", "view")
]  # fmt: skip
GROUPS = {
    "Editor": NEWS_EDITING,
    "Publisher": [*NEWS_EDITING, PUBLISH],
    "Manager": [*NEWS_EDITING, PUBLISH, EDIT_ALL, *TAXONOMY_EDITING, "news.view_editorprofile",
                "news.change_editorprofile", "news.add_editorprofile"],
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
    also issued by a body the user does not work for is deleted by a manager only."""
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

"""Who may do what with news: editors work for issuing bodies, publishers may publish, managers
(and superusers) see and edit everything. The Django groups are set up by `ensure_groups()`."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef

from structures.models import Structure

from .models import IssuingBody

PUBLISH = "news.publish_newsitem"
EDIT_ALL = "news.edit_all_newsitems"

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
        ("structures", "formername"), ("news", "fieldofwork"), ("taggit", "tag"),
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


def edits_all(user):
    return user.is_active and (user.is_superuser or user.has_perm(EDIT_ALL))


def can_publish(user):
    return user.is_active and (user.is_superuser or user.has_perm(PUBLISH))


def own_structures(user):
    """The structures an editor may issue news in the name of."""
    if edits_all(user):
        return Structure.objects.all()
    return Structure.objects.filter(editors__user=user)


def visible_news(user, queryset):
    """The items of `queryset` this user may see and edit in the back office."""
    if edits_all(user):
        return queryset
    return queryset.filter(
        Exists(IssuingBody.objects.filter(news_item=OuterRef("pk"), structure__editors__user=user))
    )


def may_edit(user, item):
    if item is None or item.pk is None or edits_all(user):
        return True
    return visible_news(user, type(item).objects.filter(pk=item.pk)).exists()

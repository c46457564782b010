"""Language versions in the back office (issue 12, "Editors"): the language column and filters
of the news list, the versions of an item's group on its edit form with the note that its source
changed, and "Add translation", which makes a draft sibling in another language filled in from
the item.

Each language version is an item of its own, with its own status: nothing here publishes,
withdraws or deletes another version. Rights follow the "Issued by" rows, which a translation
copies from its source, so whoever may edit an item may translate it and edit the translation."""

from dataclasses import dataclass, field

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from languages import registry as languages

from .. import images, publishing
from ..models import IssuingBody, NewsItem

# The annotation every news item of the back office carries (NewsItemAdmin.get_queryset).
SOURCE_IS_NEWER = "source_is_newer"


def with_source_changed(queryset):
    return queryset.annotate(**{SOURCE_IS_NEWER: NewsItem.objects.source_changed_condition()})


def source_is_newer(item):
    """The annotation when the item came from the admin's queryset, else the model's property."""
    if hasattr(item, SOURCE_IS_NEWER):
        return getattr(item, SOURCE_IS_NEWER)
    return item.source_changed


class SourceChangedFilter(admin.SimpleListFilter):
    title = gettext_lazy("source changed")
    parameter_name = "source_changed"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("Yes: check against the source"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.source_changed()
        return None


# --- the versions of an item's group, on its edit form ----------------------------------------


@dataclass(frozen=True)
class Sibling:
    """One other language version of the item, as its edit form lists it."""

    item: NewsItem
    language: languages.Language
    url: str | None  # its edit page, when the user may edit it
    source_changed: bool
    is_source: bool  # the item this one was translated from


@dataclass(frozen=True)
class TranslationPanel:
    siblings: list
    source: Sibling | None  # when this item's source changed since it was saved: its row
    add_choices: list = field(default_factory=list)  # [(code, label)] of languages not in the group
    add_url: str | None = None


def language_of(code):
    return languages.get(code) or languages.get(languages.DEFAULT)


def language_choices(taken):
    return [(code, label) for code, label in languages.choices() if code not in taken]


# What the edit form's list of language versions reads of each.
LISTED_FIELDS = ["title", "language", "status", "published_at", "translated_from", "source_version"]


def group_of(item, user):
    """The other items of `item`'s group, each with whether `user` may edit it and whether its
    source changed since it was saved: one query, however many there are."""
    editable = NewsItem.objects.editable_by(user).filter(pk=OuterRef("pk"))
    return list(
        with_source_changed(NewsItem.objects.filter(translation_key=item.translation_key))
        .exclude(pk=item.pk)
        .annotate(may_edit=Exists(editable))
        .only(*LISTED_FIELDS)
        .order_by("language", "pk")
    )


def translation_panel(item, user, *, may_add):
    order = {code: index for index, (code, _label) in enumerate(languages.choices())}
    siblings = [
        Sibling(
            item=sibling,
            language=language_of(sibling.language),
            url=reverse("admin:news_newsitem_change", args=[sibling.pk])
            if sibling.may_edit
            else None,
            source_changed=getattr(sibling, SOURCE_IS_NEWER),
            is_source=sibling.pk == item.translated_from_id,
        )
        for sibling in group_of(item, user)
    ]
    siblings.sort(key=lambda sibling: order.get(sibling.item.language, len(order)))
    source = None
    if item.translated_from_id and source_is_newer(item):
        source = next((s for s in siblings if s.is_source), None)
        if source is None:  # a source outside the group (not made here): read it
            original = item.translated_from
            source = Sibling(original, language_of(original.language), None, False, True)
    taken = {item.language, *(sibling.item.language for sibling in siblings)}
    return TranslationPanel(
        siblings=siblings,
        source=source,
        add_choices=language_choices(taken) if may_add else [],
        add_url=reverse("admin:news_newsitem_translate", args=[item.pk]) if may_add else None,
    )


# --- "Add translation" ----------------------------------------------------------------------


class TranslationRefused(Exception):
    pass


class TranslationForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the translation"),
        help_text=gettext_lazy(
            "A draft in this language is created, filled in from this item (text, photo, "
            "issuing bodies, fields of work, countries and tags), for you to translate."
        ),
    )

    def __init__(self, *args, taken, **kwargs):
        super().__init__(*args, **kwargs)
        self.taken = taken  # {code: item} of the languages the group has
        field = self.fields["language"]
        field.choices = languages.choices()
        # Only the free languages are offered; one taken meanwhile gets its own message.
        field.widget.choices = language_choices(taken)

    def clean_language(self):
        code = self.cleaned_data["language"]
        if code in self.taken:
            raise forms.ValidationError(already_translated(self.taken[code], code))
        return code


def already_translated(sibling, code):
    return _(
        "This item has a %(language)s version already: “%(title)s”. A group has one item per "
        "language; edit that one instead."
    ) % {"language": language_of(code).english_name, "title": sibling.title}


def free_slug(source_slug, code):
    """The source's slug with the language's code, numbered if another item has it."""
    longest = NewsItem._meta.get_field("slug").max_length
    stem = f"{source_slug}-{slugify(code)}"[: longest - 5].rstrip("-")
    taken = set(NewsItem.objects.filter(slug__startswith=stem).values_list("slug", flat=True))
    slug, number = stem, 2
    while slug in taken:
        slug, number = f"{stem}-{number}", number + 1
    return slug


# What a translation starts from: the source's text and photo (the same file).
COPIED_FIELDS = [
    "title", "lead", "body", "type",
    "image", "image_alt", "image_caption", "image_credit", "image_renditions",
]  # fmt: skip


def create_translation(source, code, *, by):
    """A draft of `source` in language `code`, in its group, filled in from it. Run inside a
    transaction: the group's items stay locked until it ends, so two editors cannot both add
    the same language; raises TranslationRefused when the group has that language already."""
    group = NewsItem.objects.filter(translation_key=source.translation_key)
    locked = {item.pk: item for item in group.select_for_update(of=("self",)).order_by("pk")}
    source = locked.get(source.pk)
    if source is None:
        raise TranslationRefused(_("This item no longer exists."))
    # Read again, after the lock: a version added by someone who held it is seen now.
    existing = group.filter(language=code).first()
    if existing is not None:
        raise TranslationRefused(already_translated(existing, code))
    translation = NewsItem(
        language=code,
        translation_key=source.translation_key,
        translated_from=source,
        source_version=source.version,
        slug=free_slug(source.slug, code),
        status=NewsItem.Status.DRAFT,
        published_at=None,
        **{name: getattr(source, name) for name in COPIED_FIELDS},
    )
    publishing.stamp(translation, by=by, version_on_record=None)
    translation.save()
    IssuingBody.objects.bulk_create(
        IssuingBody(news_item=translation, structure_id=body.structure_id, position=body.position)
        for body in source.issuing_bodies.all()
    )
    translation.fields_of_work.set(source.fields_of_work.all())
    translation.countries.set(source.countries.all())
    translation.tags.set(list(source.tags.all()))
    # The photo is the source's file: reachable while an item that is not withdrawn uses it.
    images.sync_photo_files_on_commit(translation, ())
    return translation


class TranslationViews:
    """For NewsItemAdmin, which routes `<id>/translate/` here and whose get_object() finds only
    the items the user may edit (404 for any other)."""

    @admin.display(description=gettext_lazy("language"), ordering="language")
    def language_column(self, obj):
        # As get_language_display() words it, without building the field's choices again for
        # each row (a third of a millisecond a row).
        configured = languages.get(obj.language)
        label = languages.label(configured) if configured else obj.language
        if source_is_newer(obj):
            return format_html("{} · <strong>{}</strong>", label, _("source changed"))
        return label

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            # The change view found the item among those the user may edit, as translate_view
            # does: adding a translation asks for the right to add items besides.
            context["translations"] = translation_panel(
                obj, request.user, may_add=self.has_add_permission(request)
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def translate_view(self, request, object_id):
        """GET: the choice of a language; POST: the draft in that language, then its form."""
        if request.method not in ("GET", "HEAD", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        source = self.get_object(request, unquote(object_id))
        if not self.has_view_permission(request, source):
            raise PermissionDenied
        if not self.has_add_permission(request):
            raise PermissionDenied(
                _("You may not add news items, so you may not add translations.")
            )
        taken = {
            item.language: item
            for item in NewsItem.objects.filter(translation_key=source.translation_key).only(
                "pk", "language", "title"
            )
        }
        if request.method != "POST":
            return self.translation_page(request, source, TranslationForm(taken=taken))
        form = TranslationForm(request.POST, taken=taken)
        if not form.is_valid():
            return self.translation_page(request, source, form, status=400)
        code = form.cleaned_data["language"]
        try:
            with transaction.atomic(), self.create_revision(request):
                translation = create_translation(source, code, by=request.user)
                # Stored with its "Issued by" rows and tags, as the admin's own saves are.
                reversion.add_to_revision(translation)
                self.log_addition(
                    request,
                    translation,
                    _("Added as the %(language)s translation of “%(title)s” (%(source)s).")
                    % {
                        "language": language_of(code).english_name,
                        "title": source.title,
                        "source": language_of(source.language).english_name,
                    },
                )
        except TranslationRefused as refusal:
            form.add_error("language", str(refusal))
            return self.translation_page(request, source, form, status=409)
        except IntegrityError:
            form.add_error(
                None,
                _(
                    "Someone changed this item's language versions at the same time: nothing "
                    "was created. Reload the page and try again."
                ),
            )
            return self.translation_page(request, source, form, status=409)
        self.message_user(
            request,
            _(
                "A %(language)s draft was made from “%(title)s”: translate its title, lead, body "
                "and photo caption, then save."
            )
            % {"language": language_of(code).english_name, "title": source.title},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:news_newsitem_change", args=[translation.pk]))

    def translation_page(self, request, source, form, status=200):
        return TemplateResponse(
            request,
            "admin/news/newsitem/translate.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Add a translation of “%(title)s”") % {"title": source.title},
                "opts": self.opts,
                "source": source,
                "source_language": language_of(source.language),
                "form": form,
            },
            status=status,
        )

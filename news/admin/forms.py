"""Forms of the editorial back office."""

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget
from taggit.models import Tag

from languages import registry as languages

from .. import images, moments, publishing, signing, time_zones
from ..models import IssuingBody, NewsItem, storable_time
from ..permissions import can_publish, edits_all, linkable_events, own_structures
from ..sanitise import clean_body
from .accessible_names import name_cells, name_date_and_time
from .error_summary import REFER_TO_MARKED
from .form_actions import SUBMIT, apply_action, chosen_action

# What the editor's toolbar offers. The body is cleaned again by news/sanitise.py when it is saved,
# whatever arrives: the toolbar is a convenience, not the safeguard.
BODY_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "HorizontalRule": True,
    # The browser's spell-checker stays on (the library turns it off by default).
    "NoSpellCheck": False,
    "HardBreak": True,
    "History": True,
}


class RedisplayedIdsMixin:
    """For a field with an autocomplete widget. Django's widget looks the posted ids up to show
    them again with the form's errors; a value that is no id at all (only a hand-made post sends
    one) raises a ValueError there, a 500. Such values are not shown again: the field's own
    error says what was wrong."""

    def bound_data(self, data, initial):
        data = super().bound_data(data, initial)
        if isinstance(data, list | tuple):
            return [value for value in data if self.is_id(value)]
        return data if data in self.empty_values or self.is_id(data) else None

    def is_id(self, value):
        try:
            self.queryset.model._meta.pk.to_python(value)
        except ValidationError:
            return False
        return True


class CountriesField(RedisplayedIdsMixin, forms.ModelMultipleChoiceField):
    pass


class StructureField(RedisplayedIdsMixin, forms.ModelChoiceField):
    pass


class EventField(RedisplayedIdsMixin, forms.ModelChoiceField):
    pass


class EditCounterMixin:
    """The refusal of concurrent edits, for a model form of a model with a `version` (edit
    counter) and `updated_by`/`updated_at`, with an `edit_version` hidden field and a `request`.
    The form says what was overwritten in `stale_message(who, when)`."""

    def version_on_record(self, locked=None):
        """The item's edit counter as stored before this request. Restoring a revision writes
        the old item back first, so the counter from before that is kept on the request."""
        on_record = getattr(self.request, "news_on_record", None)
        if on_record is not None:
            return on_record.version
        return locked.version if locked is not None else self.instance.version

    def check_version(self):
        """Refuse to overwrite changes someone else saved since this form was opened. The row
        is locked until the admin's transaction ends, so two saves cannot both pass."""
        if not self.instance.pk:
            return
        current = (
            self._meta.model.objects.select_for_update(of=("self",))
            .select_related("updated_by")
            .filter(pk=self.instance.pk)
            .first()
        )
        submitted = self.cleaned_data.get("edit_version")
        if (
            current is not None
            and submitted is not None
            and submitted != self.version_on_record(current)
        ):
            who = current.updated_by or _("another editor")
            when = moments.in_words(current.updated_at)
            raise ValidationError(self.stale_message(who, when), code="stale")


class NewsItemAdminForm(EditCounterMixin, forms.ModelForm):
    body = ProseEditorFormField(
        label=gettext_lazy("Body"),
        required=False,
        config={"extensions": BODY_EXTENSIONS},
        widget=AdminProseEditorWidget,
        help_text=gettext_lazy(
            "Paste from Word or a web page freely: formatting beyond headings, bold, italic, "
            "lists, quotations and links is removed when you save."
        ),
    )
    # A plain file field: the checks of news/images.py give clearer messages than Django's own.
    image = forms.FileField(
        label=gettext_lazy("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=gettext_lazy(
            "JPEG, PNG or WebP, at most %(size)d MB and %(pixels)d megapixels. "
            "Location and camera data are removed when it is saved."
        )
        % {"size": images.MAX_UPLOAD_BYTES // (1024 * 1024), "pixels": images.MAX_PIXELS // 10**6},
    )
    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Shown on the form of a published item (NewsItemAdmin.get_fieldsets); IssuingBodyFormSet
    # asks for it when a change would send a live joint item back for sign-off.
    resign_confirmed = forms.BooleanField(
        label=gettext_lazy("Take it off the site until every co-issuer has signed off again"),
        required=False,
        help_text=gettext_lazy(
            "Needed to change the title, lead, body, photo or issuing bodies of a published "
            "joint item: its co-issuers sign off on the change before it is public again."
        ),
    )

    class Meta:
        model = NewsItem
        fields = [
            "title", "slug", "language", "type", "lead", "body", "status", "published_at",
            "withdrawn_reason", "fields_of_work", "countries", "tags",
            "image", "image_alt", "image_caption", "image_credit", "event",
        ]  # fmt: skip
        field_classes = {"countries": CountriesField, "event": EventField}

    request = None  # set by NewsItemAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edit_version"].initial = self.version_on_record()
        self.checked_image = None
        # The button pressed (form_actions.py): it sets the status, shown as words, not a menu.
        self.action, self.publishes_now = None, False
        if "status" in self.fields:
            self.fields["status"].widget = forms.HiddenInput()
            self.fields["status"].required = False  # a post with a button need not send it
        if "published_at" in self.fields:
            self.fields["published_at"].help_text = " ".join(
                [
                    _("Empty: the moment you press “Publish now”. A time ahead schedules it.")
                    if self.request is not None and can_publish(self.request.user)
                    else _("Empty: the moment a publisher publishes it."),
                    time_zones.zone_hint(),
                ]
            )
        if "status" in self.fields and self.instance.status != NewsItem.Status.AWAITING:
            # An item awaits sign-off by being published (news/signing.py), not by choice.
            self.fields["status"].choices = [
                choice
                for choice in self.fields["status"].choices
                if choice[0] != NewsItem.Status.AWAITING
            ]
        if "published_at" in self.fields:
            name_date_and_time(self.fields["published_at"])
        if "language" in self.fields:
            # A browser always sends it; a post without it keeps the item's language.
            self.fields["language"].required = False
        if "fields_of_work" in self.fields:
            # Topics only: menu sections such as "Field operations" and "Projects" are not fields
            # of work, unless the item has one already (it is kept, not silently dropped).
            field = self.fields["fields_of_work"]
            kept = self.instance.fields_of_work.all() if self.instance.pk else []
            field.queryset = field.queryset.filter(
                Q(is_topical=True) | Q(pk__in=[f.pk for f in kept])
            )
        if "event" in self.fields and self.request is not None:
            # Public events and the user's own: another office's draft is not given away.
            self.fields["event"].queryset = linkable_events(
                self.request.user, self.instance.event_id
            )

    def clean_published_at(self):
        published_at = self.cleaned_data.get("published_at")
        if published_at is not None and not storable_time(published_at):
            raise ValidationError(_("Choose a date between the years 1 and 9999."))
        return published_at

    def clean_language(self):
        """One item per language in a group: another language version has this language?"""
        code = self.cleaned_data.get("language") or self.instance.language
        if self.instance.pk is None or code == self.instance.language:
            return code
        sibling = (
            NewsItem.objects.filter(translation_key=self.instance.translation_key, language=code)
            .exclude(pk=self.instance.pk)
            .only("title")
            .first()
        )
        if sibling is not None:
            raise ValidationError(
                _(
                    "“%(title)s” is this item's %(language)s version already: a group has one "
                    "item per language. Choose another language, or edit that item."
                )
                % {"title": sibling.title, "language": languages.get(code).english_name},
            )
        return code

    def clean_tags(self):
        names = self.cleaned_data.get("tags") or []
        longest = Tag._meta.get_field("name").max_length
        too_long = [name for name in names if len(name) > longest]
        if too_long:
            raise ValidationError(
                _("A tag may be at most %(limit)d characters long: “%(tag)s…”.")
                % {"limit": longest, "tag": too_long[0][:20]}
            )
        return names

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload and hasattr(upload, "content_type"):
            # Fully decoded here, once: a bad file is a form error and nothing is stored, and
            # save_model stores this decoded picture.
            self.checked_image = images.open_checked(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        self.check_version()
        # The publishing checklist needs the "Issued by" rows too: IssuingBodyFormSet runs it,
        # and marks each problem at its field of this form.
        self.instance.edit_form = self
        # A live item's text is public: changing it, unpublishing it, withdrawing it is
        # publishing (the change view shows such an item read-only to editors already).
        status_on_record = getattr(self.instance, "status_on_record", None)
        self.action = chosen_action(self.data)
        if self.action is not None:
            apply_action(self, self.action, status_on_record if self.instance.pk else None)
        elif "status" in self.fields and not cleaned.get("status"):
            cleaned["status"] = self.instance.status  # as stored; a new item is a draft
        refusal = publishing.status_refusal(
            self.request.user, status_on_record if self.instance.pk else None, cleaned.get("status")
        )
        if refusal:
            raise ValidationError(refusal)
        if cleaned.get("status") == NewsItem.Status.PUBLISHED and not cleaned.get("published_at"):
            # Sent without an "issued on" time: a joint item is issued at its last sign-off
            # (news/signing.py settles its status once it is saved); for any other, the
            # checklist asks for the time (IssuingBodyFormSet).
            cleaned["status"] = NewsItem.Status.AWAITING
        return cleaned

    def stale_message(self, who, when):
        return _(
            "%(who)s saved this item at %(when)s, after you opened it. Your changes "
            "were not saved, so that theirs are not lost: copy what you wrote, reload "
            "the page and apply your changes again."
        ) % {"who": who, "when": when}


class IssuingBodyFormSet(forms.BaseInlineFormSet):
    """The ordered "Issued by" rows. The publishing checklist (news/publishing.py) needs them,
    so it runs here, where the item's new values and the rows are both known; a problem of one
    of the item's fields is marked at that field of the edit form."""

    request = None

    def add_fields(self, form, index):
        super().add_fields(form, index)
        name_cells(form)  # the "Delete" box too, which this adds

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        chosen = [
            form.cleaned_data["structure"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        # Rows of the item that the post leaves out (only a tampered form count does) stay as
        # they are, and Django's form checks skip the constraint with the item's own key.
        left_out = IssuingBody.objects.filter(news_item_id=self.instance.pk).exclude(
            pk__in=[form.instance.pk for form in self.forms]
        )
        if len(set(chosen)) != len(chosen) or (
            self.instance.pk and left_out.filter(structure__in=chosen).exists()
        ):
            raise ValidationError(_("Each issuing body may be listed once."))
        problems = []
        user = self.request.user
        if not edits_all(user):
            own = set(own_structures(user))
            removed = [
                form.instance.structure
                for form in self.forms
                if form.cleaned_data.get("DELETE") and form.instance.structure_id
            ]
            if any(structure not in own for structure in removed):
                problems.append(_("Only its own editors may remove a co-issuing body."))
            added = [
                form.cleaned_data["structure"]
                for form in self.forms
                if form.cleaned_data
                and not form.cleaned_data.get("DELETE")
                and "structure" in form.changed_data
            ]
            unsigned = sorted(str(s) for s in added if s not in own and not s.signs_joint_items)
            if unsigned:
                problems.append(
                    _(
                        "%(bodies)s does not sign off joint items: only its own editors or a "
                        "manager may name it."
                    )
                    % {"bodies": ", ".join(unsigned)}
                )
            # A publisher may take their body's name off an item sent for publication, leaving
            # it to the others, who sign off on it again (news/signing.py).
            status_on_record = getattr(self.instance, "status_on_record", None)
            leaves_it_to_others = (
                self.instance.pk is not None
                and status_on_record not in (None, NewsItem.Status.DRAFT)
                and can_publish(user)
                and bool(removed)
                and bool(chosen)
            )
            if not own & set(chosen) and not leaves_it_to_others:
                problems.append(
                    _("Choose at least one of your own bodies under “Issued by”: %s.")
                    % ", ".join(sorted(str(s) for s in own))
                )
        problems += self.checklist(chosen)
        if problems:
            raise ValidationError(problems)
        self.confirm_going_off_the_site(chosen)

    def confirm_going_off_the_site(self, chosen):
        """A change to the signed content of a live joint item sends it back to its other
        bodies for sign-off, off the public site until then (news/signing.py): the publisher
        says so, by ticking "resign_confirmed", rather than learning it after the save."""
        form = getattr(self.instance, "edit_form", None)
        if (
            form is None
            or getattr(self.instance, "status_on_record", None) != NewsItem.Status.PUBLISHED
            or form.cleaned_data.get("status") not in signing.WANTED_PUBLIC
            or form.cleaned_data.get("resign_confirmed")
        ):
            return
        record = NewsItem.objects.get(pk=self.instance.pk)
        on_record = signing.issuers_of(record)
        changed = copy.copy(self.instance)
        changed.body = clean_body(changed.body)
        if signing.signed_content(record, on_record) == signing.signed_content(changed, chosen):
            return
        mine = signing.signing_bodies(self.request.user)
        joint_before = len(on_record) > 1 or record.sign_offs.exists()
        others = [
            str(body)
            for body in signing.bodies_to_sign(chosen, has_been_joint=joint_before)
            if body.pk not in mine
        ]
        if others:
            form.add_error(
                "resign_confirmed",
                _(
                    "This change takes the item off the public site until %(bodies)s sign off "
                    "on it again. Tick the box to go ahead."
                )
                % {"bodies": ", ".join(sorted(others))},
            )
            raise ValidationError(REFER_TO_MARKED)

    def checklist(self, chosen):
        """The publishing checklist of the item as the edit form and these rows would save it:
        a problem of a field of the form is marked there; the others are returned, for here."""
        form = getattr(self.instance, "edit_form", None)
        if form is None:
            return []
        fields_of_work = form.cleaned_data.get("fields_of_work") or []
        asks_others = signing.asks_others(chosen, self.request.user)
        item = self.instance
        if form.publishes_now and not asks_others:
            # "Publish now" of an item of the user's own bodies: issued this moment.
            item.published_at, item.status = timezone.now(), NewsItem.Status.PUBLISHED
        if form.action == SUBMIT:
            # Sent to the publishers: it must be ready to publish but for its time.
            item = copy.copy(item)
            item.status, asks_others = NewsItem.Status.PUBLISHED, True
        here, marked = [], False
        for problem in publishing.problems(
            item,
            issuing_bodies=chosen,
            fields_of_work=fields_of_work,
            asks_others=asks_others,
        ):
            if problem.field in form.fields:
                if problem.field not in form.errors:
                    form.add_error(problem.field, problem.message)
                marked = True
            else:
                here.append(problem.message)
        if marked:
            here.append(REFER_TO_MARKED)
        return here


class IssuingBodyForm(forms.ModelForm):
    class Meta:
        model = IssuingBody
        fields = ["structure", "position"]
        field_classes = {"structure": StructureField}

    request = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any body may be named as a co-issuer: it signs off before the item goes public
        # (news/signing.py); IssuingBodyFormSet refuses a body that does not sign.
        if self.instance.structure_id and not edits_all(self.request.user):
            own = own_structures(self.request.user)
            if not own.filter(pk=self.instance.structure_id).exists():
                # A co-issuer outside the editor's own bodies stays as it is, untouchable.
                self.fields["structure"].disabled = True

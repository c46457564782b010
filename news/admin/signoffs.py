"""Joint items in the back office (the rules are news/signing.py's): the sign-off page of an item
(`<id>/sign-off/`), where a publisher of a co-issuing body, or a manager, reads the item — and
what changed since the body last signed it — and signs off or declines with a reason; each
body's state on the edit form and in the list; the list's filters "Awaiting my sign-off" and
"Awaiting others"; the count on the back office's home page (osceportal/admin_site.py)."""

import difflib
import html
import json
import re

import reversion
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from structures.models import Structure

from .. import moments, signing
from ..models import NewsItem, SignOff

State = SignOff.State

CONTENT_LABELS = {
    "title": gettext_lazy("Title"),
    "lead": gettext_lazy("Lead"),
    "body": gettext_lazy("Body"),
    "image": gettext_lazy("Photo"),
    "image_alt": gettext_lazy("Photo's alt text"),
    "image_caption": gettext_lazy("Photo caption"),
    "image_credit": gettext_lazy("Photo credit"),
    "issued_by": gettext_lazy("Issued by"),
}
BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote)>|<br\s*/?>|<hr\s*/?>", re.IGNORECASE)
TOKEN = re.compile(r"\s+|[^\s]+")


class SignOffFilter(admin.SimpleListFilter):
    title = gettext_lazy("sign-off")
    parameter_name = "sign_off"

    def lookups(self, request, model_admin):
        return [
            ("mine", gettext_lazy("Awaiting my sign-off")),
            ("others", gettext_lazy("Awaiting others")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(pk__in=signing.awaiting(request.user).values("pk"))
        if self.value() == "others":
            return queryset.filter(pk__in=signing.awaiting_others(request.user).values("pk"))
        return None


# --- what changed since a body signed -----------------------------------------------------------


def plain_text(body_html):
    """A body's text, a line per paragraph, for comparing versions in words."""
    return html.unescape(strip_tags(BLOCK_END.sub("\n", body_html))).strip()


def word_diff(old, new):
    """`new` with what `old` had and it has not struck through (<del>) and what it adds marked
    (<ins>), word by word; escaped."""
    before, after = TOKEN.findall(old), TOKEN.findall(new)
    parts = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            parts.append(escape("".join(after[j1:j2])))
            continue
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", "".join(before[i1:i2])))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", "".join(after[j1:j2])))
    return mark_safe("".join(parts))  # each part escaped above


def readable(key, value, names):
    if key == "issued_by":
        return ", ".join(names.get(pk, str(pk)) for pk in value)
    if key == "body":
        return plain_text(value)
    return value


def changes(before, after):
    """[(label, marked-up difference)] of the signed content that differs between two
    `signing.signed_content` records."""
    ids = {*before.get("issued_by", []), *after.get("issued_by", [])}
    names = dict(Structure.objects.filter(pk__in=ids).values_list("pk", "issuing_label"))
    found = []
    for key, label in CONTENT_LABELS.items():
        old = readable(key, before.get(key, ""), names)
        new = readable(key, after.get(key, ""), names)
        if old != new:
            found.append((label, word_diff(old, new)))
    return found


# --- each body's state, in words ----------------------------------------------------------------


def state_in_words(row, signs, item):
    """What the edit form, the list and the sign-off page say of one body."""
    if not signs:
        return _("Does not sign off joint items.")
    if row is None:
        return _("Asked to sign off when the item is published.")
    who = row.decided_by or _("the import")
    if row.state == State.SIGNED and row.current:
        return _("Signed off by %(who)s, %(when)s (%(basis)s).") % {
            "who": who,
            "when": moments.in_words(row.decided_at),
            "basis": row.get_basis_display(),
        }
    if row.state == State.DECLINED:
        return _("Declined by %(who)s, %(when)s: “%(reason)s”") % {
            "who": who,
            "when": moments.in_words(row.decided_at),
            "reason": row.reason,
        }
    earlier = ""
    if row.decided_content is not None:
        earlier = " " + (
            _("It declined an earlier version.")
            if row.reason
            else _("It signed an earlier version.")
        )
    if row.state == State.REQUESTED and item.status == NewsItem.Status.AWAITING:
        return (
            _("Requested by %(who)s, %(when)s.")
            % {
                "who": row.requested_by or _("the import"),
                "when": moments.in_words(row.requested_at),
            }
            + earlier
        )
    return _("Asked again when the item is published.") + earlier


def awaited_bodies(item):
    """The bodies an awaiting item waits for, by name (from prefetched rows when there)."""
    rows = item.sign_offs.all()
    return sorted(str(row.structure) for row in rows if row.state == State.REQUESTED)


def with_requests(request, message):
    """A save's history message, with the sign-offs it asked for (news/signing.py)."""
    asked = getattr(request, "sign_off_asked", None)
    if not asked:
        return message
    if isinstance(message, list):  # Django's structured message, in words
        message = LogEntry(change_message=json.dumps(message)).get_change_message()
    requested = _("Sign-off requested from %(bodies)s.") % {
        "bodies": ", ".join(sorted(str(structure) for structure in asked))
    }
    return f"{message} {requested}".strip()


# --- the views ---------------------------------------------------------------------------------


class SignOffViews:
    """For NewsItemAdmin, which routes `<id>/sign-off/` here and shows the states on its form."""

    def sign_off_context(self, request, item):
        """Each body's state in words, and those the user may decide for, with what changed
        since each last decided; `item` as stored."""
        rows = signing.states(item)
        current = signing.signed_content(item, [structure for structure, _r, _n in rows])
        decidable = []
        for structure, row, signs in rows:
            if (
                signs
                and row is not None
                and item.status == NewsItem.Status.AWAITING
                and row.state == State.REQUESTED
                and signing.sign_refusal(request.user, structure) is None
            ):
                since = changes(row.decided_content, current) if row.decided_content else None
                decidable.append(
                    {
                        "structure": structure,
                        "row": row,
                        "changes": since,
                        "declined_before": bool(row.reason),
                    }
                )
        return {
            "sign_off_rows": [
                {"structure": structure, "words": state_in_words(row, signs, item), "row": row}
                for structure, row, signs in rows
            ],
            "decidable": decidable,
            "sign_off_url": reverse("admin:news_newsitem_sign_off", args=[item.pk]),
            "shows_sign_off": len(rows) > 1 or any(row for _s, row, _n in rows),
        }

    def sign_off_view(self, request, object_id):
        """The item as it stands and what changed since each body the user may decide for
        last signed it; a POST records the decision (news/signing.py)."""
        item = self.get_object(request, unquote(object_id))
        refusal = None
        if request.method == "POST":
            try:
                structure_id = int(request.POST.get("body", ""))
                seen_version = int(request.POST.get("version", ""))
            except ValueError:
                return HttpResponseBadRequest(_("The form was incomplete: reload the page."))
            decision = request.POST.get("decision")
            if decision not in ("sign", "decline"):
                return HttpResponseBadRequest(_("Choose to sign off or to decline."))
            structure = get_object_or_404(Structure, pk=structure_id)
            rights = signing.sign_refusal(request.user, structure)
            if rights:
                raise PermissionDenied(rights)
            refusal = self.decide(request, item, structure, decision, seen_version)
            if refusal is None:
                return HttpResponseRedirect(reverse("admin:news_newsitem_change", args=[item.pk]))
            item = self.get_object(request, unquote(object_id))
        context = {
            **self.admin_site.each_context(request),
            **self.sign_off_context(request, item),
            "title": _("Sign-off of “%(title)s”") % {"title": item.title},
            "item": item,
            "original": item,
            "opts": self.model._meta,
            "refusal": refusal,
            "issuers": format_html_join(
                ", ", "{}", ((s.issuing_label,) for s in signing.issuers_of(item))
            ),
            "body_as_shown": mark_safe(item.body),  # sanitised when saved (news/sanitise.py)
            "preview_url": reverse("admin:news_newsitem_preview", args=[item.pk]),
        }
        return TemplateResponse(
            request,
            "admin/news/newsitem/sign_off.html",
            context,
            status=409 if refusal else 200,
        )

    def decide(self, request, item, structure, decision, seen_version):
        """Record the decision in a revision of its own (the item's history); the refusal, or
        None."""
        if decision == "sign":
            comment = _("Signed off for %(body)s.") % {"body": structure}
        else:
            reason = (request.POST.get("reason") or "").strip()
            comment = _("Declined for %(body)s: %(reason)s") % {"body": structure, "reason": reason}
        if signing.basis_of(request.user, structure) == SignOff.Basis.MANAGER:
            comment += " " + _("(By a manager, for the body.)")
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(comment)
            if decision == "sign":
                refusal = signing.sign(item, structure, by=request.user, seen_version=seen_version)
            else:
                refusal = signing.decline(
                    item, structure, by=request.user, seen_version=seen_version, reason=reason
                )
            if refusal is None:
                reversion.add_to_revision(NewsItem.objects.get(pk=item.pk))
        if refusal is None:
            self.log_change(request, item, comment)
            item.refresh_from_db()
            done = {
                NewsItem.Status.PUBLISHED: _("Signed off. Every body has signed: it is published."),
                NewsItem.Status.AWAITING: _("Signed off. It still awaits: %(bodies)s.")
                % {"bodies": ", ".join(awaited_bodies(item))},
                NewsItem.Status.DRAFT: _("Declined: the item is a draft again, with your reason."),
            }
            if item.is_scheduled:
                done[NewsItem.Status.PUBLISHED] = _(
                    "Signed off. Every body has signed: it goes public on %(when)s."
                ) % {"when": moments.in_words(item.published_at)}
            self.message_user(request, done.get(item.status, comment), messages.SUCCESS)
        return refusal

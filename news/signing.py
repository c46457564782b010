"""Joint issuance: an item issued by several bodies goes public only once each of them has signed
off on it as it stands. Every name under "Issued by" is an institutional commitment, so no
publisher speaks for a body they do not work for. The rules are here, once; the admin's form,
its bulk actions, its history (news/publishing.py calls `settle` after each save) and its
sign-off page (news/admin/signoffs.py) all go through them.

- Which bodies sign (`bodies_to_sign`): on an item naming more than one body (or one that has
  been joint: a body that left it does not leave the others' names unsigned), each body whose
  structure `signs_joint_items` (managers untick it for a body another signs for).
- What a sign-off covers (`signed_content`): the title, lead, body, photo (with its alt text,
  caption and credit) and the list of issuing bodies. A sign-off holds while that content is
  unchanged; any change to it, whoever makes it and through whichever door, leaves it an earlier
  version's: the body is asked again and shown what changed (news/signing_diff.py).
- Who signs (`decision_refusal`): a publisher for the bodies they work for, a manager for any body
  (recorded as such). A publisher who publishes or changes a joint item signs for their own
  bodies by doing so.
- The item's status (`settle`): an item its publishers want public is `published` once every
  body that signs has signed its content as it now stands (its "issued on" time still applies:
  a later time schedules it), and `awaiting` sign-off until then, which is not public anywhere.
  An item sent for sign-off without an "issued on" time is issued when the last body signs.
- Declining (`decline`) returns the item to draft with the reason, for its editors to read.
- An import records the sign-offs as given (`record_imported`): the archive needs no
  re-approval."""

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from structures.models import Structure

from . import moments, sign_off_mail
from .models import IssuingBody, NewsItem, SignOff
from .permissions import can_publish, edits_all

Status = NewsItem.Status
State = SignOff.State

# What a body signs, beside the list of issuing bodies (`signed_content`).
SIGNED_FIELDS = ("title", "lead", "body", "image", "image_alt", "image_caption", "image_credit")
WANTED_PUBLIC = (Status.PUBLISHED, Status.AWAITING)


def issuers_of(item):
    """The item's issuing bodies as stored, in their order."""
    rows = IssuingBody.objects.filter(news_item=item).select_related("structure")
    return [row.structure for row in rows.order_by("position", "pk")]


def signed_content(item, issuers):
    """What a sign-off covers, as stored with it (JSON)."""
    content = {name: str(getattr(item, name) or "") for name in SIGNED_FIELDS}
    content["issued_by"] = [structure.pk for structure in issuers]
    return content


def holds(row, content):
    """Whether a body's sign-off covers the item as it stands."""
    return row is not None and row.state == State.SIGNED and row.decided_content == content


def bodies_to_sign(issuers, *, has_been_joint=False):
    """The bodies whose sign-off an item with these issuers needs."""
    if len(issuers) < 2 and not has_been_joint:
        return []
    return [structure for structure in issuers if structure.signs_joint_items]


def signing_bodies(user):
    """The ids of the bodies whose sign-off `user` gives by publishing: those a publisher works
    for (a manager's own bodies too; for the others, a manager signs on the sign-off page)."""
    if user is None or not can_publish(user):
        return frozenset()
    if not hasattr(user, "signing_body_ids"):
        user.signing_body_ids = frozenset(
            Structure.objects.filter(editors__user=user).values_list("pk", flat=True)
        )
    return user.signing_body_ids


def asks_others(issuers, user):
    """Whether publishing an item with these issuers (structures) would ask a body the user
    does not sign for: then it may be sent without an "issued on" time (issued at the last
    sign-off)."""
    return bool({s.pk for s in bodies_to_sign(issuers)} - signing_bodies(user))


def basis_of(user, structure):
    if structure.pk in signing_bodies(user):
        return SignOff.Basis.PUBLISHER
    return SignOff.Basis.MANAGER


def sign_refusal(user, structure):
    """Why `user` may not sign off or decline for `structure`, or None."""
    if not can_publish(user):
        return _("Only publishers sign off joint items.")
    if structure.pk in signing_bodies(user) or edits_all(user):
        return None
    return _(
        "You do not work for %(body)s: only its publishers or a manager may sign off for it."
    ) % {"body": structure}


# --- after a save: the item's status as its sign-offs have it ----------------------------------


def settle(item, *, by, before=None, stamped_by=None):
    """Run after any save of `item` (the issuing bodies saved too); `before` is its status as
    it was stored. An item its publishers want public (published, or awaiting sign-off) is
    published once every body that signs has signed its content as it now stands, and awaits the
    others until then; they are asked, once. A publisher who saves it (`by`) signs for their own
    bodies; one who takes it back (to draft, or withdrawn) takes back their bodies' sign-offs.
    Returns the structures newly asked. With `stamped_by`, a change of status is stamped as a
    save of that person's (a sign-off's: the status changes, the content does not)."""
    issuers = issuers_of(item)
    rows = {row.structure_id: row for row in SignOff.objects.filter(item=item)}
    issuer_ids = {structure.pk for structure in issuers}
    gone = [pk for pk in rows if pk not in issuer_ids]
    if gone:  # a body whose name was removed has nothing left to sign
        SignOff.objects.filter(item=item, structure__in=gone).delete()
        rows = {pk: row for pk, row in rows.items() if pk in issuer_ids}
    if item.status not in WANTED_PUBLIC:
        if before in WANTED_PUBLIC:
            take_back(item, rows.values(), by=by)
        return []
    needed = bodies_to_sign(issuers, has_been_joint=bool(rows))
    content = signed_content(item, issuers)
    now = timezone.now()
    mine = signing_bodies(by)
    asked = []
    for structure in needed:
        row = rows.get(structure.pk) or SignOff(item=item, structure=structure)
        rows[structure.pk] = row
        if holds(row, content):
            continue
        if structure.pk in mine:
            record_sign_off(row, by=by, basis=SignOff.Basis.PUBLISHER, content=content, at=now)
        elif row.state != State.REQUESTED or row.pk is None:
            row.state, row.requested_at, row.requested_by = State.REQUESTED, now, by
            row.save()
            asked.append(structure)
    outstanding = [s for s in needed if not holds(rows.get(s.pk), content)]
    status = Status.AWAITING if outstanding else Status.PUBLISHED
    changed = []
    if status != item.status:
        item.status = status
        changed.append("status")
    if status == Status.PUBLISHED and item.published_at is None:
        item.published_at = now
        changed.append("published_at")
    if changed:
        if stamped_by is not None:
            item.version += 1
            item.updated_by = stamped_by
            changed += ["version", "updated_by"]
        item.save(update_fields=[*changed, "updated_at"])
    if asked:
        # Their publishers hear of it by email once the request is committed.
        sign_off_mail.tell_publishers_on_commit(item, asked, by)
    return asked


def take_back(item, rows, *, by):
    """A publisher who takes a joint item back (to draft, or withdraws it) declines it for their
    own bodies: published again, it asks them again (a co-issuer who withdrew an item does not
    see it back under its name unasked)."""
    mine = signing_bodies(by)
    if item.status == Status.WITHDRAWN:
        reason = _("Withdrawn: %(reason)s") % {"reason": item.withdrawn_reason}
    else:
        reason = _("Taken back to draft.")
    for row in rows:
        if row.structure_id in mine and row.state == State.SIGNED:
            row.state, row.basis, row.reason = State.DECLINED, SignOff.Basis.PUBLISHER, reason
            row.decided_by, row.decided_at = by, timezone.now()
            row.save()


def record_sign_off(row, *, by, basis, content, at):
    row.state, row.basis, row.decided_content = State.SIGNED, basis, content
    row.decided_by, row.decided_at, row.reason = by, at, ""
    row.save()


# --- the sign-off page's decisions ---------------------------------------------------------------


def decision_refusal(item, structure, user, seen_version):
    """Why `user` may not decide for `structure` on `item` (locked, as stored) now, or None.
    `seen_version` is the edit counter of the item as the user read it: a change since refuses
    the decision, so that nobody signs what they have not seen."""
    if structure.pk not in {s.pk for s in issuers_of(item)}:
        return _("%(body)s does not issue this item.") % {"body": structure}
    refusal = sign_refusal(user, structure)
    if refusal:
        return refusal
    if item.status != Status.AWAITING:
        return _("This item is not awaiting sign-off. Its status: %(status)s.") % {
            "status": item.get_status_display()
        }
    row = SignOff.objects.filter(item=item, structure=structure).first()
    if row is None or row.state != State.REQUESTED:
        return _("%(body)s has no open request for sign-off on this item.") % {"body": structure}
    if seen_version != item.version:
        who = item.updated_by or _("another editor")
        when = moments.in_words(item.updated_at)
        return _(
            "%(who)s changed the item at %(when)s, after you opened it. Nothing was recorded: "
            "read the item as it is now, then decide again."
        ) % {"who": who, "when": when}
    return None


@transaction.atomic
def sign(item, structure, *, by, seen_version):
    """Sign off for `structure` on the item as it stands. Returns the refusal, or None; the
    item is published (or scheduled) when this was the last sign-off it waited for."""
    locked = NewsItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    refusal = decision_refusal(locked, structure, by, seen_version)
    if refusal:
        return refusal
    row = SignOff.objects.get(item=locked, structure=structure)
    content = signed_content(locked, issuers_of(locked))
    record_sign_off(row, by=by, basis=basis_of(by, structure), content=content, at=timezone.now())
    settle(locked, by=None, stamped_by=by)  # no other body is signed for by this
    item.status, item.published_at, item.version = (
        locked.status,
        locked.published_at,
        locked.version,
    )
    return None


@transaction.atomic
def decline(item, structure, *, by, seen_version, reason):
    """Decline for `structure`: the item returns to draft, with the reason for its editors.
    Returns the refusal, or None."""
    reason = (reason or "").strip()
    if not reason:
        return _("Say why you decline: the item's editors read it.")
    locked = NewsItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    refusal = decision_refusal(locked, structure, by, seen_version)
    if refusal:
        return refusal
    row = SignOff.objects.get(item=locked, structure=structure)
    row.state, row.basis, row.reason = State.DECLINED, basis_of(by, structure), reason
    # What it declined: asked again, it is shown what changed since.
    row.decided_content = signed_content(locked, issuers_of(locked))
    row.decided_by, row.decided_at = by, timezone.now()
    row.save()
    locked.status = Status.DRAFT
    locked.version += 1
    locked.updated_by = by
    locked.save(update_fields=["status", "version", "updated_by", "updated_at"])
    item.status, item.version = locked.status, locked.version
    return None


# --- what the back office shows ------------------------------------------------------------------


def states(item):
    """Each issuing body of the item with its sign-off row (None: never asked), in order; the
    row says `current` whether its sign-off covers the item as it stands."""
    issuers = issuers_of(item)
    rows = {
        row.structure_id: row
        for row in SignOff.objects.filter(item=item).select_related("decided_by", "requested_by")
    }
    content = signed_content(item, issuers)
    needed = {s.pk for s in bodies_to_sign(issuers, has_been_joint=bool(rows))}
    shown = []
    for structure in issuers:
        row = rows.get(structure.pk)
        if row is not None:
            row.current = holds(row, content)
        shown.append((structure, row, structure.pk in needed))
    return shown


def awaiting(user):
    """The items awaiting a sign-off `user` gives as a publisher (of the bodies they work for)."""
    return open_requests(user, mine=True)


def awaiting_others(user):
    """The items awaiting the sign-off of a body `user` does not sign for as a publisher."""
    return open_requests(user, mine=False)


def open_requests(user, *, mine):
    requests = SignOff.objects.filter(item=OuterRef("pk"), state=State.REQUESTED)
    bodies = signing_bodies(user)
    requests = (
        requests.filter(structure__in=bodies) if mine else requests.exclude(structure__in=bodies)
    )
    return NewsItem.objects.filter(Exists(requests), status=Status.AWAITING)


# --- imports -------------------------------------------------------------------------------------


def record_imported(items, *, new=False):
    """The sign-offs of imported items as the import gives them, for (item, its issuing bodies
    in order) pairs: a published or withdrawn joint item was signed by each of its bodies
    (recorded as by the import), so the archive needs no re-approval; one awaiting sign-off
    awaits each of them (nobody is emailed); a draft asks nobody. An item imported again has its
    rows written anew; `new` items have none yet."""
    if not new:
        SignOff.objects.filter(item__in=[item for item, _issuers in items]).delete()
    now = timezone.now()
    rows = []
    for item, issuers in items:
        if item.status == Status.DRAFT:
            continue
        if item.status == Status.AWAITING:
            state = {"state": State.REQUESTED, "requested_at": now}
        else:
            state = {
                "state": State.SIGNED,
                "basis": SignOff.Basis.IMPORT,
                "decided_at": now,
                "decided_content": signed_content(item, issuers),
            }
        rows += [
            SignOff(item=item, structure=structure, **state)
            for structure in bodies_to_sign(issuers)
        ]
    SignOff.objects.bulk_create(rows)

"""Old links do not die. A value of a filter that is no longer a choice (a renamed or removed
tag, a country written `Tajikistan`, a field's old slug) is not refused: the filters read it as
an old link's (filters.py: in its slug's form, as an alias's slug standing for its entry, or
else left out) and every view of the listing answers a 301 to the address of what is left, so a
bookmark, a feed reader's subscription or a script keeps working.

The listing says what it changed on the page the visitor lands on. Public pages set no cookie
(they are kept by the page cache, news/pagecache.py), so the notice travels in the address of
the redirect: a `notice` parameter, signed so that nobody can make the site display words of
their own, and deterministic (no time stamp) so that one old link always lands on one address.
That address is a page of its own to the page cache (the listing's key holds its whole query
string, news/page_keys.py), and its canonical, language and pagination links leave the notice
out, so the notice is shown once and never shared further."""

from urllib.parse import parse_qsl

from django.core import signing
from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext as _

NOTICE = "notice"  # the GET parameter
SALT = "news.listing.notices"
MAX_SHOWN_LENGTH = 60  # of a value given, in the notice and its address
MAX_NOTICES = 10  # changes told, so that the address stays short (20 values a facet at most)


def changes_of(filterset):
    """[(parameter, value given, value read or "" when left out)] of a valid filterset, in the
    order of its filters (the first MAX_NOTICES)."""
    changes = filterset.form.changes
    return [
        (name, Truncator(given).chars(MAX_SHOWN_LENGTH), new or "")
        for name in filterset.filters
        for given, new in changes.get(name, ())
    ][:MAX_NOTICES]


def signed(changes):
    changes = [list(change) for change in changes]
    return signing.Signer(salt=SALT).sign_object(changes, compress=True)


def unsigned(value):
    """The changes a `notice` parameter carries, or None when it is not one the site signed."""
    if not value:
        return None
    try:
        changes = signing.Signer(salt=SALT).unsign_object(value)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(changes, list) or not all(
        isinstance(change, list) and len(change) == 3 and all(isinstance(v, str) for v in change)
        for change in changes
    ):
        return None
    return [tuple(change) for change in changes]


def notices(changes, filterset, active_filters):
    """What the listing tells the visitor of `changes`, one sentence each, with the labels of
    the filters now active (`active_filters`, the listing's summary.active_filters)."""
    labels = {(active.name, active.value): active.label for active in active_filters}
    sentences = []
    for name, given, new in changes:
        filter_ = filterset.filters.get(name)
        if filter_ is None:
            continue
        words = {"filter": filter_.label, "value": given}
        if new and (name, new) in labels:
            words["label"] = labels[(name, new)]
            sentences.append(_("%(filter)s: “%(value)s” is now “%(label)s”.") % words)
        elif not new:
            sentences.append(
                _("%(filter)s: “%(value)s” is not a choice any more, so it was left out.") % words
            )
    return sentences


def with_notice(query, changes):
    """`query` (canonical) with the notice of `changes`, if any."""
    if not changes:
        return query
    notice = urlencode([(NOTICE, signed(changes))])
    return f"{query}&{notice}" if query else notice


def moved(request, filterset, query):
    """The 301 to the address of what is left of the filters (`query`, the view's canonical
    query), when the filterset changed a value given; None otherwise. For the feeds and the
    exports, which show no notice: their readers are programs."""
    if not filterset.form.changes:
        return None
    return HttpResponsePermanentRedirect(f"{request.path}?{query}" if query else request.path)


def listing_redirect(request, filterset, canonical, past_the_end=False):
    """(the redirect to a listing's canonical address `canonical`, with the notice of what was
    changed in the filters given, or None at that address; the changes the address's own notice
    tells, where it is one the site made). A page past the end is a 302 to the last page: that
    page may exist tomorrow, when more has come, and a permanent redirect would be kept."""
    changes = changes_of(filterset)
    told = ()
    asked = parse_qsl(request.META.get("QUERY_STRING", ""))
    if not changes:
        notice = [value for name, value in asked if name == NOTICE]
        changes = unsigned(notice[-1]) if len(notice) == 1 else None
        told = changes or ()
    query = with_notice(canonical, changes)
    if parse_qsl(query) == asked:
        return None, told
    address = f"{request.path}?{query}" if query else request.path
    if past_the_end:
        return HttpResponseRedirect(address), told
    return HttpResponsePermanentRedirect(address), told

"""The back office as the people who use it find it (issue 18): three people of the bench
database, the pages they use all day, and how long each takes, through Django's test client in
one process with production settings (DEBUG off). `make bench` reports these at its 100,000
items (bench/run.py), `make bench-desk` uses the same people at a million (bench/desk_plans.py),
`make bench-signoff` the warm pages.

Runs inside Django only (`python -m bench.in_django bench.back_office:report`).

The people, made once in a bench database and kept (bench/README.md, "Back office"):
- an editor of the Programme Office in Dushanbe (one field office);
- a publisher of the Secretariat (the busiest body);
- a manager, who edits the news of every body.
Each is given a desk's worth of work when made: drafts they created or saved last, joint items
of their bodies awaiting sign-off, and translations whose source was saved since."""

import json
import statistics
import sys
import time

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Count, F
from django.test import Client
from django.utils import timezone

from news.models import EditorProfile, FieldOfWork, IssuingBody, NewsItem, SignOff
from news.permissions import ensure_groups
from structures.models import Structure

from .processes import PROXY_HEADERS

Status = NewsItem.Status
# who: (user name, group, the bodies they work for)
PEOPLE = {
    "editor": ("bench-editor", "Editor", ["programme-office-in-dushanbe"]),
    "publisher": ("bench-publisher", "Publisher", ["secretariat"]),
    "manager": ("bench-manager", "Manager", []),
}
OWN_DRAFTS, SAVED_DRAFTS, AWAITING, SOURCES_CHANGED = 25, 5, 20, 10

CHANGELIST = "/admin/news/newsitem/"
CHECKLIST = f"{CHANGELIST}checklist/"
AUTOCOMPLETE = "/admin/autocomplete/?app_label=news&"
# (what, address, target ms): the pages of issue 18, part 6.
PAGES = [
    ("desk", "/admin/", None),
    ("news list", CHANGELIST, 150),
    ("news list, scheduled", f"{CHANGELIST}?status=scheduled", 150),
    ("news list, search 'border'", f"{CHANGELIST}?q=border", 150),
    ("add form", f"{CHANGELIST}add/", 150),
    (
        "autocomplete, issuing body 'dush'",
        f"{AUTOCOMPLETE}model_name=issuingbody&field_name=structure&term=dush",
        50,
    ),
    (
        "autocomplete, country 'taj'",
        f"{AUTOCOMPLETE}model_name=newsitem&field_name=countries&term=taj",
        50,
    ),
    ("tag suggestions 'bor'", f"{CHANGELIST}tag-suggestions/?q=bor", 50),
]
# The cold sets: addresses each asked once, as a person going through their work asks them.
SEARCH_WORDS = [
    "election", "media", "police", "border", "water", "women", "youth", "training", "cyber",
    "journalists", "corruption", "migration", "tolerance", "minorities", "freedom", "rights",
    "court", "customs", "trafficking", "environment", "energy", "observers", "parliament",
    "schools", "roundtable", "elections",
]  # fmt: skip
TERMS = ("sec", "bis", "ash", "kyi", "bel", "pri", "sko", "odi", "vie", "hig", "rep", "par")


def summary(values):
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "median": round(statistics.median(ordered), 1),
        "p95": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1),
        "max": round(ordered[-1], 1),
    }


def site_client(**options):
    """A client as the server is asked through the TLS proxy (DEBUG is off: the test client's
    own host, "testserver", is not allowed)."""
    proxy = {f"HTTP_{name.upper().replace('-', '_')}": v for name, v in PROXY_HEADERS.items()}
    return Client(HTTP_HOST="127.0.0.1", **proxy, **options)


def get_ms(client, url):
    """Milliseconds of one GET, which must answer 200."""
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def post_ms(client, url, data):
    """Milliseconds of one POST, which must answer 200."""
    started = time.perf_counter()
    response = client.post(url, data)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def checklist_post(user):
    """The add form as an editor of the person's first body fills it, for the live checklist
    (news/admin/publish_views.py), which answers what would stop it from being published."""
    body = user.editor_profile.structures.first() or Structure.objects.get(slug="secretariat")
    return {
        "title": "Border officers trained",
        "slug": "bench-checklist",
        "lead": "Officers were trained.",
        "body": "<p>Text.</p>",
        "type": "news",
        "fields_of_work": [FieldOfWork.objects.filter(is_topical=True).first().pk],
        "issuing_bodies-TOTAL_FORMS": "1",
        "issuing_bodies-INITIAL_FORMS": "0",
        "issuing_bodies-0-structure": body.pk,
        "issuing_bodies-0-position": "0",
    }


def warm_ms(client, url, repeat=5):
    """As someone who uses the page all day finds it: asked once first, then `repeat` times."""
    get_ms(client, url)
    return [get_ms(client, url) for _ in range(repeat)]


def warm_pages(client, people, pages, repeat=5):
    """{"what, who": median ms} of each page for each person ({who: user})."""
    found = {}
    for who, user in people.items():
        client.force_login(user)
        for what, url in pages:
            found[f"{what}, {who}"] = round(statistics.median(warm_ms(client, url, repeat)), 1)
    return found


# --- the people ----------------------------------------------------------------------------------


def bench_people():
    """{who: user} of PEOPLE, made (and given their work) the first time."""
    ensure_groups()
    found = {}
    for who, (name, group, slugs) in PEOPLE.items():
        user = User.objects.filter(username=name).first()
        if user is None:
            with transaction.atomic():
                user = User.objects.create_user(name, email=f"{name}@example.org", is_staff=True)
                user.groups.set([Group.objects.get(name=group)])
                bodies = list(Structure.objects.filter(slug__in=slugs))
                EditorProfile.objects.create(user=user).structures.set(bodies)
                give_work(user, bodies)
        found[who] = user
    return found


def give_work(user, bodies):
    """Drafts the user created or saved last, joint items of their bodies awaiting sign-off
    from each issuer, and translations of their bodies whose source was saved since: items of
    the generated archive, the newest first (of every body for a person of none)."""
    items = NewsItem.objects.issued_by(*bodies) if bodies else NewsItem.objects.all()
    drafts = list(
        items.filter(status=Status.DRAFT, created_by=None, updated_by=None)
        .order_by("-pk")
        .values_list("pk", flat=True)[: OWN_DRAFTS + SAVED_DRAFTS]
    )
    NewsItem.objects.filter(pk__in=drafts[:OWN_DRAFTS]).update(created_by=user)
    NewsItem.objects.filter(pk__in=drafts[OWN_DRAFTS:]).update(updated_by=user)
    joint = list(
        items.filter(status=Status.DRAFT)
        .exclude(pk__in=drafts)
        .annotate(issuers=Count("issuing_bodies"))
        .filter(issuers__gt=1)
        .order_by("-pk")
        .values_list("pk", flat=True)[:AWAITING]
    )
    now = timezone.now()
    SignOff.objects.bulk_create(
        SignOff(item_id=row.news_item_id, structure_id=row.structure_id,
                state=SignOff.State.REQUESTED, requested_at=now)
        for row in IssuingBody.objects.filter(news_item__in=joint)
    )  # fmt: skip
    NewsItem.objects.filter(pk__in=joint).update(status=Status.AWAITING)
    sources = list(
        items.filter(translated_from__isnull=False)
        .order_by("-pk")
        .values_list("translated_from", flat=True)[:SOURCES_CHANGED]
    )
    NewsItem.objects.filter(pk__in=sources).update(version=F("version") + 1)


# --- the figures of `make bench` -----------------------------------------------------------------


def editable_ids(user, count):
    """Ids of `count` items the user may open, spread over their whole archive."""
    ids = list(NewsItem.objects.editable_by(user).order_by("pk").values_list("pk", flat=True))
    step = max(1, len(ids) // count)
    return ids[::step][:count]


def cold_sets(user, per_set):
    """{what: [address, …]}: each address asked once."""
    return {
        "change form": [f"{CHANGELIST}{pk}/change/" for pk in editable_ids(user, per_set)],
        "news list, search": [f"{CHANGELIST}?q={word}" for word in SEARCH_WORDS[:per_set]],
        "autocomplete, issuing body": [
            f"{AUTOCOMPLETE}model_name=issuingbody&field_name=structure&term={term}"
            for term in TERMS[:per_set]
        ],
    }


def row(who, what, kind, times, target):
    figures = summary(times)
    verdict = "" if target is None else ("ok" if figures["median"] <= target else "MISS")
    return {"who": who, "page": what, "pass": kind, **figures, "target": target, "ok": verdict}


def figures(per_set=40, repeat=10):
    """Rows for each person: every page of PAGES warm (asked once, then `repeat` times), then
    the cold sets."""
    client = site_client()
    rows = []
    for who, user in bench_people().items():
        client.force_login(user)
        for what, url, target in PAGES:
            rows.append(row(who, what, "warm", warm_ms(client, url, repeat), target))
        data = checklist_post(user)
        times = [post_ms(client, CHECKLIST, data) for _ in range(repeat + 1)][1:]
        rows.append(row(who, "live checklist of the add form", "warm", times, 150))
        for what, urls in cold_sets(user, per_set).items():
            target = 50 if what.startswith("autocomplete") else 150
            rows.append(row(who, what, "cold", [get_ms(client, url) for url in urls], target))
    return rows


def report(arguments):
    """Entry point: one JSON document of the rows on standard output."""
    per_set = int(arguments[0]) if arguments else 40
    json.dump(figures(per_set), sys.stdout)
    sys.stdout.write("\n")

"""The header menus of every public page, as on the organisation's own site: Fields of work,
Meetings and conferences, Countries, Structures and institutions.

They are built from the taxonomy as plain dicts and lists. The key holds the year, because the
Chairpersonship shown in the Countries menu changes with it.

On PostgreSQL each process keeps the menus it built under the taxonomy's version
(news/taxonomy_cache.py): a counter PostgreSQL's triggers raise in any transaction that changes
what the menus name, raw SQL included. A page reads the version with its links anyway, so its
menus cost no round trip while the version stands (one statement on a page that reads no links).
The menus are built from the primary, which the version is read from.

Elsewhere (SQLite, inside a transaction) they are cached in Django's cache, stored with the page
cache's generation and read with it, as pages are (news/pagecache.py): any change to the taxonomy
renews the generation, so one invalidation serves pages, facet counts and menus alike, retried
when it fails. Changes that bypass model signals (`QuerySet.update()`, raw SQL) are picked up
there when the entry times out."""

import unicodedata
import uuid

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from countries.models import Chairpersonship, Country, group_countries
from languages import registry as languages
from structures.models import SINGLE_BODY_KINDS, Structure, group_structures

from . import pagecache, taxonomy_cache
from .models import FieldOfWork, MeetingSeries
from .replicas.routing import reading

CACHE_TIMEOUT = 60 * 60  # a safety net only: every change made through the models renews it
KEY_VERSION = 4  # bump when the shape of the menu data changes


def cache_key(year=None):
    year = year or timezone.localdate().year
    # Per content language (its addresses) and the language of its words (its names).
    return f"menus:v{KEY_VERSION}:{languages.current().code}:{get_language() or 'en'}:{year}"


# {cache key: (the taxonomy's version, the menus built under it)}, in this process.
_built = {}


def get_menus():
    """The menu data for this year: on PostgreSQL, the process's own while the taxonomy's
    version stands; elsewhere from the cache when stored under the current generation, or
    built (and cached) otherwise. While the cache cannot be trusted, built and not kept."""
    key = cache_key()
    version = taxonomy_cache.current_version()
    if version is not None:
        kept = _built.get(key)
        if kept is not None and kept[0] == version:
            return kept[1]
        with reading(None):  # from the primary, as the version
            menus = build_menus()
        _built[key] = (version, menus)
        return menus
    current = pagecache.state(key)
    if current is not None and current[3] is not None:
        return current[3]["menus"]
    menus = build_menus()
    if current is not None:
        cache.set(key, {"generation": current[0], "menus": menus}, CACHE_TIMEOUT)
    return menus


# Russian dictionaries sort "ё" (io) as the plain Cyrillic ie; the name itself breaks a tie.
CYRILLIC_IO = str.maketrans("\N{CYRILLIC SMALL LETTER IO}", "\N{CYRILLIC SMALL LETTER IE}")


def collation_key(name):
    """A name as an index in the page's language sorts it, near enough without a collation
    library: case and Latin accents ignored ("Émirats" among the Es, "Österreich" among the
    Os; Python's own order puts them after the Zs), Cyrillic letters kept as they are ("й"
    after "и")."""
    letters = []
    for char in name.casefold().translate(CYRILLIC_IO):
        base = unicodedata.normalize("NFD", char)[0]
        if not unicodedata.combining(base):
            letters.append(base if base.isascii() else char)
    return "".join(letters), name


def by_local_name(records):
    """Records with a `local_name`, as the page's language sorts them: the organisation's own
    order in English (`position`), alphabetical by their name in any other language."""
    if (get_language() or "en").split("-")[0] == languages.DEFAULT:
        return list(records)
    return sorted(records, key=lambda record: collation_key(record.local_name))


def link(obj, name=None, **extra):
    return {"name": str(name or obj.local_name), "url": obj.get_absolute_url(), **extra}


def build_menus():
    return {
        "fields_of_work": fields_of_work_menu(),
        "countries": countries_menu(),
        "structures": structures_menu(),
        "meetings": meetings_menu(),
        # Names this build: the rendered menu HTML is cached under it (includes/main_menu.html).
        "version": uuid.uuid4().hex,
    }


def field_tree(fields):
    """[(field, [its sub-topics]), …] for the top-level fields among `fields`, in their order,
    from the one list: a sub-topic whose parent is not among them is left out with it. One
    level, as FieldOfWork.clean keeps it."""
    fields = list(fields)
    subtopics = {}
    for field in fields:
        if field.parent_id is not None:
            subtopics.setdefault(field.parent_id, []).append(field)
    return [(field, subtopics.get(field.pk, [])) for field in fields if field.parent_id is None]


def fields_of_work_menu():
    """The topical fields, each with its sub-topics; what an import added stays out until an
    editor has reviewed it (its page works meanwhile)."""
    fields = FieldOfWork.objects.filter(is_topical=True, needs_review=False)
    return [
        link(field, subtopics=[link(subtopic) for subtopic in subtopics])
        for field, subtopics in field_tree(fields)
    ]


def countries_menu():
    """Participating States (the current Chairpersonship marked in its place), then the Asian
    and the Mediterranean Partners for Co-operation."""
    chair = Chairpersonship.objects.current()
    chair_id = chair.country_id if chair and chair.country_id else None
    countries = Country.objects.exclude(status=Country.Status.OTHER).only(
        "name", "translations", "slug", "status"
    )
    return [
        {
            "heading": str(heading),  # in the language of the build: the key names it
            "slug": status.replace("_", "-"),
            "items": [
                link(country, chair.label, is_chair=True)
                if country.pk == chair_id
                else link(country)
                for country in by_local_name(members)
            ],
        }
        for status, heading, members in group_countries(countries)
        if members
    ]


def structures_menu():
    """One entry a group: a heading that links to the body itself (Secretariat, Parliamentary
    Assembly…) or to the group's section of the structures index, and the members below it. The
    closed bodies (the closed field activities, a long historical list, and the Minsk Group)
    are left to the index as on the organisation's site, their headings linking there; what an
    import added waits for an editor's review."""
    index_url = reverse("structures:list")
    structures = Structure.objects.filter(needs_review=False).only(
        "name", "translations", "slug", "kind", "position", "closed_year"
    )
    menu = []
    for anchor, heading, members in group_structures(structures):
        head = members[0]
        if head.kind in SINGLE_BODY_KINDS:
            entry = {
                "heading": head.local_name,
                "url": head.get_absolute_url(),
                "items": members[1:],
            }
        else:
            entry = {"heading": heading, "url": f"{index_url}#{anchor}", "items": members}
        entry["items"] = [link(structure) for structure in entry["items"] if structure.is_open]
        menu.append(entry)
    return menu


def meetings_menu():
    """The meeting series in the menu's order, then the Partnerships (the structures index's
    section of the Asian and Mediterranean Partners for Co-operation)."""
    series = MeetingSeries.objects.only("name", "translations", "slug", "position")
    return {
        "series": [link(each) for each in series],
        "partnerships_url": f"{reverse('structures:list')}#partnerships",
    }

"""The links every listing row and article shows (issuing bodies, with the name each had on the
item's day, fields of work, countries, tags), read for a whole page in one statement, with the
taxonomy records they point to kept in the process.

Django's prefetching reads them in four queries a page (five with the former names), each
building the same few dozen taxonomy records again. Here the page's link rows come in one
statement, together with the taxonomy's version: a counter PostgreSQL's triggers raise inside
any transaction that changes a field of work, country, structure or former name
(news/migrations/0016_taxonomy_version.py), or a tag (0019). While the version is the one the
process read the records under, they are used as they are; otherwise they are read again first.
So the records a page shows are never older than the link rows it reads.

The records are shared by every request of the process: they are read, never changed, by the
pages. Inside a transaction (which may yet be rolled back), and on SQLite, the links are
prefetched as Django does.

The version a request has read is kept for the rest of it (`current_version`): what else the page
shows of the taxonomy (its header menus, news/menus.py) is kept by the process under the same
version, and needs no round trip of its own. The records are read from the primary, which is never
behind the version a page reads: a page read from a replica reads its version there, with its
items, and a replica's records kept under the primary's version could be older than it. While a
replica is behind a change to the taxonomy, the two versions alternate and the records are read
again for each: seconds at most, and only after such a change."""

import threading
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import BigIntegerField, JSONField, Prefetch, prefetch_related_objects
from django.db.models.expressions import RawSQL

from structures import prefetch

from .links import LINKS

RELATIONS = {"issued_by": "issuing_bodies", "field": "fields_of_work", "country": "countries",
             "tag": "tags"}  # fmt: skip


@dataclass
class Taxonomy:
    version: int
    fields: dict
    countries: dict
    structures: dict
    derived: dict = field(default_factory=dict)  # what others work out from it, kept with it


def related(model, kind):
    """The model of the values of facet `kind` (news/links.py) of the items `model`; and of
    the link rows, for the issuing bodies and tags (whose values hang from them)."""
    link = LINKS[kind].model(model)
    if kind in ("issued_by", "tag"):
        return link._meta.get_field(LINKS[kind].value).related_model, link
    return model._meta.get_field(LINKS[kind].relation).related_model, link


def read_taxonomy(model, version):
    """Every field, country and structure (with its former names), in their models' order."""
    fields, countries = related(model, "field")[0], related(model, "country")[0]
    structures = related(model, "issued_by")[0].objects.using(DEFAULT_DB_ALIAS)
    return Taxonomy(
        version=version,
        fields={each.pk: each for each in fields.objects.using(DEFAULT_DB_ALIAS)},
        countries={country.pk: country for country in countries.objects.using(DEFAULT_DB_ALIAS)},
        structures={each.pk: each for each in structures.prefetch_related("former_names")},
    )


_taxonomy = None
_lock = threading.Lock()


def taxonomy(model, version):
    """The records of `version`, which this request has just read (with its links, or the
    listing index with the change feed)."""
    global _taxonomy
    seen(version)
    with _lock:
        if _taxonomy is None or _taxonomy.version != version:
            _taxonomy = read_taxonomy(model, version)
        return _taxonomy


def usable():
    return connection.vendor == "postgresql" and not connection.in_atomic_block


# The version read by the request being answered ({"version": …} once read); None outside
# requests (set and cleared by the request signals, news/apps.py).
_request = ContextVar("taxonomy_version_of_request", default=None)


def start_request(**kwargs):
    _request.set({})


def end_request(**kwargs):
    _request.set(None)


def seen(version):
    """This request reads the taxonomy of `version`: the first version it read stays its own."""
    request = _request.get()
    if request is not None:
        request.setdefault("version", version)


def current_version():
    """The taxonomy's version as this request reads it: the one it read with its links, else
    read now (and kept for the rest of the request). None where the process keeps nothing of
    the taxonomy (SQLite, inside a transaction)."""
    if not usable():
        return None
    request = _request.get()
    if request and "version" in request:
        return request["version"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM news_taxonomyversion")
        version = cursor.fetchone()[0]
    seen(version)
    return version


def tags(model, version):
    """{id: tag} of every tag of the items `model`, in the order PostgreSQL sorts their names,
    kept with the taxonomy of `version` (its triggers count changes to the tags too: news/
    migrations/0019_tags_in_taxonomy_version.py). Read on first use: most pages need none."""
    current = taxonomy(model, version)
    found = current.derived.get("tags")
    if found is None:
        tag_model = related(model, "tag")[0].objects.using(DEFAULT_DB_ALIAS)
        found = current.derived["tags"] = {tag.pk: tag for tag in tag_model.order_by("name")}
    return found


def tag_order(model, version):
    """{tag id: its place in the order of the tags' names}, as `tags` reads them."""
    current = taxonomy(model, version)
    found = current.derived.get("tag order")
    if found is None:
        places = {pk: place for place, pk in enumerate(tags(model, version))}
        found = current.derived["tag order"] = places
    return found


# The records of the taxonomy by kind of link, as `Taxonomy` holds them.
RECORDS = {"field": "fields", "country": "countries", "issued_by": "structures"}


def by_slug(model, values_model):
    """{slug: record} of the fields, countries or structures (`values_model`) of the items
    `model`, in their model's order, at the version this request reads: what
    `values_model.objects.all()` gives, without a query of its own. None where the process
    keeps no taxonomy, or for another model."""
    kind = next((kind for kind in RECORDS if related(model, kind)[0] is values_model), None)
    version = current_version() if kind else None
    if version is None:
        return None
    current = taxonomy(model, version)
    key = ("by slug", kind)
    found = current.derived.get(key)
    if found is None:
        records = getattr(current, RECORDS[kind]).values()
        found = current.derived[key] = {record.slug: record for record in records}
    return found


def prefetch_lookups(model, kinds):
    lookups = []
    for kind in kinds:
        if kind == "issued_by":
            bodies = related(model, kind)[1].objects.select_related("structure")
            bodies = bodies.prefetch_related("structure__former_names")
            lookups.append(Prefetch("issuing_bodies", queryset=bodies))
        else:
            lookups.append(RELATIONS[kind])
    return lookups


def attach_links(model, items, kinds):
    """Fill the prefetch caches of `items` for the links `kinds` (facet names of news/links.py):
    what `prefetch_related` would, in one statement where the taxonomy is current in the
    process."""
    items = [item for item in items if isinstance(item, model)]
    if not items:
        return
    if not usable():
        prefetch_related_objects(items, *prefetch_lookups(model, kinds))
        return
    version, rows = read_links(model, [item.pk for item in items], kinds)
    keep_links(model, items, kinds, version, rows)


def keep_links(model, items, kinds, version, rows):
    """Fill the prefetch caches of `items` from the link rows `rows` read at `version`."""
    current = taxonomy(model, version)
    found = {item.pk: {kind: [] for kind in kinds} for item in items}
    for row in rows:
        found[row.item][row.kind].append(row)
    for item in items:
        for kind in kinds:
            records = records_of(model, kind, item, found[item.pk][kind], current)
            # As Django's prefetch leaves it; the queryset is made only if a manager asks.
            prefetch.keep(item, RELATIONS[kind], records)


class LinkRow(NamedTuple):
    kind: str
    item: int
    value: int
    position: int  # of an issuing body
    link: int  # the link row's id: the order of bodies of equal position, and of tags
    name: str | None  # of a tag
    slug: str | None  # of a tag


def records_of(model, kind, item, rows, current):
    """The records `item.<relation>.all()` gives, in the order Django's prefetch gives them."""
    values, links = related(model, kind)
    if kind == "issued_by":
        bodies = []
        for row in sorted(rows, key=lambda row: (row.position, row.link)):
            body = links(id=row.link, news_item_id=item.pk, structure_id=row.value,
                               position=row.position)  # fmt: skip
            body.structure = current.structures[row.value]
            bodies.append(body)
        return bodies
    if kind == "tag":
        # The tags the process keeps at this version; one deleted since is made from its row.
        kept = tags(model, current.version)
        return [kept.get(row.value) or values(id=row.value, name=row.name, slug=row.slug)
                for row in sorted(rows, key=lambda row: row.link)]  # fmt: skip
    records = current.fields if kind == "field" else current.countries
    order = model_order(current, kind)
    return [records[row.value] for row in sorted(rows, key=lambda row: order[row.value])]


def model_order(current, kind):
    """{pk: rank} of the fields or countries in their model's order: worked out once a version,
    not once an item."""
    key = ("model order", kind)
    order = current.derived.get(key)
    if order is None:
        records = current.fields if kind == "field" else current.countries
        order = current.derived[key] = {pk: rank for rank, pk in enumerate(records)}
    return order


VERSION = "SELECT version FROM news_taxonomyversion"


def link_parts(model, kinds, items):
    """One SELECT of LinkRow's columns for each kind of link, of the items whose id is
    `items` (an SQL expression)."""
    qn = connection.ops.quote_name
    parts = []
    for kind in kinds:
        table, item, value = (qn(part) for part in LINKS[kind].columns(model))
        position = "link.position" if kind == "issued_by" else "0"
        tag, name, slug = "", "NULL", "NULL"
        if kind == "tag":
            tags = related(model, kind)[0]._meta.db_table
            tag = f"JOIN {qn(tags)} AS tag ON tag.id = link.{value}"
            name, slug = "tag.name", "tag.slug"
        parts.append(
            f"SELECT '{kind}' AS kind, link.{item} AS item, link.{value} AS value, "
            f"{position} AS position, link.id AS link, {name} AS name, {slug} AS slug "
            f"FROM {table} AS link {tag} WHERE link.{item} {items}"
        )
    return parts


def read_links(model, ids, kinds):
    """(the taxonomy's version, [LinkRow]) for the items `ids`."""
    parts = ["SELECT 'version', 0, version, 0, 0, NULL, NULL FROM news_taxonomyversion"]
    parts += link_parts(model, kinds, "= ANY(%s)")
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), [ids] * len(kinds))
        rows = [LinkRow(*row) for row in cursor.fetchall()]
    version = next(row.value for row in rows if row.kind == "version")
    return version, [row for row in rows if row.kind != "version"]


# The columns the items' own statement gives them (`select_links`).
LINKS_COLUMN, VERSION_COLUMN = "taxonomy_links", "taxonomy_version"


def select_links(query, model, kinds):
    """Add to `query` (of `model`'s items) two columns: each item's link rows (as a JSON array
    of LinkRows), and the taxonomy's version, read in the same snapshot. PostgreSQL looks
    each item's links up in the link tables' indexes, as `read_links` does for a page."""
    qn = connection.ops.quote_name
    own_id = f"{qn(query.get_initial_alias())}.{qn(model._meta.pk.column)}"
    rows = " UNION ALL ".join(link_parts(model, kinds, f"= {own_id}"))
    links = (
        "SELECT jsonb_agg(jsonb_build_array(kind, item, value, position, link, name, slug)) "
        f"FROM ({rows}) AS links"
    )
    query.add_annotation(RawSQL(links, (), output_field=JSONField()), LINKS_COLUMN)
    query.add_annotation(RawSQL(VERSION, (), output_field=BigIntegerField()), VERSION_COLUMN)


def attach_selected_links(model, items, kinds):
    """`attach_links` for items read with `select_links`' columns, which are taken off them."""
    if not items:
        return
    rows, version = [], None
    for item in items:
        version = item.__dict__.pop(VERSION_COLUMN)
        rows += [LinkRow(*row) for row in item.__dict__.pop(LINKS_COLUMN) or ()]
    keep_links(model, items, kinds, version, rows)

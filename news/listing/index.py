"""The listing's index, kept in each app server process: for every facet value the set of items
linked to it, as a compressed bitmap of item ids (Roaring, `pyroaring`), the published items in
the order the listing shows them, and what a page in each language leaves out. A facet count
is then the size of an intersection (microseconds), where SQL joined thousands of link rows for
every option of every facet on every new combination of filters.

It is a cache: the database stays the one source of truth.
- It is built from the database the first time a process needs it (`ListingIndex.build`).
- Every use first reads the change feed (news/migrations/0015_item_change_feed.py): rows that
  PostgreSQL's own triggers write for every item whose row or link rows change, by whatever
  door. The items named there are read again (`ListingIndex.apply`). So each app server is as
  current as the database it reads, without any message between servers, and a process that
  missed a change (it was busy, the cache was down) still answers correctly: the feed is in the
  database.
- What changes with the time alone (a scheduled item going live) is not stored: each item's
  publication time is, and "public" is computed at the moment of the request, as
  `NewsItemQuerySet.published()` defines it.
- Inside a transaction (the admin's requests, the tests' TestCase) the index is not used: it
  could otherwise take in changes that are then rolled back. The listing counts in SQL there,
  as on SQLite.

Memory: about 5 MB per 100,000 items, of which the bitmaps, the order and the times are half;
built in about 1.5 s per 100,000 (bench/README.md, "Listing index", has the figures)."""

import bisect
import logging
import threading
import time
from array import array
from collections import OrderedDict
from contextlib import contextmanager

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from pyroaring import BitMap

from languages import registry as languages

from ..links import LINKS
from ..models import NewsItem
from .facets import COLUMNS

LINK_FACETS = ("field", "country", "issued_by", "tag")
PUBLISHED = NewsItem.Status.PUBLISHED

# A change to more items than this share of the archive is read as a rebuild: one pass over
# every table costs less than patching each item in turn.
REBUILD_SHARE = 0.05
# Fewer changed items than this are moved in the order one by one; more, and the order is
# merged anew.
FEW = 32
# The feed keeps two days (the migration); an index that has not read it for one is rebuilt.
STALE_SECONDS = 24 * 60 * 60
LARGEST_ID = 2**32 - 1  # Roaring bitmaps hold 32-bit values
EVERYTHING = 0  # the feed's item for "every item" (a TRUNCATE)

logger = logging.getLogger(__name__)

STAMP = "COALESCE((extract(epoch FROM {0}) * 1000000)::bigint, 0)"


def micros(moment):
    """A datetime as the index stores publication times: whole microseconds since 1970."""
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def quote(name):
    return connection.ops.quote_name(name)


class FeedFollower:
    """A structure built from the database at one snapshot and kept current by the change feed
    (the listing index here, the word index of news/listing/words.py): `follow_from` at the
    build, `refresh` before each use, which reads the items named since with `apply`."""

    def __init__(self):
        self.total = 0  # items in it (any status): a change to many of them rebuilds it
        self.version = 0  # counts the changes taken in
        self.horizon = 0  # the oldest transaction running at the last read of the feed
        self.applied = set()  # the transactions at or past the horizon already taken in
        self.refreshed_at = time.monotonic()
        # The taxonomy's version (news/taxonomy_cache.py) at the last read: the fields' families.
        self.taxonomy_version = None

    def follow_from(self, cursor):
        """Start at the snapshot `cursor` reads (REPEATABLE READ: the one the build reads)."""
        self.horizon = snapshot_horizon(cursor)
        # What the snapshot shows of the feed is in the structure: those transactions are done.
        cursor.execute(
            "SELECT DISTINCT txid::text FROM news_itemchange WHERE txid >= %s::xid8",
            [str(self.horizon)],
        )
        self.applied = {int(txid) for (txid,) in cursor.fetchall()}
        cursor.execute("SELECT version FROM news_taxonomyversion")
        self.taxonomy_version = cursor.fetchone()[0]

    def refresh(self, cursor):
        """Take in the changes of the transactions committed since the last read.

        The feed is read from the horizon (the oldest transaction running at the last read)
        on, leaving out the transactions already taken in: a transaction's rows all appear at
        its commit, so it is taken in whole, once."""
        limit = int(REBUILD_SHARE * max(self.total, 1000))
        cursor.execute(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text, c.item_id, c.txid::text, "
            "(SELECT version FROM news_taxonomyversion) "
            "FROM (SELECT 1) AS one LEFT JOIN ("
            "  SELECT item_id, txid FROM news_itemchange"
            "  WHERE txid >= %s::xid8 AND NOT txid = ANY(%s::text[]::xid8[]) LIMIT %s"
            ") AS c ON true",
            [str(self.horizon), [str(txid) for txid in self.applied], limit + 1],
        )
        rows = cursor.fetchall()
        horizon = int(rows[0][0])
        if horizon < self.horizon:
            raise IndexUnusable("another database")  # restored, or a new one at that address
        self.taxonomy_version = rows[0][3]
        changed = {item_id for _horizon, item_id, _txid, _version in rows if item_id is not None}
        if EVERYTHING in changed or len(rows) > limit:
            raise IndexUnusable("rebuild")  # cheaper read whole than patched
        if changed:
            self.apply(cursor, changed)
        committed = {int(txid) for _horizon, _item, txid, _version in rows if txid is not None}
        # Transactions older than the new horizon cannot come again.
        self.applied = {txid for txid in self.applied | committed if txid >= horizon}
        self.horizon = horizon
        self.refreshed_at = time.monotonic()

    def apply(self, cursor, ids):
        """Read the items `ids` again: whatever the structure held of them is forgotten first."""
        raise NotImplementedError


class ListingIndex(FeedFollower):
    def __init__(self):
        super().__init__()
        self.published = BitMap()  # published, with a time (public once the time has come)
        self.stamps = array("q")  # item id -> publication time in microseconds (0: none)
        self.order = array("I")  # the published ids, newest first (time, then id)
        self.scheduled = {}  # id -> time, of the published items whose time was ahead
        self.columns = {name: {} for name in COLUMNS}  # column -> value -> items
        self.links = {facet: {} for facet in LINK_FACETS}  # facet -> value id -> items
        # The published items in another language than the default: id -> (code, time, the
        # default-language items of their translation group).
        self.translations = {}
        self._cached = {}
        # news/listing/fast.py: (config, search words) -> RankedMatches; a facet's counts
        # under the other filters.
        self.texts = OrderedDict()
        self.apart = OrderedDict()

    # -- building and keeping up to date -------------------------------------------------

    @classmethod
    def build(cls, cursor):
        index = cls()
        index.follow_from(cursor)
        index.load(cursor, None)
        index.load_translations(cursor, None)
        table = quote(NewsItem._meta.db_table)
        ((order,),) = arrays(
            f"SELECT array_agg(id ORDER BY published_at DESC, id DESC) FROM {table} "
            "WHERE status = %s AND published_at IS NOT NULL",
            [PUBLISHED],
        )
        index.order = array("I", order or [])
        return index

    def load(self, cursor, ids):
        """Read the items `ids` (all when None) and their links into the index; they must not
        be in it (`apply` forgets them first). Returns the ids of those published.

        Each statement answers with a few rows of long arrays (ids grouped by type, language and
        whether published), not a row per item: a million items are read in seconds."""
        table = quote(NewsItem._meta.db_table)
        where, params = ("", []) if ids is None else ("WHERE id = ANY(%s)", [list(ids)])
        groups = arrays(
            f"SELECT type, language, status = %s AND published_at IS NOT NULL, "
            f"array_agg(id), array_agg({STAMP.format('published_at')}) "
            f"FROM {table} {where} GROUP BY 1, 2, 3",
            [PUBLISHED, *params],
        )
        published = []
        now = micros_now()
        for type_, language, is_published, item_ids, stamps in groups:
            if max(item_ids) > LARGEST_ID:
                raise IndexUnusable("an item id does not fit a 32-bit bitmap")
            self.total += len(item_ids)
            self.column_bitmap("type", type_).update(item_ids)
            self.column_bitmap("language", language).update(item_ids)
            if not is_published:
                continue
            self.grow_stamps(max(item_ids))
            for item_id, stamp in zip(item_ids, stamps, strict=True):
                self.stamps[item_id] = stamp
                if stamp > now:
                    self.scheduled[item_id] = stamp
            published += item_ids
        self.published.update(published)
        for facet in LINK_FACETS:
            link_table, item, value = (quote(part) for part in LINKS[facet].columns(NewsItem))
            condition = "" if ids is None else f"WHERE {item} = ANY(%s)"
            rows = arrays(
                f"SELECT {value}, array_agg({item}) FROM {link_table} {condition} GROUP BY 1",
                params,
            )
            bitmaps = self.links[facet]
            for value_id, items in rows:
                bitmaps.setdefault(value_id, BitMap()).update(items)
        return published

    def load_translations(self, cursor, ids):
        """The published translations (all, or those whose own row or group `ids` touches),
        each with the default-language items of its group."""
        table = quote(NewsItem._meta.db_table)
        condition, params = "", [languages.DEFAULT, languages.DEFAULT, PUBLISHED]
        if ids is not None:
            condition = (
                "AND (t.id = ANY(%s) OR t.translation_key IN "
                f"(SELECT translation_key FROM {table} WHERE id = ANY(%s)))"
            )
            params += [list(ids), list(ids)]
        cursor.execute(
            f"SELECT t.id, t.language, {STAMP.format('t.published_at')}, array_agg(e.id) "
            f"FROM {table} t JOIN {table} e ON e.translation_key = t.translation_key "
            "AND e.language = %s "
            f"WHERE t.language <> %s AND t.status = %s AND t.published_at IS NOT NULL {condition} "
            "GROUP BY t.id, t.language, t.published_at",
            params,
        )
        for item_id, code, stamp, originals in cursor.fetchall():
            self.translations[item_id] = (code, stamp, tuple(originals))

    def column_bitmap(self, name, value):
        return self.columns[name].setdefault(value, BitMap())

    def grow_stamps(self, largest_id):
        if largest_id >= len(self.stamps):
            self.stamps.frombytes(bytes(8 * (largest_id + 1 - len(self.stamps) + 1024)))

    def sort_key(self, item_id):
        return self.stamps[item_id], item_id

    def all_bitmaps(self):
        yield self.published
        for values in (*self.columns.values(), *self.links.values()):
            yield from values.values()

    def apply(self, cursor, ids):
        """Read the items `ids` again: whatever the index held of them is forgotten first."""
        gone = BitMap(ids)
        was_published = [item_id for item_id in ids if item_id in self.published]
        self.total -= sum(len(values & gone) for values in self.columns["type"].values())
        for bitmap in self.all_bitmaps():
            bitmap.difference_update(gone)
        for item_id in ids:
            self.scheduled.pop(item_id, None)
        # Translations whose own row, or whose group's original, changed are read again.
        stale = [t for t, (_c, _s, originals) in self.translations.items()
                 if t in gone or any(original in gone for original in originals)]  # fmt: skip
        for item_id in stale:
            del self.translations[item_id]
        few = len(ids) <= FEW
        if few:
            for item_id in was_published:
                self.remove_from_order(item_id)
        published = self.load(cursor, ids)
        self.load_translations(cursor, [*ids, *stale])
        if few:
            for item_id in published:
                self.insert_in_order(item_id)
        else:
            kept = (item_id for item_id in self.order if item_id not in gone)
            merged = [*kept, *published]
            merged.sort(key=self.sort_key, reverse=True)
            self.order = array("I", merged)
        self.version += 1
        self._cached.clear()
        self.texts.clear()
        self.apart.clear()

    def order_key(self, item_id):
        # The order is newest first: bisect searches it by the negated key.
        return -self.stamps[item_id], -item_id

    def remove_from_order(self, item_id):
        position = bisect.bisect_left(self.order, self.order_key(item_id), key=self.order_key)
        if position < len(self.order) and self.order[position] == item_id:
            del self.order[position]

    def insert_in_order(self, item_id):
        position = bisect.bisect_left(self.order, self.order_key(item_id), key=self.order_key)
        self.order.insert(position, item_id)

    # -- what the requests read ---------------------------------------------------------

    def remembered(self, key, moment, make):
        """`make()` for this version of the index, kept until the next time-bound change
        (`make` returns the value and the moment it stops holding, or None)."""
        entry = self._cached.get(key)
        if entry is not None:
            value, until = entry
            if until is None or moment < until:
                return value
        value, until = make()
        self._cached[key] = (value, until)
        return value

    def public(self, moment):
        """The public items at `moment` (microseconds): `NewsItemQuerySet.published()`."""

        def make():
            # Those whose time has come are public for good: they are let go of.
            self.scheduled = {i: stamp for i, stamp in self.scheduled.items() if stamp > moment}
            waiting = BitMap(self.scheduled)
            return self.published - waiting, min(self.scheduled.values(), default=None)

        return self.remembered("public", moment, make)

    def next_go_live(self):
        """When the next scheduled item goes live (microseconds), as `public` last found it; None
        if none is scheduled. What was counted over the public items holds until then."""
        entry = self._cached.get("public")
        return None if entry is None else entry[1]

    def language_view(self, code, moment):
        """The items a page in `code` lists (`NewsItemQuerySet.in_language_view`): those in
        `code`, and the default-language ones whose group has no public item in `code`."""
        in_code = self.columns["language"].get(code, BitMap())
        if code == languages.DEFAULT:
            return in_code

        def make():
            hidden, ahead = BitMap(), []
            for item_code, stamp, originals in self.translations.values():
                if item_code != code:
                    continue
                if stamp <= moment:
                    hidden.update(originals)
                else:
                    ahead.append(stamp)
            default = self.columns["language"].get(languages.DEFAULT, BitMap())
            return in_code | (default - hidden), min(ahead, default=None)

        return self.remembered(("view", code), moment, make)

    def published_between(self, start=None, end=None):
        """The published items whose time is in [start, end) (microseconds; None: open)."""
        key = self.order_key
        low = 0 if end is None else bisect.bisect_left(self.order, (-end + 1, float("-inf")),
                                                       key=key)  # fmt: skip
        high = len(self.order)
        if start is not None:
            high = bisect.bisect_left(self.order, (-start + 1, float("-inf")), key=key)
        return BitMap(self.order[low:high])


class IndexUnusable(Exception):
    """The index cannot serve: it is rebuilt, or the listing counts in SQL."""


def micros_now():
    return time.time_ns() // 1000


def arrays(sql, params):
    """The rows of `sql`, read in PostgreSQL's binary format: long arrays of ids come about a
    third faster than as text. Through the connection of Django's, in its transaction."""
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        return cursor.fetchall()


def snapshot_horizon(cursor):
    cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")
    return int(cursor.fetchone()[0])


_index = None
index_lock = threading.RLock()  # held while the index is read or changed


def usable():
    return (
        settings.LISTING_INDEX
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )


@contextmanager
def listing_index():
    """The process's index, current with the database, held for the caller alone; None where
    the listing counts in SQL (not PostgreSQL, inside a transaction, switched off)."""
    global _index
    if not usable():
        yield None
        return
    with index_lock:
        index, _index = _index, None  # until it is current again
        try:
            with connection.cursor() as cursor:
                index = current(index, cursor)
        except IndexUnusable:
            index = None
        _index = index
        yield index


def current(index, cursor):
    if index is not None and time.monotonic() - index.refreshed_at > STALE_SECONDS:
        index = None
    if index is not None:
        try:
            index.refresh(cursor)
            return index
        except IndexUnusable:
            pass
    # Every statement of a build reads one snapshot: the order, the times and the links agree,
    # and the feed is read from that snapshot's horizon on.
    with transaction.atomic():
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return ListingIndex.build(cursor)


def warm_up():
    """Build the process's index before its first visitor (osceportal/wsgi.py, at an app
    server's start: a second for 100,000 items, about ten for a million). A database that
    cannot be read yet is not an error here: the first listing builds the index then."""
    try:
        with listing_index():
            pass
    except DatabaseError as error:
        logger.warning("the listing index is built on the first listing instead: %s", error)


def forget():
    """Drop the process's index (the tests, after they empty the database)."""
    global _index
    with index_lock:
        _index = None

"""The words of the search documents, kept in each app server process beside the listing index
(news/listing/index.py): for every lexeme, the set of items whose document holds it, and apart
the sets of those whose title (weight A) and whose lead or names (weight B) hold it. A search
is then set algebra over a few bitmaps, in microseconds, where PostgreSQL read every matching
row from the table to check and rank it (a heap visit per match: 90,000 pages for a common word
at a million items). Its results are ranked as news/search.py ranks them in SQL: by the
query's words held in the title, then in the lead and names, then newest first (`tiers`).

PostgreSQL still parses each search (`news.search.parse`: its stemming, stop words, phrases
and exclusions, in the language being read). A phrase of two adjacent words that are both
common (each in PAIRED_WORD_ITEMS items or more) is answered from the set of items holding that
pair of lexemes at neighbouring positions (`pairs`, read from the documents' positions as
PostgreSQL's `<->` reads them), and a common hyphenated word, which PostgreSQL searches as a
phrase of the word and its parts, from its occurrences (`compounds`). Any other phrase
PostgreSQL checks, on the items holding its words only; kept until the next change (`phrase`).
Without them, a phrase of two common words or a search for "co-operation" had PostgreSQL check
tens or hundreds of thousands of documents at a million items (bench/README.md, "Phrases").

Like the listing index it is a cache, kept current by the same change feed (`FeedFollower`):
an item whose text, names or status change is read again. It is built apart from the listing
index, in a thread of its own (`word_index` starts it): reading every document, its words,
pairs and hyphenated words, takes 13 to 35 s per 100,000 items, which an app server's start must
not wait for. Until it is ready,
searches are answered by PostgreSQL as before (news/listing/fast.py, `RankedMatches`).

Memory: the words' bitmaps about 12 MB per 100,000 items of the generated archive, 113 MB at a
million; the pairs' 7.8 MB and 75 MB (bench/README.md, "Search words", "Phrases")."""

import logging
import threading
import time
from collections import OrderedDict

from django.db import DatabaseError, connection, transaction
from pyroaring import BitMap

from .. import search
from ..models import NewsItem
from .index import (
    LARGEST_ID,
    PUBLISHED,
    STALE_SECONDS,
    FeedFollower,
    IndexUnusable,
    arrays,
    index_lock,
    quote,
    usable,
)

ALL = "all"  # the lexemes of the whole document
# The documents' parts a search ranks by (news/search.py, `WordsHeld`).
RANKED_PARTS = (search.TITLE, search.LEAD)
PHRASES = 256  # phrases whose matches are kept until the next change
# A lexeme in this many items or more is common: the pairs it makes with the lexeme at the next
# position are kept. A phrase with a rarer word has PostgreSQL check at most this many items.
PAIRED_WORD_ITEMS = 500
# A build that failed is tried again after this many seconds, by the next search.
RETRY_SECONDS = 60
# Rows of lexemes read at a time while building: the arrays of a million items are large.
BATCH = 16

logger = logging.getLogger(__name__)
EMPTY = BitMap()


def documents(part):
    """The SQL of one part of the search document: all of it, or its words of one weight."""
    if part == ALL:
        return "search_document"
    return f"ts_filter(search_document, '{{{part}}}')"


class WordIndex(FeedFollower):
    def __init__(self):
        super().__init__()
        self.held = {part: {} for part in (ALL, *RANKED_PARTS)}  # part -> lexeme -> items
        self.phrases = OrderedDict()  # tsquery of a phrase -> the published items it matches
        self.paired = frozenset()  # the common lexemes, whose pairs are all in `pairs`
        # lexeme -> next lexeme -> the items holding them at neighbouring positions
        self.pairs = {}
        # A common hyphenated lexeme ("co-oper") -> [(the lexemes that follow one of its
        # occurrences, as {(steps after it, lexeme)}, the items where they do)]: its parts.
        self.compounds = {}

    @classmethod
    def build(cls, cursor):
        """Every document, read in the snapshot of `cursor` (REPEATABLE READ)."""
        words = cls()
        words.follow_from(cursor)
        table = quote(NewsItem._meta.db_table)
        cursor.execute(f"SELECT count(*), max(id) FROM {table}")
        words.total, largest = cursor.fetchone()
        if (largest or 0) > LARGEST_ID:
            raise IndexUnusable("an item id does not fit a 32-bit bitmap")
        # The grouping of a million items' words is kept in memory rather than spilled to disk.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        for part in words.held:
            with connection.connection.cursor(name=f"words_{part}", binary=True) as rows:
                rows.itersize = BATCH
                rows.execute(words.postings_sql(part, None))
                postings = words.held[part]
                for lexeme, ids in rows:
                    postings[lexeme] = BitMap(ids)
        words.paired = frozenset(
            lexeme for lexeme, items in words.held[ALL].items() if len(items) >= PAIRED_WORD_ITEMS
        )
        with connection.connection.cursor(name="words_pairs", binary=True) as rows:
            rows.itersize = BATCH
            rows.execute(words.pairs_sql(None), {"paired": sorted(words.paired)})
            for first, second, ids in rows:
                words.pairs.setdefault(first, {})[second] = BitMap(ids)
        with connection.connection.cursor(name="words_compounds", binary=True) as rows:
            rows.itersize = BATCH
            rows.execute(words.compounds_sql(None), {"compounds": words.compound_lexemes()})
            for compound, steps, lexemes, ids in rows:
                words.add_compound(compound, steps, lexemes, ids)
        return words

    @staticmethod
    def postings_sql(part, where):
        table = quote(NewsItem._meta.db_table)
        return (
            f"SELECT word, array_agg(id) FROM (SELECT id, "
            f"unnest(tsvector_to_array({documents(part)})) AS word FROM {table} {where or ''}"
            ") AS held GROUP BY word"
        )

    @staticmethod
    def pairs_sql(where):
        """Each pair of common lexemes at neighbouring positions in some document (one position
        after the other, as `a <-> b` matches), with the items holding it. Joined on positions,
        not by order: PostgreSQL keeps a document's positions up to 16,383 only, and the
        lexemes beyond it share that position."""
        table = quote(NewsItem._meta.db_table)
        held = (
            "SELECT lexeme, unnest(positions) AS position FROM unnest(item.search_document) "
            "WHERE lexeme = ANY(%(paired)s::text[])"
        )
        return (
            "SELECT first, second, array_agg(id) FROM (SELECT item.id, first, second FROM "
            f"{table} AS item, LATERAL (SELECT DISTINCT first.lexeme AS first, "
            f"second.lexeme AS second FROM ({held}) AS first JOIN ({held}) AS second "
            "ON second.position = first.position + 1) AS pairs "
            f"{where or ''}) AS held GROUP BY first, second"
        )

    def compound_lexemes(self):
        return sorted(lexeme for lexeme in self.paired if "-" in lexeme)

    @staticmethod
    def compounds_sql(where):
        """Each occurrence of a common hyphenated lexeme with the lexemes at the positions after
        it, as many as the word had parts: PostgreSQL writes "co-operation" as 'co-oper' and,
        at the next positions, its parts 'co' and 'oper' (none where a part is a stop word), and
        a search for it asks for all three (`'co-oper' <-> 'co' <-> 'oper'`)."""
        table = quote(NewsItem._meta.db_table)
        positions = "SELECT lexeme, unnest(positions) AS position FROM unnest(item.search_document)"
        return (
            "SELECT compound, steps, lexemes, array_agg(id) FROM (SELECT DISTINCT item.id, "
            "occurrence.compound, occurrence.steps, occurrence.lexemes FROM "
            f"{table} AS item, LATERAL (SELECT anchor.lexeme AS compound, "
            "array_agg(after.position - anchor.position ORDER BY after.position, after.lexeme) "
            "FILTER (WHERE after.lexeme IS NOT NULL) AS steps, "
            "array_agg(after.lexeme ORDER BY after.position, after.lexeme) "
            "FILTER (WHERE after.lexeme IS NOT NULL) AS lexemes "
            f"FROM ({positions} WHERE lexeme = ANY(%(compounds)s::text[])) AS anchor "
            f"LEFT JOIN ({positions}) AS after ON after.position - anchor.position "
            "BETWEEN 1 AND length(anchor.lexeme) - length(replace(anchor.lexeme, '-', '')) + 1 "
            "GROUP BY anchor.lexeme, anchor.position) AS occurrence "
            f"{where or ''}) AS held GROUP BY compound, steps, lexemes"
        )

    def add_compound(self, compound, steps, lexemes, ids):
        following = frozenset(zip(steps or (), lexemes or (), strict=True))
        for known, items in self.compounds.setdefault(compound, []):
            if known == following:
                items.update(ids)
                return
        self.compounds[compound].append((following, BitMap(ids)))

    def apply(self, cursor, ids):
        """Read the documents of `ids` again. Every lexeme's set is looked at to forget the
        items' old words (they are not kept per item): milliseconds for a few thousand
        lexemes, tens of them for a large vocabulary, once per batch of changes."""
        gone = BitMap(ids)
        touched = set()  # the lexemes the items held: only their pairs can hold the items
        for postings in self.held.values():
            for lexeme, items in list(postings.items()):
                if items.intersect(gone):
                    touched.add(lexeme)
                    items.difference_update(gone)
                    if not items:
                        del postings[lexeme]
        for first in touched:
            following = self.pairs.get(first, {})
            for second, items in list(following.items()):
                if items.intersect(gone):
                    items.difference_update(gone)
                    if not items:
                        del following[second]
        for part, postings in self.held.items():
            for lexeme, items in arrays(self.postings_sql(part, "WHERE id = ANY(%s)"), [list(ids)]):
                postings.setdefault(lexeme, BitMap()).update(items)
        # The common lexemes stay those of the build: a lexeme common since has no pairs kept,
        # and its phrases are checked by PostgreSQL until the next build.
        pairs_sql = self.pairs_sql("WHERE item.id = ANY(%(ids)s)")
        changed = {"paired": sorted(self.paired), "ids": list(ids)}
        for first, second, items in arrays(pairs_sql, changed):
            self.pairs.setdefault(first, {}).setdefault(second, BitMap()).update(items)
        for occurrences in self.compounds.values():
            for _, items in occurrences:
                items.difference_update(gone)
        compounds_sql = self.compounds_sql("WHERE item.id = ANY(%(ids)s)")
        changed = {"compounds": self.compound_lexemes(), "ids": list(ids)}
        for compound, steps, lexemes, items in arrays(compounds_sql, changed):
            self.add_compound(compound, steps, lexemes, items)
        self.phrases.clear()
        self.version += 1

    # -- what the searches read ---------------------------------------------------------

    def matches(self, query, universe):
        """The items of `universe` (a bitmap) that `query` (news.search.Query) matches, as
        PostgreSQL's `@@` matches them."""
        if query.tree is None:
            return BitMap()  # only stop words: PostgreSQL matches nothing
        return self.evaluate(query.tree, universe) & universe

    def evaluate(self, node, universe):
        if isinstance(node, search.Word):
            return self.held[ALL].get(node.lexeme, EMPTY)
        if isinstance(node, search.Not):
            return universe - self.evaluate(node.operand, universe)
        if isinstance(node, search.Phrase):
            return self.phrase(node)
        if isinstance(node, search.And):
            # `a & !b` is a without b: no complement of b over the whole archive.
            if isinstance(node.right, search.Not):
                left = self.evaluate(node.left, universe)
                return left - self.evaluate(node.right.operand, universe)
            return self.evaluate(node.left, universe) & self.evaluate(node.right, universe)
        return self.evaluate(node.left, universe) | self.evaluate(node.right, universe)

    def phrase(self, node):
        """The items whose positions match the phrase: two neighbouring common words from their
        pair, a common hyphenated word from its parts; otherwise the published items PostgreSQL
        finds (`checked_phrase`)."""
        words = placed(node)
        if words is not None and len(words) == 2 and words[1][0] == 1:
            (_, first), (_, second) = words
            if first in self.paired and second in self.paired:
                return self.pairs.get(first, {}).get(second, EMPTY)
        if words is not None and words[0][1] in self.compounds:
            (_, compound), *following = words
            width = compound.count("-") + 1
            if all(1 <= step <= width for step, _ in following):
                wanted = set(following)
                found = BitMap()
                for occurrence, items in self.compounds[compound]:
                    if wanted <= occurrence:
                        found |= items
                return found
        return self.checked_phrase(node)

    def checked_phrase(self, node):
        """The published items whose positions match the phrase: PostgreSQL checks them, on the
        items its GIN index gives (those holding every word), once until the next change."""
        text = search.write_tsquery(node)
        found = self.phrases.get(text)
        if found is not None:
            self.phrases.move_to_end(text)
            return found
        table = quote(NewsItem._meta.db_table)
        ((ids,),) = arrays(
            f"SELECT array_agg(id) FROM {table} WHERE search_document @@ %s::tsquery "
            "AND status = %s AND published_at IS NOT NULL",
            [text, PUBLISHED],
        )
        found = BitMap(ids or [])
        self.phrases[text] = found
        while len(self.phrases) > PHRASES:
            self.phrases.popitem(last=False)
        return found

    def tiers(self, words, results):
        """`results` cut into sets of equal rank, best first: by how many of `words` the title
        holds, then how many the lead and names hold (news.search.by_relevance)."""
        groups = [results]
        for part in RANKED_PARTS:
            postings = self.held[part]
            refined = []
            for group in groups:
                refined += reversed(by_words_held(group, [postings.get(w, EMPTY) for w in words]))
            groups = [group for group in refined if group]
        return groups


def placed(node):
    """A phrase of words only as [(position, lexeme)], the first word at 0 (`a <-> b <2> c`:
    b one position after a, c two after b, as PostgreSQL places a phrase's right-hand word
    after the end of its left-hand side); None for any other phrase."""
    if isinstance(node, search.Word):
        return [(0, node.lexeme)]
    if not (isinstance(node, search.Phrase) and isinstance(node.right, search.Word)):
        return None
    left = placed(node.left)
    if left is None:
        return None
    return [*left, (left[-1][0] + node.distance, node.right.lexeme)]


def by_words_held(items, postings):
    """[the items holding none of the sets, those holding one, … all of them]."""
    counted = [items]
    for held in postings:
        if not held:
            counted.append(BitMap())
            continue
        following = [BitMap() for _ in range(len(counted) + 1)]
        for count, group in enumerate(counted):
            inside = group & held
            following[count] |= group - inside
            following[count + 1] |= inside
        counted = following
    return counted


_words = None
_builder = None  # the thread building the process's word index
_failed_at = None


def word_index():
    """The process's word index, current with the database; None while it is being built (the
    first call starts the build) or where the listing does not use its index. The caller holds
    `index_lock`."""
    global _words
    if not usable():
        return None
    words, _words = _words, None  # until it is current again
    if words is not None and time.monotonic() - words.refreshed_at > STALE_SECONDS:
        words = None
    if words is None:
        start_building()
        return None
    try:
        with connection.cursor() as cursor:
            words.refresh(cursor)
    except IndexUnusable:
        start_building()
        return None
    _words = words
    return words


def start_building():
    global _builder
    if _builder is not None and _builder.is_alive():
        return
    if _failed_at is not None and time.monotonic() - _failed_at < RETRY_SECONDS:
        return
    _builder = threading.Thread(target=build_in_background, name="word-index", daemon=True)
    _builder.start()


def build_in_background():
    """Build the word index with a connection of this thread's own, then hand it over."""
    global _words, _failed_at
    try:
        words = build()
        with index_lock:
            _words = words
        _failed_at = None
    except (DatabaseError, IndexUnusable) as error:
        logger.warning("the search words could not be read; searches use SQL: %s", error)
        _failed_at = time.monotonic()
    except Exception:
        # Anything else is a fault in this code: logged in full, and not tried at every search.
        logger.exception("the search words could not be read; searches use SQL")
        _failed_at = time.monotonic()
    finally:
        connection.close()


def build():
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return WordIndex.build(cursor)


def warm_up():
    """Start building the process's word index (osceportal/wsgi.py, at an app server's start)."""
    with index_lock:
        word_index()


def wait_until_built(timeout=None):
    """Wait for a build under way (the tests, the bench's warm-up); True when one is ready."""
    builder = _builder
    if builder is not None:
        builder.join(timeout)
    return _words is not None


def state():
    """For /healthz: "ready", "reading" (a build under way), "failed" (searches use SQL until
    the next try) or "off" (this server does not keep the words: not PostgreSQL, or switched
    off)."""
    if not usable():
        return "off"
    if _words is not None:
        return "ready"
    if _builder is not None and _builder.is_alive():
        return "reading"
    return "failed" if _failed_at is not None else "reading"


def forget():
    """Drop the process's word index (the tests, after they empty the database)."""
    global _words, _failed_at
    wait_until_built()
    with index_lock:
        _words = None
        _failed_at = None

"""The listing answered from the index (news/listing/index.py): the facet counts, the number of
results and the ids of one page, for a valid NewsFilter. The same answers as the SQL of
news/listing/facets.py and NewsFilter.qs (tests/test_listing_index.py compares them on random
archives), in a few milliseconds whatever the combination of filters.

A search is parsed by PostgreSQL (its stemming, stop words, phrases and exclusions) and matched
and ranked over the words the process keeps (news/listing/words.py, `WordMatches`). While those
are being built, PostgreSQL matches and ranks it: the ids of every matching item, in the order
of relevance, which the index keeps until the next change (`RankedMatches`, `TEXT_ENTRIES`
queries, `TEXT_IDS` ids at most)."""

import datetime
import functools
import heapq
from array import array

from pyroaring import BitMap

from languages import registry as languages

from .. import search, taxonomy_cache
from ..models import NewsItem
from .facets import COLUMNS, TAG_OPTIONS
from .filters import FACETS, canonical_params, day_start
from .index import index_lock, micros, micros_now
from .words import word_index

TEXT_ENTRIES = 256
TEXT_IDS = 2_000_000
# A page is found by walking the order while that reads fewer than about this many ids per
# result; otherwise the results are sorted.
WALK_FACTOR = 4
WALK_FLOOR = 2_000
CHUNK = 512  # ids of the order counted at once when a page starts further on
# Counts of one facet over the items under the other filters, kept per index version for the
# next listing that shares those filters (`IndexedListing.counted_apart`).
APART_ENTRIES = 1_024  # each a dict of a facet's counts: a few MB at most


def field_families(index):
    """{field id: the ids it covers}: itself and its sub-topics (`with_subtopics_of`), from the
    taxonomy the process keeps at the version the index last read (no query of its own)."""
    taxonomy = taxonomy_cache.taxonomy(NewsItem, index.taxonomy_version)
    families = taxonomy.derived.get("families")
    if families is None:
        families = {}
        for field in taxonomy.fields.values():
            families.setdefault(field.pk, {field.pk})
            if field.parent_id is not None:
                families.setdefault(field.parent_id, {field.parent_id}).add(field.pk)
        taxonomy.derived["families"] = families
    return families


def union(bitmaps):
    return BitMap.union(*bitmaps) if bitmaps else BitMap()


class IndexedListing:
    """One request's listing over the index: `counts()`, `count`, `page_ids(offset, limit)`."""

    def __init__(self, index, filterset, moment=None):
        self.index = index
        self.filterset = filterset
        self.data = data = filterset.form.cleaned_data
        self.moment = micros_now() if moment is None else moment
        self.families = field_families(index)
        self._text = None  # (search words, their matches)
        self.restrictions = {}
        for name in FACETS:
            if data.get(name):
                self.restrictions[name] = self.chosen(name, data[name])
        if data.get("q"):
            self.restrictions["q"] = self.text(data["q"]).matches
        start, end = data.get("from"), data.get("to")
        if start or end:
            self.restrictions["dates"] = index.published_between(
                micros(day_start(start)) if start else None,
                micros(day_start(end + datetime.timedelta(days=1))) if end else None,
            )
        self.public = index.public(self.moment)
        self.view = None
        if filterset.content_language and not data.get("language"):
            self.view = index.language_view(filterset.content_language, self.moment)
        self.results = self.base()

    def chosen(self, name, values):
        if name in COLUMNS:
            return union([self.index.columns[name].get(v, BitMap()) for v in values])
        links = self.index.links[name]
        if name == "field":  # a field with sub-topics stands for its family
            links = {**links, **self.family_bitmaps()}
        return union([links[value.pk] for value in values if value.pk in links])

    def text(self, text):
        if self._text is None or self._text[0] != text:
            config = languages.current().search_config
            self._text = (text, text_matches(self.index, config, text))
        return self._text[1]

    def base(self, without=None):
        """The public items under every filter but `without` (in the language view unless the
        language facet is the one left out)."""
        found = self.public
        for name, bitmap in self.restrictions.items():
            if name != without:
                found = found & bitmap
        if self.view is not None and without != "language":
            found = found & self.view
        return found

    @property
    def count(self):
        return len(self.results)

    def counts(self):
        """{facet: {option: count}}, as `compute_counts` gives them (options with none left
        out)."""
        counts = {}
        chosen = canonical_params(self.filterset)
        for name in FACETS:
            counted_apart = name in self.restrictions or (
                name == "language" and self.view is not None
            )
            if counted_apart:
                counts[name] = self.counted_apart(name, chosen)
            else:
                counts[name] = self.count_facet(name, self.results)
        return counts

    def counted_apart(self, name, chosen):
        """The counts of facet `name` over the items under every other filter (a disjunctive
        facet's options are counted as if none of them were chosen).

        Listings share such counts: every listing of one country counts the fields over the
        same items, whichever field it shows. They are kept per version of the index, until
        the next scheduled item goes live, for the other filters as they are spelled in the
        canonical query (and the content and search languages, which the view and the
        matches depend on) and the taxonomy's version (the fields' families, the tags'
        names). `chosen`: the listing's canonical query, as (name, value) pairs."""
        others = tuple(pair for pair in chosen if pair[0] not in (name, "sort"))
        config = languages.current().search_config if self.data.get("q") else None
        language = self.filterset.content_language
        key = (name, others, language, config, self.index.taxonomy_version)
        kept = self.index.apart
        entry = kept.get(key)
        if entry is not None and (entry[1] is None or self.moment < entry[1]):
            kept.move_to_end(key)
            return dict(entry[0])
        counts = self.count_facet(name, self.base(without=name))
        kept[key] = (counts, self.index.next_go_live())
        if len(kept) > APART_ENTRIES:
            kept.popitem(last=False)
        return dict(counts)

    def count_facet(self, name, over):
        if name in COLUMNS:
            return nonzero(self.index.columns[name], over)
        if name == "tag":
            return self.top_tags(over)
        counts = nonzero(self.index.links[name], over)
        if name == "field":
            for head, family in self.family_bitmaps().items():
                count = over.intersection_cardinality(family)
                counts.pop(head, None)
                if count:
                    counts[head] = count
        return counts

    def family_bitmaps(self):
        """{field id: the items of it and its sub-topics}, for the fields that have any, kept
        per version of the index."""

        def make():
            links = self.index.links["field"]
            return {
                head: union([links[pk] for pk in members if pk in links])
                for head, members in self.families.items()
                if len(members) > 1
            }, None

        return self.index.remembered(("families", self.index.taxonomy_version), 0, make)

    def top_tags(self, over):
        """The TAG_OPTIONS most used tags over `over`, ties in name order as SQL sorts them.
        Tags are tried from the most used in the whole archive down: one used less than the
        last of the best so far cannot join them."""
        by_size = self.index.remembered(
            "tags-by-size",
            0,
            lambda: (sorted(self.index.links["tag"].items(), key=lambda kv: -len(kv[1])), None),
        )
        found, best = [], []  # best: a heap of the TAG_OPTIONS largest counts so far
        for tag_id, bitmap in by_size:
            if len(best) == TAG_OPTIONS and len(bitmap) < best[0]:
                break
            count = over.intersection_cardinality(bitmap)
            if count:
                found.append((count, tag_id))
                if len(best) < TAG_OPTIONS:
                    heapq.heappush(best, count)
                elif count > best[0]:
                    heapq.heapreplace(best, count)
        # Ties in the order of the tags' names, as SQL sorts them (kept with the taxonomy).
        order = taxonomy_cache.tag_order(NewsItem, self.index.taxonomy_version)
        unknown = len(order)  # a tag deleted since the index last read: last, then by id
        found.sort(key=lambda pair: (-pair[0], order.get(pair[1], unknown), pair[1]))
        return {tag_id: count for count, tag_id in found[:TAG_OPTIONS]}

    def page_ids(self, offset, limit):
        """The ids of the results from `offset`, at most `limit`, in the listing's order."""
        sort = self.data.get("sort") or self.filterset.default_sort()
        with index_lock:
            if sort == "relevance" and self.data.get("q"):
                return self.text(self.data["q"]).page(self.results, offset, limit, self.index)
            newest = sort != "oldest"
            return first(self.results, self.index.order, offset, limit, self.index.sort_key,
                         newest=newest)  # fmt: skip


class IndexedItems:
    """The listing's results as its paginator slices them: the ids of one page from the index,
    the rows of those ids only from `queryset` (with what a listing row shows)."""

    def __init__(self, listing, queryset):
        self.listing = listing
        self.queryset = queryset

    def count(self):
        return self.listing.count

    def __len__(self):
        return self.listing.count

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("the listing's results are read a page at a time")
        start = key.start or 0
        stop = self.listing.count if key.stop is None else key.stop
        ids = self.listing.page_ids(start, max(stop - start, 0))
        rows = self.queryset.in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]


def nonzero(bitmaps, over):
    counts = {}
    for value, bitmap in bitmaps.items():
        count = over.intersection_cardinality(bitmap)
        if count:
            counts[value] = count
    return counts


def walk(sequence, members, offset, limit, backwards=False):
    """The members of `sequence` (an array of ids in the listing's order; read from its end when
    `backwards`) from the `offset`-th on, at most `limit`. The chunks of the sequence before
    the offset are counted whole (an intersection, in C); the rest is read id by id."""
    found = []
    if limit <= 0:
        return found
    starts = range(0, len(sequence), CHUNK)
    skip = offset
    for start in reversed(starts) if backwards else starts:
        chunk = sequence[start : start + CHUNK]
        if skip:
            inside = members.intersection_cardinality(BitMap(chunk))
            if inside <= skip:
                skip -= inside
                continue
        for item_id in reversed(chunk) if backwards else chunk:
            if item_id in members:
                if skip:
                    skip -= 1
                    continue
                found.append(item_id)
                if len(found) == limit:
                    return found
    return found


def first(members, order, offset, limit, key, newest):
    """`limit` of `members` from the `offset`-th on in `order` (newest first, or read from its
    end): walked when the members are dense enough in it, else sorted by `key`."""
    size = len(members)
    if not size or offset >= size:
        return []
    if limit * len(order) / size <= WALK_FACTOR * size + WALK_FLOOR:
        return walk(order, members, offset, limit, backwards=not newest)
    pick = heapq.nlargest if newest else heapq.nsmallest
    return pick(offset + limit, members, key=key)[offset:]


class RankedMatches:
    """The items a search matches (any status: the listing intersects them with the public
    ones), as PostgreSQL found and ranked them: a bitmap, and every id in the order of
    relevance."""

    def __init__(self, ranked):
        self.ranked = array("I", ranked)
        self.matches = BitMap(self.ranked)

    def page(self, results, offset, limit, index):
        return walk(self.ranked, results, offset, limit)


class WordMatches:
    """The published items a search matches, from the word index, ranked by its tiers (each
    newest first)."""

    def __init__(self, words, query, matches):
        self.words, self.query, self.matches = words, query, matches

    def page(self, results, offset, limit, index):
        found = []
        for tier in self.words.tiers(self.query.ranking_words, results):
            if offset >= len(tier):
                offset -= len(tier)
                continue
            found += first(tier, index.order, offset, limit - len(found), index.sort_key, True)
            offset = 0
            if len(found) == limit:
                break
        return found


def text_matches(index, config, text):
    """The matches of `text` parsed in `config`: from the word index when it is ready, else
    from PostgreSQL (kept in the index's entries until the next change)."""
    words = word_index()
    if words is not None:
        try:
            query = parsed(config, text)
        except search.Unsupported:
            pass
        else:
            return WordMatches(words, query, words.matches(query, index.published))
    entries = index.texts
    key = (config, text)
    entry = entries.get(key)
    if entry is not None:
        entries.move_to_end(key)
        return entry
    matching = NewsItem.objects.filter(search_document=search.web_query(text))
    ranked = list(search.by_relevance(matching, text).values_list("pk", flat=True))
    entry = RankedMatches(ranked)
    entries[key] = entry
    held = sum(len(each.ranked) for each in entries.values())
    while len(entries) > TEXT_ENTRIES or held > TEXT_IDS:
        oldest = next(iter(entries))
        if oldest == key:
            break
        held -= len(entries.pop(oldest).ranked)
    return entry


@functools.lru_cache(maxsize=1024)
def parsed(config, text):
    """A search as PostgreSQL parses it: the same for the same words in the same language."""
    return search.parse(config, text)

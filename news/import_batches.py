"""One run of `import_news`: the lines of a file read once, in order, and stored in batches.

A batch (BATCH_LINES lines, or fewer when they pass BATCH_BYTES) is parsed, then the items its
slugs already have are read in a few queries and each line is classed: unchanged (nothing is
written), new (created together by `create_all`: a handful of queries for the whole batch), or
changed, or new with a photo (`store`, line by line: some thirty queries, a row lock and the
photo's renditions). Each line stays all or nothing: should the bulk creation fail, the batch's
new lines are stored again one by one, so that only the bad line fails.

Nothing about the file is kept in Python beyond one batch: the slugs seen and the translations
waiting for a source are in the database (news/import_ledger.py). A line translating an item
that no earlier line named waits until the end of the file, since a later line may create the
source or update it (the translation then records the updated version); the waiting lines are
stored at the end, sources first, and a loop of them fails each of its lines."""

import gc
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, reset_queries, transaction
from django.utils.text import slugify

from .import_ledger import Ledger
from .import_writer import writer_for
from .jsonl import LineError, same_record, stored_records
from .jsonl_import import Resolver, line_slug, parse_data, parse_line, read_json
from .jsonl_store import create_all, has_renditions, new_item, store, validation_message
from .models import RESERVED_SLUGS, NewsItem

BATCH_LINES = 500
# A batch of long lines is cut short: the memory of a run is about a few batches' worth.
BATCH_BYTES = 1 << 20
LOOP_LINES_SHOWN = 20
# What parse_line checks already (news/jsonl_import.py), and the columns set by the importer
# itself: full_clean need not check them again, at a tenth of a millisecond a line.
CHECKED_WHEN_READ = [
    "type", "status", "language", "search_config", "translation_key", "translated_from",
    "source_version", "version", "published_at", "image_renditions", "created_by", "updated_by",
]  # fmt: skip


@dataclass
class Result:
    """What became of one line: its outcome and what to report ("line N: …")."""

    number: int
    outcome: str  # created, updated, unchanged or failed
    messages: list = field(default_factory=list)
    unresolved: list = field(default_factory=list)  # [(kind, name)] it was refused for


def failure(number, error):
    unresolved = [(kind, name) for kind, name, _ in getattr(error, "names", [])]
    return Result(number, "failed", [str(error)], unresolved=unresolved)


@dataclass
class Read:
    """A line of the batch, parsed or not: the slug it names (if any) and the line itself or
    why it failed."""

    number: int
    slug: str | None
    parsed: object = None
    text: str = ""
    error: LineError | None = None


class FileImport:
    """Feed it the lines of a file with `read`, then call `finish`; each returns the results of
    the lines it stored (a line is stored once its batch is full, or at `flush`)."""

    def __init__(self, *, dry_run=False, default_issuer=None, create_missing=False):
        self.resolver = Resolver(default_issuer=default_issuer, create_missing=create_missing)
        self.dry_run = dry_run
        self.ledger = None
        self.writer = None  # where the new items of a batch are written (news/import_writer.py)
        self.batch, self.batch_bytes = [], 0
        self.created = []  # (entry, the line it was added for), --create-missing
        self.tag_ids = {}  # tag name in lower case: id, for the bulk creation (create_all)
        self.names_cache = {}  # an entry's names in a language, for the search documents

    @contextmanager
    def running(self):
        """A dry run is one transaction, rolled back at the end, so that a line sees what the
        lines before it would have stored (the source of a translation, say); each batch is a
        savepoint within it. Otherwise each batch (or line, when stored one by one) is
        committed on its own."""
        # What Django and the app hold from here on lives as long as the run: out of the
        # collector's sight, so that the full collection after each batch only walks the batch.
        gc.freeze()
        with transaction.atomic() if self.dry_run else nullcontext():
            self.ledger = Ledger()
            self.writer = writer_for(dry_run=self.dry_run)
            try:
                yield self
            finally:
                self.writer.close()
                gc.unfreeze()  # back to the collector's care once the run is over
                if self.dry_run:
                    transaction.set_rollback(True)
                else:
                    self.ledger.drop()

    def read(self, number, raw):
        self.batch.append((number, raw))
        self.batch_bytes += len(raw)
        if len(self.batch) >= BATCH_LINES or self.batch_bytes >= BATCH_BYTES:
            return self.flush()
        return []

    def flush(self, *, wait=False):
        """The results of the lines read since the last flush (not of those set to wait), but
        for the new items of the last batch, which may still be being written: their results
        come with the next flush, or this one with `wait`."""
        batch, self.batch, self.batch_bytes = self.batch, [], 0
        reset_queries()  # with DEBUG on, Django would keep every query of a long run
        reads = [self.parse(number, raw) for number, raw in batch]
        results, ready = self.sort_out(reads)
        results += self.store_lines(ready)
        if wait:
            results += self.collect_bulk()
        # The model instances of a batch hold reference cycles (their relation caches), which
        # Python frees only at a full collection, and that comes by number of objects, not of
        # bytes: with long bodies, uncollected batches added up to more memory than the file.
        # A full collection a batch costs a few milliseconds.
        del reads, ready
        gc.collect()
        return results

    def finish(self):
        """The results of the last batch, then of the lines that waited, sources first."""
        results = self.flush(wait=True)
        while waiting := self.ledger.ready(BATCH_LINES):
            ready = []
            for number, text in waiting:
                try:
                    ready.append((number, parse_line(text, self.resolver)))
                except LineError as error:  # e.g. an entry it named was deleted meanwhile
                    results.append(failure(number, error))
            results += self.store_lines(ready) + self.collect_bulk()
        stuck = self.ledger.stuck()
        numbers = [str(number) for number, _source in stuck]
        loop = "lines " + ", ".join(numbers[:LOOP_LINES_SHOWN])
        if len(numbers) > LOOP_LINES_SHOWN:
            loop += f" and {len(numbers) - LOOP_LINES_SHOWN} more"
        for number, source in stuck:
            message = f"translation_of {source!r}: a loop of translations ({loop})"
            results.append(Result(number, "failed", [message]))
        return results

    # --- a batch ---------------------------------------------------------------------------------

    def parse(self, number, raw):
        slug, created_before = None, len(self.resolver.created)
        try:
            try:
                text = raw.decode("utf-8").removeprefix("\ufeff")
            except UnicodeDecodeError as error:
                raise LineError(f"not UTF-8 text (byte {error.start + 1})") from None
            data = read_json(text)
            slug = named_slug(data)
            parsed = parse_data(data, self.resolver)
        except LineError as error:
            return Read(number, slug, error=error)
        self.created += [(entry, number) for entry in self.resolver.created[created_before:]]
        # A translation that must wait is parsed again at the end: its text is what waits.
        return Read(number, parsed.slug, parsed, text if parsed.translation_of else "")

    def sort_out(self, reads):
        """(results of the lines that failed, [(number, parsed line)] to store now), in the
        order of the file; sets aside the translations whose source no earlier line named,
        and records the batch's slugs in the ledger."""
        sources = {read.parsed.translation_of for read in reads if read.parsed}
        known = self.ledger.lines_of({read.slug for read in reads if read.slug} | sources)
        waiting = self.ledger.waiting_among(sources - {None})
        taken, named, held = {}, {}, []
        results, ready = [], []
        for read in reads:
            if read.slug:
                named[read.slug] = read.number
            if read.parsed is None:
                results.append(failure(read.number, read.error))
                continue
            slug, source = read.slug, read.parsed.translation_of
            first = taken.get(slug) or known.get(slug, (None, None))[0]
            if first is not None:
                message = f"slug {slug!r} already used on line {first}"
                results.append(Result(read.number, "failed", [message]))
                continue
            taken[slug] = read.number
            if source and (source in waiting or not (source in named or source in known)):
                waiting.add(slug)
                held.append((read.number, slug, source, read.text))
                continue
            ready.append((read.number, read.parsed))
        self.ledger.note([(slug, taken.get(slug), number) for slug, number in named.items()])
        self.ledger.hold(held)
        return results, ready

    def store_lines(self, ready):
        """Store the lines of `ready` ((number, parsed line)), which are in the order of the
        file: unchanged ones not at all, new ones in bulk, the others one by one, after the new
        ones (a changed item may translate a new one) and in order (a new translation of a
        changed item comes after it). The new ones are handed to the writer, whose results
        come with the next batch's (`collect_bulk`) unless this batch has lines to store one
        by one, which wait for them."""
        existing = stored_records([parsed.slug for _, parsed in ready])
        results, bulk, one_by_one, slow = [], [], [], set()
        for number, parsed in ready:
            item = existing.get(parsed.slug)
            if item is not None and is_unchanged(*item, parsed):
                results.append(Result(number, "unchanged", parsed.warnings))
            elif item is None and not parsed.values["image"] and parsed.translation_of not in slow:
                bulk.append((number, parsed))
            else:
                slow.add(parsed.slug)
                one_by_one.append((number, parsed))
        results += self.create_in_bulk(bulk)
        if one_by_one:
            results += self.collect_bulk()
        return results + [self.store_one(*line) for line in one_by_one]

    def collect_bulk(self):
        """The results of the new items handed to the writer, once they are written; the lines
        whose bulk creation failed are stored one by one, here."""
        done = self.writer.collect()
        if done is None:
            return []
        results, refused = done
        return results + [self.store_one(*line) for line in refused]

    def create_in_bulk(self, lines):
        """Results of the lines that fail the checks `store` makes; the others are handed to
        the writer (`write_bulk`), once the batch before is written: the results of that batch
        are returned too."""
        results, checked, items = [], [], []
        for number, parsed in lines:
            item = new_item(parsed)
            try:
                # The constraints are left to the database (a failure falls back to `store`);
                # the choices were checked when the line was read. What is left to check is
                # the length of the texts: Django's full_clean, with its message, only for an
                # item that fails the quick look.
                if not fits(item):
                    item.full_clean(
                        exclude=CHECKED_WHEN_READ, validate_unique=False, validate_constraints=False
                    )
            except ValidationError as error:
                results.append(Result(number, "failed", [validation_message(error)]))
                continue
            checked.append((number, parsed))
            items.append(item)
        results += self.collect_bulk()
        if checked:
            self.writer.submit(self.write_bulk, checked, items)
        return results

    def write_bulk(self, checked, items):
        """(results, lines to store one by one instead): the new items created together, or —
        should that fail — handed back to be stored one by one. In the writer's thread."""
        try:
            create_all(
                [parsed for _, parsed in checked],
                items,
                tag_ids=self.tag_ids,
                names_cache=self.names_cache,
            )
        except (DatabaseError, LineError):
            self.tag_ids.clear()  # tags created in the failed batch were rolled back with it
            return [], checked
        return [Result(number, "created", parsed.warnings) for number, parsed in checked], []

    def store_one(self, number, parsed):
        try:
            outcome = store(parsed, write_files=not self.dry_run, line_of=self.ledger)
        except LineError as error:
            return Result(number, "failed", [str(error)])
        return Result(number, outcome, parsed.warnings)


# The columns full_clean would check after CHECKED_WHEN_READ: texts with a length limit (the
# slug's form and its reserved names are checked when the line is read).
LIMITED_TEXTS = [
    (field.attname, field.max_length)
    for field in NewsItem._meta.concrete_fields
    if field.max_length and field.name not in CHECKED_WHEN_READ
]


def fits(item):
    """Whether full_clean would find nothing wrong with a new item of a line that was read."""
    values = item.__dict__
    return (
        all(len(values[name] or "") <= limit for name, limit in LIMITED_TEXTS)
        and item.title.strip() != ""
        and item.slug not in RESERVED_SLUGS
    )


def named_slug(data):
    """The slug a line names, if it is one, even when the line fails: kept for the messages of
    later lines ("no such item (line 2, which has it, failed)")."""
    try:
        slug = line_slug(data)
    except LineError:
        return None
    return slug if slug and slugify(slug) == slug else None


def is_unchanged(record, renditions, parsed):
    """`store`'s test, without its row lock, on a stored record (`stored_records`): nothing is
    written for the line."""
    photo = parsed.values["image"]
    if photo and (record["image"] != photo or not has_renditions(renditions)):
        return False
    return same_record(record, parsed.record())

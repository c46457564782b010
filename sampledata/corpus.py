"""A deterministic synthetic news corpus for benchmarks (`manage.py generate_news`).

It looks like the real archive: items from 1997 to a fixed end date, more of them in later years,
issued in Vienna working hours by bodies that publish at very different rates (the Secretariat,
ODIHR, the Mission in Kosovo and, in 2014-2022, the Special Monitoring Mission to Ukraine most of
all). A field operation writes about its own country and only in the years it worked, under the
name it had on the day, so every former name of a structure appears on some items.

Everything is drawn from one `random.Random(seed)` and the taxonomy in the database, never from the
clock: the same count and seed give byte-identical `export_news` output on any machine. Hence the
fixed end date (`CORPUS_END`) rather than "yesterday", and the few scheduled items dated in
`SCHEDULED_YEAR` (2099), far enough ahead to stay scheduled whenever the corpus is used.

Generated items carry the tag `generated` and the slug `gen-<seed>-<number>-<title words>`, so
they never collide with real items and `--replace` can find them again.

This module holds what every part relies on: the span, the marks of a generated item and the
limits. The parts: `generator.generate()` reads the taxonomy once (`taxonomy.py`), plans each
item (`planner.py`: date, issuing bodies, type, status, countries, fields of work) and writes
it (`writer.py`) in the words of `vocabulary.py`."""

import datetime
from zoneinfo import ZoneInfo

CORPUS_START = datetime.date(1997, 1, 1)
CORPUS_END = datetime.date(2026, 10, 31)  # the day before the fixed anchor, 1 November 2026
SCHEDULED_YEAR = 2099
VIENNA = ZoneInfo("Europe/Vienna")
SLUG_PREFIX = "gen-"
SLUG_PATTERN = r"^gen-[0-9]+-[0-9]+-"  # what `--replace` deletes: only slugs made here
GENERATED_TAG = "generated"
MAX_COUNT = 2_000_000


class CorpusError(Exception):
    """The corpus cannot be made; the message says why."""

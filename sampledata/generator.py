"""`generate()`: the corpus, made one item at a time from one `random.Random(seed)`."""

import random

from news.models import NewsItem

from .corpus import CORPUS_END
from .planner import Planner
from .russian import russian_line, wants_russian
from .taxonomy import Taxonomy
from .writer import Writer


def generate(count, seed, *, until=CORPUS_END, taxonomy=None):
    """`count` parsed lines of a synthetic corpus, oldest first, made one at a time: hand them to
    `news.jsonl_store.create_all` in batches (which cleans their bodies, as it stores them).
    Some stories come with a Russian version right after them (sampledata/russian.py); each
    takes the place of the next published plan, so that the corpus still has `count` items
    spread over the whole period. `taxonomy`: read from the database when not given."""
    taxonomy = Taxonomy() if taxonomy is None else taxonomy
    rng = random.Random(seed)
    writer = Writer(rng, seed)
    plans = enumerate(Planner(taxonomy, rng, until=until).plans(count), start=1)
    skip_next = False
    for number, plan in plans:
        if skip_next and plan.status == NewsItem.Status.PUBLISHED:
            skip_next = False
            continue
        line = writer.line(plan, number)
        yield line
        if number < count and wants_russian(plan, rng):
            yield russian_line(line, plan, rng)
            skip_next = True

"""`generate()`: the corpus, made one item at a time from one `random.Random(seed)`."""

import random

from .corpus import CORPUS_END
from .planner import Planner
from .taxonomy import Taxonomy
from .writer import Writer


def generate(count, seed, *, until=CORPUS_END):
    """`count` parsed lines of a synthetic corpus, oldest first, made one at a time: hand them to
    `news.jsonl.create_all` in batches."""
    taxonomy = Taxonomy()
    rng = random.Random(seed)
    writer = Writer(rng, seed)
    for number, plan in enumerate(Planner(taxonomy, rng, until=until).plans(count), start=1):
        yield writer.line(plan, number)

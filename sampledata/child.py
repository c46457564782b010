"""The corpus made in a child process, a batch ahead of the one being stored.

Made in one process, a million items took 18 minutes on a 2-core machine: PostgreSQL computing
the search documents (58% of the time) waited for Python writing the items (42%), and the
other way round (bench/README.md). A child process writes the next batch while the command's
own process stores the one before, so the two share the cores.

The taxonomy is read before the child is forked and the child inherits it: the child never
queries the database, so it sees what the command's transaction sees (a test's, an in-memory
SQLite database) and never speaks on the parent's connection, which it inherits too; a query
it tried anyway fails loudly (`refuse_queries`)."""

import multiprocessing
import queue
import traceback
from dataclasses import replace
from itertools import islice

from django.db import connections

from news.jsonl_store import new_item

from .corpus import CorpusError
from .generator import generate

# Batches written ahead of the one being stored: a second one would only hold memory.
AHEAD = 1
# How often the parent looks whether a child that sends nothing is still alive (seconds).
POLL_SECONDS = 1.0
DONE = "done"


def refuse_queries(execute, sql, params, many, context):
    raise CorpusError("the corpus's child process may not query the database (sampledata/child.py)")


def write(batches, count, seed, until, taxonomy, size):
    """The child: each batch as (parsed lines without their values, their unsaved items), then
    DONE, or the error."""
    for alias in connections:
        connections[alias].execute_wrappers.append(refuse_queries)
    try:
        lines = generate(count, seed, until=until, taxonomy=taxonomy)
        while batch := list(islice(lines, size)):
            items = [new_item(line) for line in batch]
            # The items carry the lines' values; sent twice, they cost a third more to pickle.
            batches.put(([replace(line, values={}) for line in batch], items))
        batches.put(DONE)
    except CorpusError as error:
        batches.put(error)
    except BaseException:  # a fault in the generator: the parent reports it with its traceback
        batches.put(CorpusError(f"the corpus could not be written:\n{traceback.format_exc()}"))


def batches_from_child(count, seed, *, until, taxonomy, size):
    """(lines, items) batches of `generate(count, seed)`, written by a child process while the
    caller stores the batch before. The child is stopped when the caller stops early."""
    context = multiprocessing.get_context("fork")
    batches = context.Queue(maxsize=AHEAD)
    child = context.Process(
        target=write,
        args=(batches, count, seed, until, taxonomy, size),
        name="generate_news-writer",
        daemon=True,
    )
    child.start()
    try:
        while True:
            try:
                batch = batches.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not child.is_alive():
                    raise CorpusError(
                        f"the process writing the corpus ended without a word (exit code "
                        f"{child.exitcode})"
                    ) from None
                continue
            if batch == DONE:
                return
            if isinstance(batch, CorpusError):
                raise batch
            yield batch
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        batches.close()

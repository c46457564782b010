"""Where `import_news` writes the new items of a batch (news/import_batches.py): on a second
database connection, in a thread of its own, while the run reads and checks the next batch.

Half the time of an import of new items is the database's (COPY, the search documents, their
index, the commit), the other half Python's (reading JSON, cleaning HTML, checking names). One
after the other, a 100,000-line file took 51 s on a 2-core machine; side by side, 38 s. The
writer keeps one batch in flight: the run hands it a batch only once the batch before is written
(`collect`), so that batches still go in in the order of the file, and whatever the run writes
itself (a changed item, a line the bulk creation refused) is written when no batch is in flight.
What the run reads while a batch is in flight (the items its next slugs already have, the
ledger) does not depend on that batch: a slug that a batch in flight holds is refused by the
ledger as already used, before any item is read.

The thread is used on PostgreSQL, outside a transaction of the caller's: a dry run (one
transaction, rolled back) and a caller's atomic block (the tests') write in place
(`InlineWriter`), as does SQLite, whose writers wait for each other anyway."""

from concurrent.futures import ThreadPoolExecutor

from django.db import connection, connections


class InlineWriter:
    """`submit` writes at once; `collect` hands back what it returned."""

    def __init__(self):
        self.done = None

    def submit(self, write, *args):
        self.done = write(*args)

    def collect(self):
        done, self.done = self.done, None
        return done

    def close(self):
        self.done = None


class ThreadWriter:
    """`submit` starts the writing in the writer's thread, on its own connection; `collect`
    waits for it to end and hands back what it returned (or raises what it raised)."""

    def __init__(self):
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer")
        self.pending = None

    def submit(self, write, *args):
        if self.pending is not None:
            raise RuntimeError("a batch is in flight: collect it first")
        self.pending = self.executor.submit(write, *args)

    def collect(self):
        pending, self.pending = self.pending, None
        return None if pending is None else pending.result()

    def close(self):
        """Wait for the batch in flight (it is committed or rolled back whole, never cut off),
        then close the writer's connection and end its thread."""
        try:
            if self.pending is not None:
                self.pending.exception()  # waited for; any error was the run's to report
                self.pending = None
            self.executor.submit(connections.close_all).result()
        finally:
            self.executor.shutdown()


def writer_for(*, dry_run):
    """The writer a run can use: a thread where the batches commit on their own."""
    if dry_run or connection.vendor != "postgresql" or connection.in_atomic_block:
        return InlineWriter()
    return ThreadWriter()

"""Which database a request reads: a read replica for a public read, the primary (`default`)
for everything else.

ReplicaMiddleware (middleware.py) decides once per request and keeps the decision in a context
variable, which ReplicaRouter (settings.DATABASE_ROUTERS) and `read_alias()` read. Outside a
request (commands, the shell, the tests) nothing is decided, and the router leaves every query
where Django would send it without replicas: to the primary."""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# Set on the answer to any request that wrote, or may have (any method but GET and HEAD), for a
# little longer than a replica may be behind (middleware.py): while a client sends it, its
# requests read the primary and are never answered from the page cache, so it sees its own
# change at once.
COOKIE_NAME = "recent_write"

# The statements that change rows, by their first word, as the ORM writes them. Watched on the
# primary's connection rather than guessed from the router: Django asks it for a database to
# write to when nothing is written (an object assigned to a relation of another,
# get_or_create() that finds one).
WRITES = {"INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "COPY"}


@dataclass
class Reading:
    """The reads of one request: from `replica` (an alias of settings.DATABASE_REPLICAS), or
    from the primary if None; from the primary in any case once the request has written, so
    that it reads what it wrote."""

    replica: str | None
    wrote: bool = False

    @property
    def alias(self):
        return DEFAULT_DB_ALIAS if self.replica is None or self.wrote else self.replica

    def watch(self, execute, sql, params, many, context):
        """An execute wrapper of the primary's connection (Django's database instrumentation):
        a statement that changes rows makes the request a writer from then on."""
        first_word = sql.split(None, 1)[:1]
        if first_word and first_word[0].upper() in WRITES:
            self.wrote = True
        return execute(sql, params, many, context)


_reading = ContextVar("replica_reading", default=None)


@contextmanager
def reading(replica):
    """The reads of the request inside the block: from `replica`, or the primary if None."""
    current = Reading(replica)
    token = _reading.set(current)
    try:
        with connections[DEFAULT_DB_ALIAS].execute_wrapper(current.watch):
            yield current
    finally:
        _reading.reset(token)


def current_reading():
    """The Reading of the request being answered; None outside requests or without replicas."""
    return _reading.get()


def read_alias():
    """The alias public reads use in the current request: a replica's, or "default" (outside
    requests, without replicas, and after the request has written). Code that reads through
    `django.db.connection` rather than the ORM reads `connections[read_alias()]` instead."""
    current = _reading.get()
    return DEFAULT_DB_ALIAS if current is None else current.alias


class ReplicaRouter:
    """Reads go where the request's Reading says; writes to the primary, always (Django's
    fallback would be the database the object was read from). Objects of the primary and of its
    replicas may be related: they are copies of one database. No table is ever made on a
    replica: it has the primary's."""

    def db_for_read(self, model, **hints):
        current = _reading.get()
        return None if current is None else current.alias

    def db_for_write(self, model, **hints):
        return None if _reading.get() is None else DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        copies = {DEFAULT_DB_ALIAS, *settings.DATABASE_REPLICAS}
        return True if {obj1._state.db, obj2._state.db} <= copies else None

    def allow_migrate(self, db, app_label, **hints):
        return False if db in settings.DATABASE_REPLICAS else None

"""Whether each read replica may serve reads now, as this process sees it.

A replica is used while it answers and is at most settings.DATABASE_REPLICA_MAX_LAG seconds
behind the primary. Each process checks each replica at most once every CHECK_INTERVAL seconds,
at the start of the first request that needs to know: one query on the primary for all of
them, one on each replica due.

How far behind: the primary's WAL position is read first, then the replica's replay position.
If the replica has replayed that position, it holds every transaction committed before the
check: it is not behind at all, however old its last replayed transaction. Only when it has not
is its lag taken from the clock, as `now() - pg_last_xact_replay_timestamp()`: the age of the
last transaction it replayed, which what it shows is at least as new as (it errs on the safe
side: that transaction may have been followed by none for a while). The clock alone would be
wrong on a quiet site: after an hour without a write, the last replayed transaction is an hour
old while the replica is fully current. Commit times are the primary's clock and now() the
replica's: keep them in step (NTP).

A replica that fails, in its check or under a request's query, is down: unused, and checked
again after a back-off that doubles from FIRST_BACKOFF to MAX_BACKOFF seconds while it stays
down, so that a dead one costs each process a connection attempt every few seconds at most."""

import logging
import random
import time
from contextlib import suppress
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

CHECK_INTERVAL = 1.0  # seconds between two checks of a replica, per process
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 10.0

# WAL positions as numbers, bytes from the start of the log: comparable in Python.
PRIMARY_POSITION = "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"
REPLAYED_POSITION = "SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn"
REPLICA_STATE = (
    "SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn, "
    "extract(epoch FROM now() - pg_last_xact_replay_timestamp())"
)


@dataclass
class Health:
    usable: bool = False
    next_check_at: float = float("-inf")  # time.monotonic()
    # The WAL position the replica was last seen to have replayed: a lower bound from then on.
    replayed: int = -1
    failures: int = 0  # in a row


_health = {}


def health_of(alias):
    return _health.setdefault(alias, Health())


def forget():
    """Forget what this process knows of its replicas (the tests, as they stop and start them)."""
    _health.clear()


def choose_replica():
    """A replica for a public read, at random among those usable now; None: read the primary."""
    usable = usable_replicas()
    return random.choice(usable) if usable else None


def usable_replicas():
    now = time.monotonic()
    due = [alias for alias in settings.DATABASE_REPLICAS if now >= health_of(alias).next_check_at]
    if due:
        check(due, now)
    return [
        alias
        for alias in settings.DATABASE_REPLICAS
        if health_of(alias).usable and not has_failed(alias)
    ]


def has_failed(alias):
    """Whether the replica's connection in this thread has failed since it last connected:
    Django flags a connection after any error that may have broken it (all but DataError and
    IntegrityError) and clears the flag when it connects again. A replica is chosen for a
    request only without the flag, so the flag after the request says it failed during it."""
    return connections[alias].errors_occurred


def check(aliases, now):
    try:
        primary = primary_wal_position()
    except DatabaseError as error:
        # No lag can be measured without the primary's position: no replica until the next check.
        logger.warning("read replicas unused: the primary's WAL position is unknown (%s)", error)
        for alias in aliases:
            set_usable(alias, False, now, "its lag cannot be measured")
        return
    for alias in aliases:
        check_replica(alias, primary, now)


def check_replica(alias, primary, now):
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(REPLICA_STATE)
            replayed, seconds_behind = cursor.fetchone()
    except DatabaseError as error:
        mark_down(alias, error)
        return
    health = health_of(alias)
    health.failures = 0
    # None when the server is not a standby, or is behind and has replayed no transaction since
    # it started: how far behind is then unknown, and it is not used.
    health.replayed = -1 if replayed is None else int(replayed)
    lag = 0.0 if replayed is not None and replayed >= primary else seconds_behind
    within_bound = lag is not None and float(lag) <= settings.DATABASE_REPLICA_MAX_LAG
    why = "its lag is unknown" if lag is None else f"{float(lag):.1f} s behind the primary"
    set_usable(alias, within_bound, now, why)


def set_usable(alias, usable, now, why):
    health = health_of(alias)
    if usable != health.usable:
        if usable:
            logger.warning("read replica %s is in use", alias)
        else:
            logger.warning("read replica %s is not used: %s", alias, why)
    health.usable, health.next_check_at = usable, now + CHECK_INTERVAL


def mark_down(alias, error):
    """The replica failed: unused until a check after the back-off finds it well. Its broken
    connection is closed, so that the check connects afresh."""
    health = health_of(alias)
    health.failures += 1
    backoff = min(FIRST_BACKOFF * 2 ** (health.failures - 1), MAX_BACKOFF)
    health.usable, health.next_check_at = False, time.monotonic() + backoff
    with suppress(DatabaseError):
        connections[alias].close()
    logger.warning(
        "read replica %s is down (%s): reads go to the primary; next try in %.0f s",
        alias,
        str(error).strip() or type(error).__name__,
        backoff,
    )


def primary_wal_position():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(PRIMARY_POSITION)
        return int(cursor.fetchone()[0])


def has_replayed(alias, position):
    """Whether the replica has replayed the primary's WAL up to `position`, so that whatever is
    read from it from now on holds every transaction committed before that point. Its last
    check may say so already; if not, one query asks it."""
    health = health_of(alias)
    if health.replayed < position:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute(REPLAYED_POSITION)
                (replayed,) = cursor.fetchone()
        except DatabaseError:
            # Its connection is flagged: the request is answered again on the primary, and the
            # replica marked down, by ReplicaMiddleware.
            return False
        health.replayed = -1 if replayed is None else int(replayed)
    return health.replayed >= position

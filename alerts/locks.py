"""One pass at a time where passes would otherwise wait on each other's rows.

Announcing and planning write rows under unique constraints that two passes may both be about
to write (the same item's announcement, the same subscriber's digest): each waits for the
other's transaction, and two such waits in opposite order are a deadlock (seen with two passes
over 10,000 subscribers' digests). A transaction-level advisory lock makes those two short steps
take turns on PostgreSQL; sending, the long step, still runs side by side (SKIP LOCKED). SQLite
lets one writer in at a time anyway."""

from django.db import connection

KEYS = {"announce": 0x616C_0001, "plan": 0x616C_0002}  # "al…": this app's advisory lock keys


def take_turns(step):
    """Within a transaction: wait until no other pass is in `step`, until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [KEYS[step]])

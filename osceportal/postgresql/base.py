"""Django's PostgreSQL backend, with a health check that costs no round trip.

With CONN_HEALTH_CHECKS, before a request's first statement on a connection kept from an
earlier request, Django asks the server `SELECT 1`: a round trip on every request (0.35-0.4 ms
on the bench machine, about 4% of an article page). A connection the server has ended (a
restart, a failover, `pg_terminate_backend`, an idle timeout) has its farewell waiting on the
socket: the error PostgreSQL sends before it closes, then the end of the stream. An idle
connection that is well has nothing to read. So the socket is looked at first, without
waiting; only when something waits there is the server asked, as Django asks it."""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
            waiting = poller.poll(0)
        except (OSError, ValueError):
            return False
        return not waiting or super().is_usable()

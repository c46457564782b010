"""What one run of `import_news` must remember about the lines it has read, kept in TEMP tables
of its database session rather than in Python: which line first took each slug (a second line
with it is refused), the last line that named it (for messages such as "line 2, which has it,
failed"), and the translations waiting for a source that no earlier line named. A run reads a
file of any size, from a pipe too, once: its memory must not grow with the file, and a million
slugs are nothing to the database. Each batch of lines costs a few queries here.

TEMP tables live as long as the database connection and are seen by no other: two imports
running at once do not meet, and a dry run's rolled-back transaction takes them with it."""

from django.db import connection

SLUGS = "news_import_slugs"
WAITING = "news_import_waiting"


def temp(table):
    # Qualified, so that a real table of the same name is never the one read or dropped.
    return f"{'pg_temp' if connection.vendor == 'postgresql' else 'temp'}.{table}"


def placeholders(values):
    return ", ".join(["%s"] * len(values))


class Ledger:
    """The slugs and waiting lines of one run. Also a read-only mapping {slug: the last line
    that named it}, the `line_of` that news/jsonl_store.py's messages take."""

    def __init__(self):
        with connection.cursor() as cursor:
            self.drop(cursor)
            cursor.execute(
                f"CREATE TEMP TABLE {SLUGS} "
                "(slug TEXT PRIMARY KEY, taken INTEGER, named INTEGER NOT NULL)"
            )
            cursor.execute(
                f"CREATE TEMP TABLE {WAITING} (number INTEGER PRIMARY KEY, "
                "slug TEXT NOT NULL UNIQUE, source TEXT NOT NULL, line TEXT NOT NULL)"
            )

    def drop(self, cursor=None):
        if cursor is None:
            with connection.cursor() as cursor:
                return self.drop(cursor)
        for table in (SLUGS, WAITING):
            cursor.execute(f"DROP TABLE IF EXISTS {temp(table)}")
        return None

    # --- slugs --------------------------------------------------------------------------------

    def lines_of(self, slugs):
        """{slug: (line that took it or None, last line that named it)} of those of `slugs`
        that earlier batches named."""
        slugs = list(slugs)
        if not slugs:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT slug, taken, named FROM {temp(SLUGS)} "
                f"WHERE slug IN ({placeholders(slugs)})",
                slugs,
            )
            return {slug: (taken, named) for slug, taken, named in cursor.fetchall()}

    def note(self, rows):
        """Record a batch: rows of (slug, line that took it or None, last line that named it).
        The first line to take a slug keeps it."""
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {temp(SLUGS)} AS ledger (slug, taken, named) VALUES (%s, %s, %s) "
                "ON CONFLICT (slug) DO UPDATE SET named = excluded.named, "
                "taken = COALESCE(ledger.taken, excluded.taken)",
                rows,
            )

    def get(self, slug, default=None):
        found = self.lines_of([slug]).get(slug)
        return found[1] if found else default

    def __contains__(self, slug):
        return self.get(slug) is not None

    def __getitem__(self, slug):
        found = self.get(slug)
        if found is None:
            raise KeyError(slug)
        return found

    # --- translations waiting for their source --------------------------------------------------

    def waiting_among(self, slugs):
        """Those of `slugs` whose lines wait."""
        slugs = list(slugs)
        if not slugs:
            return set()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT slug FROM {temp(WAITING)} WHERE slug IN ({placeholders(slugs)})", slugs
            )
            return {slug for (slug,) in cursor.fetchall()}

    def hold(self, rows):
        """Rows of (line number, slug, source slug, the line's text) to store at the end."""
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {temp(WAITING)} (number, slug, source, line) "
                    "VALUES (%s, %s, %s, %s)",
                    rows,
                )

    def ready(self, limit):
        """Up to `limit` waiting lines, as (number, text), whose source waits no more; they
        leave the table."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT number, line FROM {temp(WAITING)} AS w WHERE NOT EXISTS "
                f"(SELECT 1 FROM {temp(WAITING)} AS s WHERE s.slug = w.source) "
                "ORDER BY number LIMIT %s",
                [limit],
            )
            found = cursor.fetchall()
            numbers = [number for number, _line in found]
            if numbers:
                cursor.execute(
                    f"DELETE FROM {temp(WAITING)} WHERE number IN ({placeholders(numbers)})",
                    numbers,
                )
        return found

    def stuck(self):
        """(number, source slug) of the lines still waiting once no more can be stored: a loop
        of translations."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT number, source FROM {temp(WAITING)} ORDER BY number")
            return cursor.fetchall()

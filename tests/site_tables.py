"""The site's tables as a test left them, copied out and put back with PostgreSQL's COPY.

A transactional test (the live-server and browser tests, the listing index's and the search
words' tests) ends by emptying the database. The tests after it need the taxonomy, and the browser
tests the demo news too. `load_reference_data` takes about 2.5 s to put the taxonomy back and
loaddata 1.3 s for the demo news; COPY puts back the same rows, keys included, in a third of
that (the database's triggers run on them as on any insert).

Only the site's own apps are copied. Users, groups and permissions are not: the flush makes the
permissions again under new keys, so the groups are made again from them by `ensure_groups`, as
`load_reference_data` does."""

from dataclasses import dataclass

from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction

from news.permissions import ensure_groups

SITE_APPS = ("countries", "structures", "news", "taggit")


@dataclass(frozen=True)
class TableCopy:
    table: str
    columns: tuple
    rows: bytes
    # The sequence of its key and the key's column, for a table with one.
    sequence: str | None
    key: str | None


def site_models():
    for label in SITE_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                yield model


def copy_site_tables():
    """The rows of every table of the site's apps, as they are now."""
    copies = []
    with connection.cursor() as cursor:
        for model in site_models():
            table = model._meta.db_table
            columns = tuple(field.column for field in model._meta.local_concrete_fields)
            listed = ", ".join(connection.ops.quote_name(column) for column in columns)
            chunks = []
            with cursor.copy(
                f"COPY {connection.ops.quote_name(table)} ({listed}) TO STDOUT (FORMAT binary)"
            ) as copy:
                chunks.extend(bytes(chunk) for chunk in copy)
            key = model._meta.pk.column
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, key])
            sequence = cursor.fetchone()[0]
            copies.append(TableCopy(table, columns, b"".join(chunks), sequence, key))
    return copies


def put_back(copies):
    """Empty the site's tables and fill them with `copies`, in one transaction. The database's
    triggers run as they do for any insert (loaddata's included): they keep the search
    documents, log the changes the listing index reads and move the taxonomy's version on, so
    that no process keeps what it knew of the tables before. The foreign keys are checked at the
    commit (Django makes them deferrable), so the tables go in in any order. Then the editors'
    groups, made again as the loader makes them."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(quote(copy.table) for copy in copies)} CASCADE")
        for copy in copies:
            listed = ", ".join(quote(column) for column in copy.columns)
            with cursor.copy(
                f"COPY {quote(copy.table)} ({listed}) FROM STDIN (FORMAT binary)"
            ) as stream:
                stream.write(copy.rows)
            if copy.sequence:
                cursor.execute(
                    f"SELECT setval(%s, COALESCE(MAX({quote(copy.key)}), 0) + 1, false) "
                    f"FROM {quote(copy.table)}",
                    [copy.sequence],
                )
        ensure_groups()


def put_back_reference_data(copies):
    """The taxonomy as `django_db_setup` loaded it: its copy, or the loader where the database
    cannot copy (SQLite)."""
    if copies is None:
        call_command("load_reference_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    else:
        put_back(copies)

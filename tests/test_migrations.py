"""Migrations run forward and backward on PostgreSQL: every app migrated to zero leaves nothing
behind (tables, indexes, the search triggers and functions), migrating forward again gives the
same schema, and the models hold no change without its migration.

A database of its own, created here, with `manage.py` in a separate process: the test database
of the suite is never migrated backward under the other tests."""

import json
import os
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection
from psycopg import sql

# Unapplied in this order; `migrate APP zero` also unapplies whatever depends on APP.
APPS_TO_ZERO = [
    "news",
    "structures",
    "countries",
    "axes",
    "reversion",
    "taggit",
    "admin",
    "sessions",
    "auth",
    "contenttypes",
]
# What may remain in the public schema once everything is at zero: Django's own record.
LEFT_AT_ZERO = {
    ("table", "django_migrations"),
    ("index", "django_migrations_pkey"),
    ("sequence", "django_migrations_id_seq"),
}


def database_url(name):
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    return f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_migrations_{os.getpid()}"
    identifier = sql.Identifier(name)
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(identifier))
    yield database_url(name)
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))


def manage(url, *arguments):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": url}
    completed = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def schema(url):
    """The schema as pg_dump writes it, less the random key of its \\restrict lines."""
    dump = subprocess.run(
        ["pg_dump", "--schema-only", "--no-owner", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return [
        line for line in dump.splitlines() if not line.startswith(("\\restrict", "\\unrestrict"))
    ]


def task_queue_objects(url):
    """The table of django-tasks-db's queue and its indexes and sequences. Its migration 0013
    cannot be unapplied (it has no reverse), so the queue stays at zero; it depends on nothing of
    ours, and nothing of ours on it."""
    with psycopg.connect(url) as database:
        rows = database.execute(
            "SELECT CASE c.relkind WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' ELSE 'table' "
            "END, c.relname FROM pg_class c LEFT JOIN pg_index i ON i.indexrelid = c.oid "
            "WHERE c.relnamespace = 'public'::regnamespace AND ("
            "c.relname LIKE 'django_tasks_database%' OR i.indrelid = "
            "'django_tasks_database_dbtaskresult'::regclass)"
        ).fetchall()
    return set(rows)


def public_objects(url):
    """(kind, name) of every table, index, trigger and function in the public schema."""
    with psycopg.connect(url) as database:
        relations = database.execute(
            "SELECT CASE relkind WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' "
            "ELSE 'table' END, relname FROM pg_class "
            "WHERE relnamespace = 'public'::regnamespace"
        ).fetchall()
        functions = database.execute(
            "SELECT 'function', proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
        ).fetchall()
        triggers = database.execute(
            "SELECT 'trigger', tgname FROM pg_trigger WHERE NOT tgisinternal"
        ).fetchall()
    return set(relations + functions + triggers)


# Run by `manage.py shell`: news migrated one step at a time from zero to the latest and back,
# printing the schema after each step as lines `STEP [direction, migration, schema]`.
STEP_THROUGH_NEWS = """
import json, os, subprocess
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

def schema():
    dump = subprocess.run(
        ["pg_dump", "--schema-only", "--no-owner", os.environ["DATABASE_URL"]],
        capture_output=True, text=True, check=True,
    ).stdout
    return [l for l in dump.splitlines() if not l.startswith(("\\\\restrict", "\\\\unrestrict"))]

names = sorted(name for app, name in MigrationLoader(connection).disk_migrations if app == "news")
steps = [("up", name) for name in ["zero", *names]]
steps += [("down", name) for name in reversed(["zero", *names[:-1]])]
for direction, name in steps:
    call_command("migrate", "news", name, verbosity=0)
    print("STEP", json.dumps([direction, name, schema()]))
"""


def test_each_news_migration_reverses_to_the_schema_before_it(fresh_database):
    manage(fresh_database, "migrate", "--no-input")
    output = manage(fresh_database, "shell", "-c", STEP_THROUGH_NEWS)
    schemas = {"up": {}, "down": {}}
    for line in output.splitlines():
        if not line.startswith("STEP "):
            continue  # what the migrations themselves print
        direction, name, lines = json.loads(line.removeprefix("STEP "))
        schemas[direction][name] = lines
    assert len(schemas["down"]) >= 7  # zero and every migration but the latest
    for name, lines in schemas["down"].items():
        assert lines == schemas["up"][name], f"migrating news back to {name}"


def test_every_migration_reverses_to_zero_and_forward_again_to_the_same_schema(fresh_database):
    manage(fresh_database, "migrate", "--no-input")
    migrated = schema(fresh_database)
    assert any("news_search_document" in line for line in migrated)  # the search functions

    unapply = "; ".join(f"call_command('migrate', '{app}', 'zero')" for app in APPS_TO_ZERO)
    manage(
        fresh_database, "shell", "-c", f"from django.core.management import call_command; {unapply}"
    )
    assert public_objects(fresh_database) - task_queue_objects(fresh_database) == LEFT_AT_ZERO

    manage(fresh_database, "migrate", "--no-input")
    assert schema(fresh_database) == migrated


def test_models_have_no_change_without_a_migration(fresh_database):
    manage(fresh_database, "makemigrations", "--check", "--dry-run")

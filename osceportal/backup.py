"""Backups of the site: the PostgreSQL database and the uploaded media, and their restore.

A backup is a folder:

    db.dump         pg_dump --format=custom of the database (restored with pg_restore)
    media.tar.gz    every file under MEDIA_ROOT, paths relative to it
    manifest.json   when, what database, the size and SHA-256 of both files, each media file's
                    SHA-256, and the migrations applied (what the code must be at to read it)

`python manage.py backup` / `restore` (and `make backup` / `make restore BACKUP=dir`) call this
with the settings' database and MEDIA_ROOT. A restore checks the checksums first and refuses a
database that already has tables, or a MEDIA_ROOT that already has files, unless forced.
"""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import psycopg

DUMP = "db.dump"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"
TIMEOUT = 6 * 3600  # a dump or restore of a large archive takes minutes, never hours


class BackupError(Exception):
    """The message says what is wrong and what to do."""


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def postgres_arguments(database):
    """Connection options and environment of pg_dump/pg_restore for a Django DATABASES entry."""
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError(
            f"backups need PostgreSQL (pg_dump); this database is {database['ENGINE']}. "
            "Set DATABASE_URL to the PostgreSQL database."
        )
    arguments = ["--dbname", database["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            arguments += [option, str(database[key])]
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    return arguments, env


def run(command, env):
    try:
        completed = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client "
            "(Debian: apt-get install postgresql-client), the same major version as the server."
        ) from None
    if completed.returncode != 0:
        raise BackupError(f"{command[0]} failed: {completed.stderr.strip()}")


def media_files(media_root):
    """Every file under MEDIA_ROOT, by its path relative to it (POSIX form)."""
    root = Path(media_root)
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def backup(database, media_root, destination, migrations=()):
    """Write a backup of `database` (a DATABASES entry) and `media_root` into the new folder
    `destination`; returns its manifest."""
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=False)
    arguments, env = postgres_arguments(database)
    run(["pg_dump", "--format=custom", "--file", str(destination / DUMP), *arguments], env)
    files = media_files(media_root)
    with tarfile.open(destination / MEDIA, "w:gz") as archive:
        for name, path in files.items():
            archive.add(path, arcname=name, recursive=False)
    manifest = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database["NAME"],
        "migrations": list(migrations),
        "files": {
            name: {
                "bytes": (destination / name).stat().st_size,
                "sha256": sha256(destination / name),
            }
            for name in (DUMP, MEDIA)
        },
        "media": {name: sha256(path) for name, path in files.items()},
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def read_manifest(source):
    """The manifest of the backup in `source`, once both files match their checksums."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(
            f"{source} is not a backup folder: no readable {MANIFEST} ({error})"
        ) from None
    for name, expected in manifest["files"].items():
        path = source / name
        if not path.is_file() or sha256(path) != expected["sha256"]:
            raise BackupError(f"{path} is missing or damaged: its SHA-256 is not the manifest's")
    return manifest


def table_count(database):
    """Tables in the target database outside PostgreSQL's own schemas."""
    settings = {"dbname": "NAME", "host": "HOST", "port": "PORT", "user": "USER"}
    with psycopg.connect(
        **{option: database[key] for option, key in settings.items() if database.get(key)},
        password=database.get("PASSWORD") or None,
        connect_timeout=10,
    ) as connection:
        return connection.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()[0]


def restore(source, database, media_root, *, force=False):
    """Restore the backup in `source` into `database` and `media_root`. Without `force`, both
    must be empty; with it, the database's objects and MEDIA_ROOT's files are replaced."""
    manifest = read_manifest(source)
    source, media_root = Path(source), Path(media_root)
    arguments, env = postgres_arguments(database)
    tables = table_count(database)
    if tables and not force:
        raise BackupError(
            f"database {database['NAME']} already has {tables} tables; restore into an empty "
            "database (createdb), or force it (FORCE=1, --force) to replace its contents."
        )
    if media_files(media_root) and not force:
        raise BackupError(
            f"{media_root} already holds files; empty it, or force the restore (FORCE=1, "
            "--force) to replace them."
        )
    # --no-owner, --no-privileges: the objects belong to whoever restores, whatever role
    # owned them where the dump was made. --exit-on-error: a half-restored database says so.
    options = ["--no-owner", "--no-privileges", "--exit-on-error"]
    if force:
        options += ["--clean", "--if-exists"]
    run(["pg_restore", *options, *arguments, str(source / DUMP)], env)
    if force and media_root.exists():
        shutil.rmtree(media_root)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / MEDIA, "r:gz") as archive:
        archive.extractall(media_root, filter="data")  # no paths outside MEDIA_ROOT, no links
    return manifest

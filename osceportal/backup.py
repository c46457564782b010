"""Backups of the site: the PostgreSQL database and both media folders, and their restore.

A backup is a folder, readable by its owner only (0700, its files 0600: it holds every account's
password hash and every draft):

    db.dump               pg_dump --format=custom of the database (restored with pg_restore)
    media.tar.gz          every file under MEDIA_ROOT, paths relative to it
    private-media.tar.gz  every file under PRIVATE_MEDIA_ROOT, the same way
    manifest.json         when, what database, the size and SHA-256 of each file above, each
                          media file's SHA-256 ("media", "private_media"), and the migrations
                          applied (what the code must be at to read it)

`python manage.py backup` / `restore` (and `make backup` / `make restore BACKUP=dir`) call this
with the settings' database and media folders. A restore checks the checksums first and refuses
a database that already has tables, or a media folder that already has files, unless forced.

A restore that fails leaves the old data whole. It unpacks each archive into a new folder beside
the one it replaces, then runs pg_restore in one transaction, and only once that has committed
swaps the folders by renaming them (atomic within one filesystem). A backup made before
PRIVATE_MEDIA_ROOT existed has no private archive; it restores, leaving that folder as it is.
"""

import hashlib
import json
import os
import secrets
import shutil
import stat
import subprocess
import tarfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from django.conf import settings

DUMP = "db.dump"
MEDIA = "media.tar.gz"
PRIVATE_MEDIA = "private-media.tar.gz"
MANIFEST = "manifest.json"
# Each media archive, with the manifest entry that lists its files' checksums.
ARCHIVES = {MEDIA: "media", PRIVATE_MEDIA: "private_media"}
FOLDER_MODE, FILE_MODE = 0o700, 0o600
TIMEOUT = 6 * 3600  # a dump or restore of a large archive takes minutes, never hours


class BackupError(Exception):
    """The message says what is wrong and what to do."""


class PartialRestore(BackupError):
    """The database was restored, but the media folders are not all in place: the message
    says where each one is."""


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def postgres_arguments(database):
    """Connection options and environment of pg_dump/pg_restore for a Django DATABASES entry."""
    if database["ENGINE"] not in settings.POSTGRESQL_ENGINES:
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
    except subprocess.TimeoutExpired:
        raise BackupError(f"{command[0]} was stopped after {TIMEOUT // 3600} hours") from None
    if completed.returncode != 0:
        raise BackupError(f"{command[0]} failed: {completed.stderr.strip()}")


def media_files(media_root):
    """Every file under a media folder, by its path relative to it (POSIX form)."""
    root = Path(media_root)
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def make_private_folder(folder):
    """Create `folder`, and any parent it lacks, readable by the owner only."""
    for parent in reversed(folder.parents):
        if not parent.exists():
            try:
                parent.mkdir(mode=FOLDER_MODE)
            except FileExistsError:
                continue  # made by someone else meanwhile: it keeps their mode
            parent.chmod(FOLDER_MODE)  # mkdir's mode is masked by the umask
    try:
        folder.mkdir(mode=FOLDER_MODE)
    except FileExistsError:
        raise BackupError(f"{folder} already exists: back up into a new folder") from None
    folder.chmod(FOLDER_MODE)


def write_archive(path, files):
    with tarfile.open(path, "w:gz") as archive:
        for name, file in files.items():
            archive.add(file, arcname=name, recursive=False)


def backup(database, media_root, destination, migrations=(), *, private_media_root):
    """Write a backup of `database` (a DATABASES entry) and both media folders into the new
    folder `destination`; returns its manifest."""
    destination = Path(destination)
    arguments, env = postgres_arguments(database)
    make_private_folder(destination)
    run(["pg_dump", "--format=custom", "--file", str(destination / DUMP), *arguments], env)
    listed = {}
    for archive, root in ((MEDIA, media_root), (PRIVATE_MEDIA, private_media_root)):
        files = media_files(root)
        write_archive(destination / archive, files)
        listed[ARCHIVES[archive]] = {name: sha256(path) for name, path in files.items()}
    manifest = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database["NAME"],
        "migrations": list(migrations),
        "files": {
            name: {
                "bytes": (destination / name).stat().st_size,
                "sha256": sha256(destination / name),
            }
            for name in (DUMP, *ARCHIVES)
        },
        **listed,
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    for path in destination.iterdir():
        path.chmod(FILE_MODE)
    return manifest


def read_manifest(source):
    """The manifest of the backup in `source`, once every file matches its checksum."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(
            f"{source} is not a backup folder: no readable {MANIFEST} ({error})"
        ) from None
    required = {"created_at": str, "database": str, "files": dict, "media": dict}
    try:
        if any(not isinstance(manifest[key], kind) for key, kind in required.items()):
            raise TypeError
        checksums = {name: entry["sha256"] for name, entry in manifest["files"].items()}
    except (KeyError, TypeError):
        raise BackupError(
            f"{source / MANIFEST} is not a backup manifest: it needs {', '.join(required)}, "
            "and a SHA-256 for each file"
        ) from None
    known = {DUMP, *ARCHIVES}
    if not {DUMP, MEDIA} <= checksums.keys() <= known:
        raise BackupError(
            f"{source / MANIFEST} lists {sorted(checksums)}; this version reads "
            f"{sorted(known)}, with {DUMP} and {MEDIA} required. A backup made by a newer "
            "version needs that version to restore it."
        )
    if (PRIVATE_MEDIA in checksums) != ("private_media" in manifest):
        raise BackupError(f"{source / MANIFEST} lists {PRIVATE_MEDIA} and its files only half")
    for name, expected in checksums.items():
        path = source / name
        if not path.is_file() or sha256(path) != expected:
            raise BackupError(f"{path} is missing or damaged: its SHA-256 is not the manifest's")
    return manifest


def table_count(database):
    """Tables in the target database outside PostgreSQL's own schemas."""
    options = {"dbname": "NAME", "host": "HOST", "port": "PORT", "user": "USER"}
    try:
        with psycopg.connect(
            **{option: database[key] for option, key in options.items() if database.get(key)},
            password=database.get("PASSWORD") or None,
            connect_timeout=10,
        ) as connection:
            return connection.execute(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            ).fetchone()[0]
    except psycopg.Error as error:
        raise BackupError(
            f"cannot reach database {database['NAME']}: {error}. Create it (createdb) or "
            "correct DATABASE_URL."
        ) from None


def check_swappable(root):
    """Refuse a folder the restore could not replace by a rename: the new one is unpacked in
    its parent, and a rename works only within one filesystem."""
    if root.exists() and not root.is_dir():
        raise BackupError(f"{root} is not a folder: move it away, then restore again.")
    if root.exists() and (os.path.ismount(root) or root.stat().st_dev != root.parent.stat().st_dev):
        raise BackupError(
            f"{root} is a mount point: the restore unpacks the backup beside it and swaps the "
            "folders by renaming them, which works only within one filesystem. Point the "
            f"setting at a folder inside the mount (e.g. {root / 'media'}), moving the files "
            "there, and restore again. Nothing was changed."
        )


def folder_mode(root):
    """The mode a new folder should have: the old one's, or what mkdir gives under the umask
    (the web server must read the public media as before)."""
    if root.is_dir():
        return stat.S_IMODE(root.stat().st_mode)
    umask = os.umask(0o077)  # read by setting it; a management command has one thread
    os.umask(umask)
    return 0o777 & ~umask


def unpack_beside(archive, root):
    """Unpack `archive` into a new folder beside `root` and return it. If that fails, the new
    folder is removed and nothing else was touched."""
    folder = root.with_name(f".{root.name}.restoring-{secrets.token_hex(4)}")
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=FOLDER_MODE)  # no one else reads it while it fills
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(folder, filter="data")  # no paths outside it, no links
        folder.chmod(folder_mode(root))
    except (OSError, EOFError, zlib.error, tarfile.TarError) as error:
        shutil.rmtree(folder, ignore_errors=True)
        raise BackupError(
            f"could not unpack {archive} beside {root}: {error}. Nothing was changed: the "
            "database and the media folders are as they were."
        ) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def swap_into_place(unpacked):
    """Put each unpacked folder where the folder it replaces is: rename the old one aside, the
    new one into its place, and once all are in place delete the old ones."""
    replaced = []
    for root, folder in unpacked.items():
        aside = folder.with_name(folder.name.replace(".restoring-", ".replaced-"))
        try:
            if root.exists():
                root.rename(aside)
                replaced.append(aside)
            folder.rename(root)
        except OSError as error:
            where = f"{root} is as it was before"
            if aside.exists() and not root.exists():
                try:
                    aside.rename(root)
                    replaced.remove(aside)
                except OSError:
                    where = f"{root} is empty: the files it held are in {aside}"
            raise PartialRestore(
                f"the database was restored, but {folder} could not be put in place of {root} "
                f"({error}). {where}; the backup's files are in {folder}: move them into place "
                "by hand. Folders replaced so far, to delete once all is in place: "
                f"{', '.join(map(str, replaced)) or 'none'}."
            ) from None
    for aside in replaced:
        try:
            shutil.rmtree(aside)
        except OSError as error:
            raise PartialRestore(
                f"the restore is done, but the replaced folder {aside} could not be deleted "
                f"({error}): delete it by hand."
            ) from None


def restore(source, database, media_root, *, private_media_root, force=False):
    """Restore the backup in `source` into `database` and the media folders. Without `force`,
    the database and each folder the backup has an archive for must be empty; with it, their
    contents are replaced. On failure before the swap, nothing was changed."""
    manifest = read_manifest(source)
    source = Path(source)
    arguments, env = postgres_arguments(database)
    # The real folders: a symbolic link keeps pointing where it did, at the new folder.
    targets = {MEDIA: Path(os.path.realpath(media_root))}
    if PRIVATE_MEDIA in manifest["files"]:
        targets[PRIVATE_MEDIA] = Path(os.path.realpath(private_media_root))
    if len(set(targets.values())) < len(targets) or any(
        root in other.parents for root in targets.values() for other in targets.values()
    ):
        raise BackupError(
            "MEDIA_ROOT and PRIVATE_MEDIA_ROOT must be two separate folders, neither inside the "
            "other: private photos must never be served as media. Nothing was changed."
        )
    tables = table_count(database)
    if tables and not force:
        raise BackupError(
            f"database {database['NAME']} already has {tables} tables; restore into an empty "
            "database (createdb), or force it (FORCE=1, --force) to replace its contents."
        )
    for root in targets.values():
        if media_files(root) and not force:
            raise BackupError(
                f"{root} already holds files; empty it, or force the restore (FORCE=1, "
                "--force) to replace them."
            )
        check_swappable(root)
    # --no-owner, --no-privileges: the objects belong to whoever restores, whatever role
    # owned them where the dump was made. --single-transaction: a restore that fails (a cut
    # file, a full disk) is rolled back whole, the dropped objects too.
    options = ["--no-owner", "--no-privileges", "--single-transaction"]
    if force:
        options += ["--clean", "--if-exists"]
    unpacked = {}
    try:
        for archive, root in targets.items():
            unpacked[root] = unpack_beside(source / archive, root)
        try:
            run(["pg_restore", *options, *arguments, str(source / DUMP)], env)
        except BackupError as error:
            raise BackupError(
                f"{error}\nNothing was changed: the restore runs in one transaction, so the "
                "database is as it was, and the media folders were not touched."
            ) from None
    except BaseException:
        for folder in unpacked.values():
            shutil.rmtree(folder, ignore_errors=True)
        raise
    swap_into_place(unpacked)
    return manifest

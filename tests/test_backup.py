"""Backups (`manage.py backup` / `restore`, osceportal/backup.py): a restore into an empty
database gives the same export_news output, byte for byte, and the same files in both media
folders; a restore that fails at any step leaves the database and the media as they were; a
backup is readable by its owner only; a restore empties the cache.

The restores and exports run as separate processes with their own DATABASE_URL and media
folders, as an operator runs them; the data is committed (a transactional test) so that
pg_dump, in its own session, sees it. The cache tests restore in-process, with a Redis cache of
their own (database 9)."""

import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from news.models import NewsItem
from osceportal.backup import PartialRestore, swap_into_place

pytestmark = pytest.mark.django_db(transaction=True)

MEDIA = {
    "news/2013/05/customs-visit.jpg": b"\xff\xd8\xff\xe0 not really a JPEG, but bytes to keep",
    "news/2013/05/renditions/customs-visit-800.webp": bytes(range(256)) * 40,
}
PRIVATE_MEDIA = {"news/2011/02/withdrawn-visit.jpg": b"\xff\xd8\xff\xe0 a withdrawn photo"}
REDIS_URL = "redis://127.0.0.1:6379/9"  # this file's own database number


def database_url(name):
    """A DATABASE_URL for `name` on the test server."""
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    return f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"


def manage(*arguments, database, media_root, private_media_root):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(database),
        "MEDIA_ROOT": str(media_root),
        "PRIVATE_MEDIA_ROOT": str(private_media_root),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        check=True,
        timeout=300,
    )


def sha256(content):
    return hashlib.sha256(content).hexdigest()


def checksums(root):
    return {
        path.relative_to(root).as_posix(): sha256(path.read_bytes())
        for path in root.rglob("*")
        if path.is_file()
    }


def write_files(root, files):
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)


def database_state():
    """The test database as a reader sees it: every table's row count and the export."""
    with psycopg.connect(database_url(connection.settings_dict["NAME"])) as database:
        tables = database.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
        rows = {
            table: database.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for (table,) in tables
        }
    export = io.StringIO()
    call_command("export_news", stdout=export)
    return rows, export.getvalue()


def record_in_manifest(folder, name):
    """Give `name` its present checksum in the manifest, as if the backup had been written so:
    the restore gets past its checksum check to the step under test."""
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"][name] = {
        "bytes": (folder / name).stat().st_size,
        "sha256": sha256((folder / name).read_bytes()),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def media_root(demo_news, settings, tmp_path):
    root = tmp_path / "media"
    write_files(root, MEDIA)
    settings.MEDIA_ROOT = root
    # An item points at the photo, so that the export names it too.
    NewsItem.objects.filter(pk=NewsItem.objects.order_by("pk")[0].pk).update(
        image="news/2013/05/customs-visit.jpg", image_alt="Customs officers at a border post"
    )
    return root


@pytest.fixture
def private_media_root(settings, tmp_path):
    root = tmp_path / "private-media"
    write_files(root, PRIVATE_MEDIA)
    settings.PRIVATE_MEDIA_ROOT = root
    return root


@pytest.fixture
def backup_folder(media_root, private_media_root, tmp_path):
    folder = tmp_path / "backup"
    call_command("backup", str(folder), stdout=open(os.devnull, "w"))  # noqa: SIM115
    return folder


@pytest.fixture
def empty_database():
    """A new, empty database on the test server, dropped at the end."""
    name = f"{connection.settings_dict['NAME']}_restored"
    identifier = sql.Identifier(name)
    maintenance = database_url("postgres")
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(identifier))
    yield name
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "osceportal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "test-backup",
        },
    }
    cache.set("page", "a page of the data before the restore", 300)
    assert cache.get("page"), f"these tests need Redis at {REDIS_URL}"
    return cache


def test_restore_into_an_empty_database_gives_the_same_export_and_media(
    backup_folder, media_root, private_media_root, empty_database, tmp_path
):
    restored_media = tmp_path / "restored-media"
    restored_private = tmp_path / "restored-private-media"
    manage(
        "restore",
        str(backup_folder),
        database=empty_database,
        media_root=restored_media,
        private_media_root=restored_private,
    )

    original = manage(
        "export_news",
        database=connection.settings_dict["NAME"],
        media_root=media_root,
        private_media_root=private_media_root,
    ).stdout
    restored = manage(
        "export_news",
        database=empty_database,
        media_root=restored_media,
        private_media_root=restored_private,
    ).stdout
    assert original.count(b"\n") == NewsItem.objects.count() > 40
    assert b'"image": "news/2013/05/customs-visit.jpg"' in original
    assert restored == original
    assert checksums(restored_media) == checksums(media_root)
    assert len(checksums(media_root)) == len(MEDIA)
    assert checksums(restored_private) == checksums(private_media_root)
    assert len(checksums(private_media_root)) == len(PRIVATE_MEDIA)


def test_the_manifest_lists_the_private_media_and_their_checksums(backup_folder):
    manifest = json.loads((backup_folder / "manifest.json").read_text())
    archive = backup_folder / "private-media.tar.gz"
    assert manifest["files"]["private-media.tar.gz"]["sha256"] == sha256(archive.read_bytes())
    assert manifest["private_media"] == {
        name: sha256(content) for name, content in PRIVATE_MEDIA.items()
    }
    with tarfile.open(archive) as members:
        assert members.getnames() == list(PRIVATE_MEDIA)


def test_a_backup_made_before_private_media_still_restores(backup_folder, empty_database, tmp_path):
    manifest = json.loads((backup_folder / "manifest.json").read_text())
    del manifest["files"]["private-media.tar.gz"], manifest["private_media"]
    (backup_folder / "manifest.json").write_text(json.dumps(manifest))
    (backup_folder / "private-media.tar.gz").unlink()
    kept = tmp_path / "kept-private-media"
    write_files(kept, {"news/2024/01/kept.jpg": b"a private photo of the new site"})

    restored_media = tmp_path / "restored-media"
    done = manage(
        "restore",
        str(backup_folder),
        database=empty_database,
        media_root=restored_media,
        private_media_root=kept,
    )
    assert b"has no private media" in done.stdout
    assert checksums(restored_media) == {name: sha256(data) for name, data in MEDIA.items()}
    assert checksums(kept) == {"news/2024/01/kept.jpg": sha256(b"a private photo of the new site")}


def test_restore_refuses_a_database_that_already_has_tables(backup_folder, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "empty-private-media"
    with pytest.raises(CommandError, match=r"already has \d+ tables"):
        call_command("restore", str(backup_folder))
    assert NewsItem.objects.exists()


def test_restore_refuses_private_media_that_already_has_files(
    backup_folder, private_media_root, empty_database, tmp_path
):
    with pytest.raises(subprocess.CalledProcessError) as failure:
        manage(
            "restore",
            str(backup_folder),
            database=empty_database,
            media_root=tmp_path / "empty-media",
            private_media_root=private_media_root,
        )
    assert b"already holds files" in failure.value.stderr
    assert checksums(private_media_root) == {n: sha256(c) for n, c in PRIVATE_MEDIA.items()}


def test_restore_refuses_a_damaged_backup(backup_folder, empty_database, tmp_path):
    dump = backup_folder / "db.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(subprocess.CalledProcessError) as failure:
        manage(
            "restore",
            str(backup_folder),
            database=empty_database,
            media_root=tmp_path / "m",
            private_media_root=tmp_path / "p",
        )
    assert b"damaged" in failure.value.stderr
    assert not (tmp_path / "m").exists()
    assert not (tmp_path / "p").exists()


def test_a_restore_that_fails_in_the_database_leaves_database_and_media_as_they_were(
    backup_folder, media_root, private_media_root, tmp_path
):
    # The site moves on after the backup; then a forced restore of a dump cut short fails
    # loading the data, after it dropped and recreated the tables.
    NewsItem.objects.filter(pk__in=NewsItem.objects.values_list("pk", flat=True)[:5]).delete()
    write_files(media_root, {"news/2026/11/after-the-backup.jpg": b"uploaded since"})
    dump = backup_folder / "db.dump"
    dump.write_bytes(dump.read_bytes()[: dump.stat().st_size * 9 // 10])
    listing = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True)
    assert listing.returncode == 0, "the cut must fall in the data, after the table of contents"
    record_in_manifest(backup_folder, "db.dump")
    before = database_state(), checksums(media_root), checksums(private_media_root)
    beside = sorted(tmp_path.iterdir())

    with pytest.raises(subprocess.CalledProcessError) as failure:
        manage(
            "restore",
            str(backup_folder),
            "--force",
            database=connection.settings_dict["NAME"],
            media_root=media_root,
            private_media_root=private_media_root,
        )
    assert b"pg_restore failed" in failure.value.stderr
    assert b"Nothing was changed" in failure.value.stderr
    assert b"Traceback" not in failure.value.stderr
    assert (database_state(), checksums(media_root), checksums(private_media_root)) == before
    assert sorted(tmp_path.iterdir()) == beside  # no unpacked folder left behind


@pytest.mark.parametrize("archive", ["media.tar.gz", "private-media.tar.gz"])
def test_a_media_archive_that_fails_to_unpack_leaves_database_and_media_as_they_were(
    archive, backup_folder, media_root, private_media_root, tmp_path
):
    # A first file unpacks, then a path that would land outside the folder stops the unpacking.
    with tarfile.open(backup_folder / archive, "w:gz") as bad:
        for name in ("news/2013/05/first.jpg", "../escaped.jpg"):
            member = tarfile.TarInfo(name)
            member.size = 5
            bad.addfile(member, io.BytesIO(b"bytes"))
    record_in_manifest(backup_folder, archive)
    before = database_state(), checksums(media_root), checksums(private_media_root)
    beside = sorted(tmp_path.iterdir())

    with pytest.raises(subprocess.CalledProcessError) as failure:
        manage(
            "restore",
            str(backup_folder),
            "--force",
            database=connection.settings_dict["NAME"],
            media_root=media_root,
            private_media_root=private_media_root,
        )
    assert f"could not unpack {backup_folder / archive}".encode() in failure.value.stderr
    assert b"Nothing was changed" in failure.value.stderr
    assert (database_state(), checksums(media_root), checksums(private_media_root)) == before
    assert sorted(tmp_path.iterdir()) == beside  # neither unpacked folder, nor the escaped file


def test_a_backup_is_readable_by_its_owner_only_whatever_the_umask(
    media_root, private_media_root, tmp_path
):
    folder = tmp_path / "backups" / "20261128-030000"
    umask = os.umask(0o022)
    try:
        call_command("backup", str(folder), stdout=open(os.devnull, "w"))  # noqa: SIM115
    finally:
        os.umask(umask)
    assert mode(folder.parent) == mode(folder) == 0o700
    assert {path.name: mode(path) for path in folder.iterdir()} == {
        name: 0o600 for name in ("db.dump", "media.tar.gz", "private-media.tar.gz", "manifest.json")
    }


def test_restore_empties_the_cache(backup_folder, redis_cache):
    out = io.StringIO()
    call_command("restore", str(backup_folder), "--force", stdout=out)
    assert redis_cache.get("page") is None
    assert "Emptied the cache." in out.getvalue()


def test_restore_says_so_when_the_cache_cannot_be_emptied(backup_folder, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "osceportal.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        },
    }
    NewsItem.objects.filter(pk=NewsItem.objects.order_by("pk")[0].pk).delete()
    remaining = NewsItem.objects.count()

    out = io.StringIO()
    with pytest.raises(CommandError, match="the cache could not be emptied") as failure:
        call_command("restore", str(backup_folder), "--force", stdout=out)
    assert "cache.clear()" in str(failure.value)
    assert "The restore is done" in str(failure.value)
    assert out.getvalue().startswith(f"Restored {backup_folder}")
    assert NewsItem.objects.count() == remaining + 1


@pytest.mark.django_db  # no database needed: the closest mark spares the flush
def test_a_swap_that_fails_puts_the_old_folder_back(tmp_path, monkeypatch):
    root = tmp_path / "media"
    write_files(root, MEDIA)
    unpacked = tmp_path / ".media.restoring-0001"
    write_files(unpacked, PRIVATE_MEDIA)
    rename = Path.rename

    def refuse_the_new_folder(self, target):
        if self == unpacked:
            raise OSError("Device or resource busy")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", refuse_the_new_folder)
    with pytest.raises(PartialRestore, match="the database was restored") as failure:
        swap_into_place({root: unpacked})
    assert f"the backup's files are in {unpacked}" in str(failure.value)
    assert checksums(root) == {name: sha256(content) for name, content in MEDIA.items()}
    assert sorted(tmp_path.iterdir()) == [unpacked, root]

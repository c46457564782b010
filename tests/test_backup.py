"""Backups (`manage.py backup` / `restore`, osceportal/backup.py): a restore into an empty
database gives the same export_news output, byte for byte, and the same media files.

The restore and both exports run as separate processes with their own DATABASE_URL and
MEDIA_ROOT, as an operator runs them; the data is committed (a transactional test) so that
pg_dump, in its own session, sees it."""

import hashlib
import os
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from news.models import NewsItem

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("demo_news")]

MEDIA = {
    "news/2013/05/customs-visit.jpg": b"\xff\xd8\xff\xe0 not really a JPEG, but bytes to keep",
    "news/2013/05/renditions/customs-visit-800.webp": bytes(range(256)) * 40,
}


def database_url(name):
    """A DATABASE_URL for `name` on the test server."""
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    return f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"


def manage(*arguments, database, media_root):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(database),
        "MEDIA_ROOT": str(media_root),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        check=True,
        timeout=300,
    )


def checksums(root):
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "media"
    for name, content in MEDIA.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    settings.MEDIA_ROOT = root
    # An item points at the photo, so that the export names it too.
    NewsItem.objects.filter(pk=NewsItem.objects.order_by("pk")[0].pk).update(
        image="news/2013/05/customs-visit.jpg", image_alt="Customs officers at a border post"
    )
    return root


@pytest.fixture
def backup_folder(media_root, tmp_path):
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


def test_restore_into_an_empty_database_gives_the_same_export_and_media(
    backup_folder, media_root, empty_database, tmp_path
):
    restored_media = tmp_path / "restored-media"
    manage("restore", str(backup_folder), database=empty_database, media_root=restored_media)

    original = manage(
        "export_news", database=connection.settings_dict["NAME"], media_root=media_root
    ).stdout
    restored = manage("export_news", database=empty_database, media_root=restored_media).stdout
    assert original.count(b"\n") == NewsItem.objects.count() > 40
    assert b'"image": "news/2013/05/customs-visit.jpg"' in original
    assert restored == original
    assert checksums(restored_media) == checksums(media_root)
    assert len(checksums(media_root)) == len(MEDIA)


def test_restore_refuses_a_database_that_already_has_tables(backup_folder, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    with pytest.raises(CommandError, match=r"already has \d+ tables"):
        call_command("restore", str(backup_folder))
    assert NewsItem.objects.exists()


def test_restore_refuses_a_damaged_backup(backup_folder, empty_database, tmp_path):
    dump = backup_folder / "db.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(subprocess.CalledProcessError) as failure:
        manage("restore", str(backup_folder), database=empty_database, media_root=tmp_path / "m")
    assert b"damaged" in failure.value.stderr
    assert not (tmp_path / "m").exists()

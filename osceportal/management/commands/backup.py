from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.db.migrations.recorder import MigrationRecorder

from osceportal.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump) and both media folders (MEDIA_ROOT, PRIVATE_MEDIA_ROOT) "
        "into a new folder, readable by its owner only, with a manifest of checksums "
        "(default: backups/<timestamp>/ in the project folder)."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", nargs="?", help="folder to create")

    def handle(self, *args, destination=None, **options):
        if destination is None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            destination = Path(settings.BASE_DIR) / "backups" / stamp
        try:
            migrations = [
                f"{app}.{name}"
                for app, name in MigrationRecorder(connection)
                .migration_qs.order_by("app", "name")
                .values_list("app", "name")
            ]
        except DatabaseError as error:
            raise CommandError(f"cannot read the database to back up: {error}") from error
        try:
            manifest = backup(
                connection.settings_dict,
                settings.MEDIA_ROOT,
                destination,
                migrations,
                private_media_root=settings.PRIVATE_MEDIA_ROOT,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"could not write the backup into {destination}: {error}") from error
        size = sum(entry["bytes"] for entry in manifest["files"].values())
        self.stdout.write(
            f"Backed up {manifest['database']}, {len(manifest['media'])} media file(s) and "
            f"{len(manifest['private_media'])} private media file(s) into {destination} "
            f"({size:,} bytes)."
        )

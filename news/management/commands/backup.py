from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from osceportal.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump) and the uploaded media (MEDIA_ROOT) into a new folder "
        "with a manifest of checksums (default: backups/<timestamp>/ in the project folder)."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", nargs="?", help="folder to create")

    def handle(self, *args, destination=None, **options):
        if destination is None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            destination = Path(settings.BASE_DIR) / "backups" / stamp
        migrations = [
            f"{app}.{name}"
            for app, name in MigrationRecorder(connection)
            .migration_qs.order_by("app", "name")
            .values_list("app", "name")
        ]
        try:
            manifest = backup(
                connection.settings_dict, settings.MEDIA_ROOT, destination, migrations
            )
        except (BackupError, FileExistsError) as error:
            raise CommandError(str(error)) from error
        size = sum(entry["bytes"] for entry in manifest["files"].values())
        self.stdout.write(
            f"Backed up {manifest['database']} and {len(manifest['media'])} media file(s) "
            f"into {destination} ({size:,} bytes)."
        )

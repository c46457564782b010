from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from osceportal.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into the configured database (DATABASE_URL) and "
        "MEDIA_ROOT. Both must be empty unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="the backup folder (backups/<timestamp>)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace what the database and MEDIA_ROOT already hold",
        )

    def handle(self, *args, source, force, **options):
        # pg_restore needs the database to itself: Django's own connection is not used for it.
        connection.close()
        try:
            manifest = restore(source, connection.settings_dict, settings.MEDIA_ROOT, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {source} (made {manifest['created_at']} from {manifest['database']}) "
            f"into {connection.settings_dict['NAME']}, with {len(manifest['media'])} media "
            "file(s). Run `python manage.py migrate` if the code is newer than the backup."
        )

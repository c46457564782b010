from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from osceportal.backup import BackupError, PartialRestore, restore

CLEAR_BY_HAND = (
    "python manage.py shell -c 'from django.core.cache import cache; print(cache.clear())' "
    '(False means it failed again), or redis-cli -u "$REDIS_URL" FLUSHDB'
)


def empty_cache():
    """Empty the shared cache, so that no page or facet count of the data before the restore is
    served; returns why that failed, or None."""
    # ResilientRedisCache (osceportal/cache.py) turns a Redis error into a logged warning: its
    # clear() then returns False and its `failures` count goes up. Django's own backends return
    # None (memory) or True (Redis), or raise.
    failures = getattr(cache, "failures", None)
    try:
        cleared = cache.clear()
    except Exception as error:  # whatever the backend raises, the restore is done: say so
        return str(error) or type(error).__name__
    if cleared is False or getattr(cache, "failures", None) != failures:
        return "the cache backend reported a failure (see the warning logged above)"
    return None


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into the configured database (DATABASE_URL), "
        "MEDIA_ROOT and PRIVATE_MEDIA_ROOT, then empty the cache. They must be empty unless "
        "--force is given. A restore that fails changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="the backup folder (backups/<timestamp>)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace what the database and the media folders already hold",
        )

    def handle(self, *args, source, force, **options):
        # pg_restore needs the database to itself: Django's own connection is not used for it.
        connection.close()
        try:
            manifest = restore(
                source,
                connection.settings_dict,
                settings.MEDIA_ROOT,
                private_media_root=settings.PRIVATE_MEDIA_ROOT,
                force=force,
            )
        except PartialRestore as error:
            # The database is the backup's already: the cached pages of the one before must go.
            failure = empty_cache()
            after = f"run {CLEAR_BY_HAND}" if failure else "it was emptied"
            raise CommandError(f"{error}\nThe cache: {after}.") from error
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = f"{len(manifest['media'])} media file(s)"
        if "private_media" in manifest:
            counts += f" and {len(manifest['private_media'])} private media file(s)"
        self.stdout.write(
            f"Restored {source} (made {manifest['created_at']} from {manifest['database']}) "
            f"into {connection.settings_dict['NAME']}, with {counts}. Run "
            "`python manage.py migrate` if the code is newer than the backup."
        )
        if "private_media" not in manifest:
            self.stdout.write(
                "The backup has no private media (it was made before PRIVATE_MEDIA_ROOT "
                "existed): that folder was left as it was."
            )
        failure = empty_cache()
        if failure:
            raise CommandError(
                f"The restore is done, but the cache could not be emptied ({failure}): until it "
                "is, it may serve pages and facet counts of the data before the restore. Empty "
                f"it by hand: {CLEAR_BY_HAND}."
            )
        self.stdout.write("Emptied the cache.")

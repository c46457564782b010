import sys

from django.core.management.base import BaseCommand, CommandError

from news.events.jsonl_store import EventImport


class Command(BaseCommand):
    help = (
        "Import events (meetings and conferences) from a JSON Lines file (one object a line; "
        "`-` reads standard input), creating or updating them by slug; the keys are those of "
        "news/events/jsonl.py. A bad line is reported with its number and nothing of it is "
        "stored; the other lines are imported. The news items a line names (`news`) must be "
        "imported first. Exits with status 1 when any line failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .jsonl file to import, or - for standard input")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every line, store nothing"
        )

    def handle(self, *args, file, dry_run, **options):
        handle = self.open_input(file)
        run = EventImport(dry_run=dry_run)
        with handle, run.running():
            for number, raw in enumerate(handle, start=1):
                if raw.strip():
                    result = run.read(number, raw)
                    for message in result.messages:
                        self.stderr.write(f"line {result.number}: {message}")
        status = "dry run: nothing stored" if dry_run else "done"
        self.stdout.write(f"{run.summary()} ({status}).")
        if run.outcomes["failed"]:
            verb = "would be" if dry_run else "were"
            raise CommandError(
                f"{run.outcomes['failed']} line(s) failed; the others {verb} imported."
            )

    @staticmethod
    def open_input(path):
        if path == "-":
            return sys.stdin.buffer
        try:
            return open(path, "rb")
        except OSError as error:
            raise CommandError(f"cannot open {path}: {error.strerror}") from error

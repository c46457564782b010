from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from news.jsonl_import import FileImport, slug_lines

PROGRESS_EVERY = 1000


class Command(BaseCommand):
    help = (
        "Import news items from a JSON Lines file (one object a line), creating or updating them "
        "by slug. A bad line is reported with its number and nothing of it is stored; the other "
        "lines are imported. A translation (`translation_of`) may come before or after its "
        "source. Exits with status 1 when any line failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .jsonl file to import")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every line, store nothing"
        )

    def handle(self, *args, file, dry_run, **options):
        try:
            handle = open(file, "rb")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"cannot open {file}: {error.strerror}") from error
        outcomes = Counter()
        with handle:
            run = FileImport(slug_lines(handle), dry_run=dry_run)
            handle.seek(0)
            with run.transaction():
                for number, raw in enumerate(handle, start=1):
                    if raw.strip():
                        self.report(run.read(number, raw), outcomes)
                    if number % PROGRESS_EVERY == 0:
                        self.stderr.write(f"… {number} lines read ({self.summary(outcomes)})")
                self.report(run.finish(), outcomes)
        verb = "would be" if dry_run else "were"
        status = "dry run: nothing stored" if dry_run else "done"
        self.stdout.write(f"{self.summary(outcomes)} ({status}).")
        if outcomes["failed"]:
            raise CommandError(f"{outcomes['failed']} line(s) failed; the others {verb} imported.")

    def report(self, results, outcomes):
        for result in results:
            outcomes[result.outcome] += 1
            for message in result.messages:
                self.stderr.write(f"line {result.number}: {message}")

    @staticmethod
    def summary(outcomes):
        return ", ".join(
            f"{outcomes[o]} {o}" for o in ("created", "updated", "unchanged", "failed")
        )

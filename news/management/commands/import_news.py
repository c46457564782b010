from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from news.jsonl import LineError, Resolver, parse_line, store

PROGRESS_EVERY = 1000


class Command(BaseCommand):
    help = (
        "Import news items from a JSON Lines file (one object a line), creating or updating them "
        "by slug. A bad line is reported with its number and nothing of it is stored; the other "
        "lines are imported. Exits with status 1 when any line failed."
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
        resolver = Resolver()
        outcomes = Counter()
        first_line_of = {}
        with handle:
            for number, raw in enumerate(handle, start=1):
                if raw.strip():
                    outcome = self.import_line(number, raw, resolver, first_line_of, dry_run)
                    outcomes[outcome] += 1
                if number % PROGRESS_EVERY == 0:
                    self.stderr.write(f"… {number} lines read ({self.summary(outcomes)})")
        verb = "would be" if dry_run else "were"
        status = "dry run: nothing stored" if dry_run else "done"
        self.stdout.write(f"{self.summary(outcomes)} ({status}).")
        if outcomes["failed"]:
            raise CommandError(f"{outcomes['failed']} line(s) failed; the others {verb} imported.")

    def import_line(self, number, raw, resolver, first_line_of, dry_run):
        try:
            try:
                text = raw.decode("utf-8").removeprefix("\ufeff")
            except UnicodeDecodeError as error:
                raise LineError(f"not UTF-8 text (byte {error.start + 1})") from None
            parsed = parse_line(text, resolver)
            if parsed.slug in first_line_of:
                raise LineError(
                    f"slug {parsed.slug!r} already used on line {first_line_of[parsed.slug]}"
                )
            first_line_of[parsed.slug] = number
            outcome = store(parsed, dry_run=dry_run)
        except LineError as error:
            self.stderr.write(f"line {number}: {error}")
            return "failed"
        for warning in parsed.warnings:
            self.stderr.write(f"line {number}: {warning}")
        return outcome

    @staticmethod
    def summary(outcomes):
        return ", ".join(
            f"{outcomes[o]} {o}" for o in ("created", "updated", "unchanged", "failed")
        )

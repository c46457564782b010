import os
import stat
import sys
import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from news.import_batches import FileImport
from news.import_report import OUTCOMES, ImportReport
from structures.models import Structure

PROGRESS_EVERY = 10_000  # lines; or PROGRESS_SECONDS, whichever comes first
PROGRESS_SECONDS = 5


class Command(BaseCommand):
    help = (
        "Import news items from a JSON Lines file (one object a line; `-` reads standard "
        "input), creating or updating them by slug. The file is read once, so a pipe will do. "
        "A bad line is reported with its number and nothing of it is stored; the other lines "
        "are imported. A translation (`translation_of`) may come before or after its source. "
        "Exits with status 1 when any line failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .jsonl file to import, or - for standard input")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every line, store nothing"
        )
        parser.add_argument(
            "--report",
            metavar="FILE",
            help="write a report for the person fixing the data: unresolved names with their "
            "counts and lines, the other failures by reason, the entries added",
        )
        parser.add_argument(
            "--default-issuer",
            metavar="SLUG",
            help="the structure (its slug) that issues the lines naming no issuing body",
        )
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="add unknown fields of work and issuing bodies, flagged for review (never "
            "countries or languages)",
        )

    def handle(self, *args, file, dry_run, report, default_issuer, create_missing, **options):
        # Everything that can be refused is, before the first line is read.
        issuer = self.default_issuer(default_issuer)
        report_file = self.open_report(report)
        handle = self.open_input(file)
        run = FileImport(dry_run=dry_run, default_issuer=issuer, create_missing=create_missing)
        self.outcomes = Counter()
        self.report = ImportReport(
            source="standard input" if file == "-" else file,
            options=self.options_text(dry_run, default_issuer, create_missing),
        )
        self.progress = Progress(self.stderr, size_of(handle))
        with handle, run.running():
            for number, raw in enumerate(handle, start=1):
                self.progress.bytes_read += len(raw)
                self.report.lines_read = number
                if raw.strip():
                    self.tell(run.read(number, raw))
                else:
                    self.report.blank_lines += 1
                if self.progress.due(number):
                    self.tell(run.flush(wait=True))  # the counts shown: of every line read
                    self.progress.show(number, self.summary())
            self.tell(run.finish())
        verb = "would be" if dry_run else "were"
        status = "dry run: nothing stored" if dry_run else "done"
        self.stdout.write(f"{self.summary()} ({status}).")
        if report_file is not None:
            created = run.created if create_missing else None
            with report_file:
                report_file.write(self.report.text(created=created, dry_run=dry_run))
            self.stdout.write(f"Report written to {report}.")
        if self.outcomes["failed"]:
            raise CommandError(
                f"{self.outcomes['failed']} line(s) failed; the others {verb} imported."
            )

    @staticmethod
    def default_issuer(slug):
        if slug is None:
            return None
        issuer = Structure.objects.filter(slug=slug).first()
        if issuer is None:
            raise CommandError(
                f"--default-issuer {slug!r}: no structure has that slug. Give the slug of an "
                "issuing body, as in its address /structures/<slug>/ (e.g. secretariat)."
            )
        return issuer

    @staticmethod
    def open_report(path):
        if path is None:
            return None
        try:
            return open(path, "w", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot write the report to {path}: {error.strerror}") from error

    @staticmethod
    def open_input(path):
        if path == "-":
            return sys.stdin.buffer
        try:
            return open(path, "rb")
        except OSError as error:
            raise CommandError(f"cannot open {path}: {error.strerror}") from error

    @staticmethod
    def options_text(dry_run, default_issuer, create_missing):
        return (
            f"--dry-run {'yes' if dry_run else 'no'}, "
            f"--default-issuer {default_issuer or '(none)'}, "
            f"--create-missing {'yes' if create_missing else 'no'}"
        )

    def tell(self, results):
        for result in results:
            self.outcomes[result.outcome] += 1
            self.report.note(result)
            for message in result.messages:
                self.stderr.write(f"line {result.number}: {message}")

    def summary(self):
        return ", ".join(f"{self.outcomes[o]} {o}" for o in OUTCOMES)


def size_of(handle):
    """The size of a regular file (for the time left), None for a pipe or a terminal."""
    try:
        status = os.fstat(handle.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None


class Progress:
    """A line on standard error every PROGRESS_EVERY lines or PROGRESS_SECONDS: lines read,
    the rate, and for a regular file how far through it the run is and the time left."""

    def __init__(self, stream, size):
        self.stream, self.size = stream, size
        self.started = self.last = time.monotonic()
        self.bytes_read = 0

    def due(self, number):
        return number % PROGRESS_EVERY == 0 or time.monotonic() - self.last >= PROGRESS_SECONDS

    def show(self, number, summary):
        self.last = time.monotonic()
        elapsed = max(self.last - self.started, 1e-6)
        text = f"… {number:,} lines read ({summary}); {number / elapsed:,.0f} lines/s"
        if self.size:
            done = self.bytes_read / self.size
            text += f", {done:.0%} of the file"
            if 0 < done < 1:
                text += f", about {elapsed * (1 - done) / done:,.0f} s left"
        self.stream.write(text)

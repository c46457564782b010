"""What `export_news` and `export_events` share: every record as a JSON line, to standard output
or to a file."""

from django.core.management.base import BaseCommand, CommandError


class JsonLinesExport(BaseCommand):
    """Write `export_queryset()` as `export_line`s; `what` names the records ("news item")."""

    what = "record"
    chunk_size = 1000

    def export_queryset(self):
        raise NotImplementedError

    def export_line(self, record):
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="file to write (default: standard output)")

    def handle(self, *args, file=None, **options):
        try:
            out = open(file, "w", encoding="utf-8", newline="\n") if file else self.stdout  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"cannot write {file}: {error.strerror}") from error
        count = 0
        try:
            for record in self.export_queryset().iterator(chunk_size=self.chunk_size):
                out.write(self.export_line(record) + "\n")
                count += 1
        finally:
            if file:
                out.close()
        if file:
            self.stderr.write(f"{count} {self.what}(s) written to {file}.")

from django.core.management.base import BaseCommand, CommandError

from news.jsonl import export_line, export_queryset


class Command(BaseCommand):
    help = (
        "Export every news item as JSON Lines, in the format import_news reads "
        "(to standard output unless a file is given)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="file to write (default: standard output)")

    def handle(self, *args, file=None, **options):
        try:
            out = open(file, "w", encoding="utf-8", newline="\n") if file else self.stdout  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"cannot write {file}: {error.strerror}") from error
        count = 0
        try:
            for item in export_queryset().iterator(chunk_size=1000):
                out.write(export_line(item) + "\n")
                count += 1
        finally:
            if file:
                out.close()
        if file:
            self.stderr.write(f"{count} news item(s) written to {file}.")

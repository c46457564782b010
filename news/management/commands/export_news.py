from news import jsonl
from news.management.exports import JsonLinesExport


class Command(JsonLinesExport):
    help = (
        "Export every news item as JSON Lines, in the format import_news reads "
        "(to standard output unless a file is given)."
    )
    what = "news item"

    def export_queryset(self):
        return jsonl.export_queryset()

    def export_line(self, record):
        return jsonl.export_line(record)

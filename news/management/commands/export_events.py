from news.events import jsonl
from news.management.exports import JsonLinesExport


class Command(JsonLinesExport):
    help = (
        "Export every event (meetings and conferences) as JSON Lines, in the format "
        "import_events reads (to standard output unless a file is given)."
    )
    what = "event"
    chunk_size = 500

    def export_queryset(self):
        return jsonl.export_queryset()

    def export_line(self, record):
        return jsonl.export_line(record)

"""The news listing as a CSV download, with the same GET filters as /news/. Rows are streamed in
chunks, each chunk with its own prefetches, so memory and SQL queries stay flat however many rows
go out. Also the two helpers every machine-readable view of the listing shares."""

import csv
import io

from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from structures import prefetch

from .listing.filters import LISTING_READS, NewsFilter
from .page_keys import reads_query

EXPORT_CAP = 10_000
CHUNK_SIZE = 500
COLUMNS = (
    "slug",
    "url",
    "title",
    "type",
    "published_at",
    "issued_by",
    "fields_of_work",
    "countries",
    "tags",
    "lead",
    "language",  # added last: a column's place is part of the format
)
LIST_SEPARATOR = "; "
# A spreadsheet runs a cell that starts with one of these as a formula: "CSV injection",
# https://owasp.org/www-community/attacks/CSV_Injection
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def invalid_filter_response(filterset):
    """A short plain-text 400 that names each bad parameter and what is wrong with it."""
    lines = [_("Invalid filter.")]
    lines += [
        pgettext("a parameter of the address and what is wrong with it", "%(name)s: %(errors)s")
        % {"name": name, "errors": " ".join(messages)}
        for name, messages in filterset.errors.items()
    ]
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def neutralise(cell):
    return f"'{cell}" if cell.startswith(FORMULA_TRIGGERS) else cell


def csv_row(request, item):
    return [
        item.slug,
        request.build_absolute_uri(item.get_absolute_url()),
        item.title,
        item.type,
        timezone.localtime(item.published_at).isoformat(),
        LIST_SEPARATOR.join(name for _, name in item.issuers_in_force()),
        LIST_SEPARATOR.join(field.name for field in prefetch.records(item, "fields_of_work")),
        LIST_SEPARATOR.join(country.name for country in prefetch.records(item, "countries")),
        LIST_SEPARATOR.join(sorted(tag.name for tag in prefetch.records(item, "tags"))),
        item.lead,
        item.language,
    ]


def csv_chunks(request, items):
    """The CSV text, one piece per CHUNK_SIZE rows rather than one per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for count, item in enumerate(items, start=1):
        writer.writerow([neutralise(cell) for cell in csv_row(request, item)])
        if count % CHUNK_SIZE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@reads_query(LISTING_READS)
@require_safe
def news_csv(request):
    filterset = NewsFilter.for_request(request)
    if not filterset.is_valid():
        return invalid_filter_response(filterset)
    total = filterset.qs.count()
    # iterator(chunk_size) runs the prefetches once per chunk, not once per row.
    items = filterset.qs.for_article()[:EXPORT_CAP].iterator(chunk_size=CHUNK_SIZE)
    response = StreamingHttpResponse(
        csv_chunks(request, items), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="osce-news.csv"'
    response["X-Export-Cap"] = str(EXPORT_CAP)
    response["X-Total-Count"] = str(total)
    return response

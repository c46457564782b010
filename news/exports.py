"""The news listing as a CSV download, with the same GET filters as /news/. Rows are streamed in
chunks, each chunk with its own prefetches, so memory and SQL queries stay flat however many rows
go out. Also the two helpers every machine-readable view of the listing shares."""

import csv
import io

from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from languages import registry as languages
from structures import prefetch

from .listing.filters import FACETS, LISTING_READS, NewsFilter, canonical_params, canonical_query
from .listing.notices import moved
from .listing.summary import language_name
from .models import NewsItem
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
    # The words beside the codes, in the language of the address (/ru/news/export.csv: Russian).
    "type_label",
    "language_label",
)
FILE_PREFIX = "osce-news"
MAX_NAME_LENGTH = 120  # of the part of the file's name that names the filters
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


def labels_of_codes():
    """{column: {code: label}} of the coded columns, in the language in force: read while the
    view runs, since the rows are written after it has returned (and its language with it)."""
    return {
        "type": {value: str(label) for value, label in NewsItem.Type.choices},
        "language": {language.code: language_name(language.code)
                     for language in languages.all_languages()},
    }  # fmt: skip


def csv_row(request, item, labels):
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
        labels["type"].get(item.type, item.type),
        labels["language"].get(item.language, item.language),
    ]


def file_name(filterset, day):
    """The file's name after its filters: `osce-news-border-management-tajikistan-2026-12-01.csv`,
    the chosen values of each facet in the filters' order (each sorted, as in the canonical
    address), then the search words, then the day of the export. Letters, digits and hyphens
    only, and of bounded length: a name cut short ends at a whole word."""
    pairs = canonical_params(filterset)
    values = [value for name in (*FACETS, "q") for given, value in pairs if given == name]
    words = slugify(" ".join(values).replace("_", " "))
    if len(words) > MAX_NAME_LENGTH:
        words = words[:MAX_NAME_LENGTH].rsplit("-", 1)[0]
    return "-".join(filter(None, (FILE_PREFIX, words, day.isoformat()))) + ".csv"


def csv_chunks(request, items, labels):
    """The CSV text, one piece per CHUNK_SIZE rows rather than one per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for count, item in enumerate(items, start=1):
        writer.writerow([neutralise(cell) for cell in csv_row(request, item, labels)])
        if count % CHUNK_SIZE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@reads_query(LISTING_READS)
@require_safe
def news_csv(request):
    filterset = NewsFilter.for_request(request, old_links=True)
    if not filterset.is_valid():
        return invalid_filter_response(filterset)
    redirect = moved(request, filterset, canonical_query(filterset))
    if redirect is not None:
        return redirect
    total = filterset.qs.count()
    # iterator(chunk_size) runs the prefetches once per chunk, not once per row.
    items = filterset.qs.for_article()[:EXPORT_CAP].iterator(chunk_size=CHUNK_SIZE)
    response = StreamingHttpResponse(
        csv_chunks(request, items, labels_of_codes()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, file_name(filterset, timezone.localdate())
    )
    response["X-Export-Cap"] = str(EXPORT_CAP)
    response["X-Total-Count"] = str(total)
    return response

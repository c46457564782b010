from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Deep pages cost an OFFSET that grows with the archive; past this depth, narrowing the
# filters (or the feeds, CSV and API cursors) serves a reader better.
MAX_PAGES = 250


class CappedPaginator(Paginator):
    @cached_property
    def num_pages(self):
        return min(super().num_pages, MAX_PAGES)

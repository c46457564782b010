"""The listing's pages: the `page` parameter (a form field: anything but a whole number from 1 up
is malformed, a 400), the capped paginator, and the numbered links of a page."""

from django import forms
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Deep pages cost an OFFSET that grows with the archive; past this depth, narrowing the
# filters (or the feeds, CSV and API cursors) serves a reader better.
MAX_PAGES = 250


class PageForm(forms.Form):
    page = forms.IntegerField(
        label=_("Page"),
        min_value=1,
        required=False,
        error_messages={"invalid": _("A page is a whole number, from 1 up.")},
    )

    def number(self):
        return self.cleaned_data.get("page") or 1


class CappedPaginator(Paginator):
    @cached_property
    def num_pages(self):
        return min(super().num_pages, MAX_PAGES)

    @cached_property
    def is_capped(self):
        """Whether there are more results than the pages that can be reached show."""
        return self.count > MAX_PAGES * self.per_page


def page_of(page):
    """The words "Page 2 of 12", or "Page 2 of more than 250" where the pages are capped."""
    words = {"number": page.number, "total": page.paginator.num_pages}
    if getattr(page.paginator, "is_capped", False):
        return gettext("Page %(number)s of more than %(total)s") % words
    return gettext("Page %(number)s of %(total)s") % words


def page_links(page, url_of):
    """What the numbered pagination of `page` shows: the first, previous, next and last pages'
    addresses (None where there is none) and the page numbers around this one, with the first
    and last and an ellipsis between (Django's elided range). `url_of(number)`: a page's
    canonical address."""
    paginator = page.paginator
    last = paginator.num_pages
    numbers = paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return {
        "first": url_of(1) if page.number > 1 else None,
        "previous": url_of(page.number - 1) if page.has_previous() else None,
        "next": url_of(page.number + 1) if page.has_next() else None,
        # Where the pages are capped the last reachable one is no last page.
        "last": url_of(last) if page.number < last and not paginator.is_capped else None,
        "numbers": [
            {"number": n, "url": url_of(n), "current": n == page.number}
            if isinstance(n, int)
            else {"ellipsis": n}
            for n in numbers
        ],
        "page_of": page_of(page),
    }

"""A read-only JSON API over the published news, without a framework: /api/news/ is the listing
with the same GET filters as /news/ plus `page` and `page_size`; /api/news/<slug>/ is one item
with its body. Field names are a contract: add fields, never rename or drop one.

Each item carries its `language` and its `translations`: the other public items of its
translation group, fetched for a whole page in one query (news/siblings.py)."""

from django import forms
from django.conf import settings
from django.core.paginator import InvalidPage
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from structures import prefetch

from .listing.facets import facet_counts, result_count
from .listing.filters import LISTING_READS, NewsFilter, canonical_query
from .listing.notices import moved
from .listing.pagination import CappedPaginator
from .models import NewsItem
from .page_keys import LAST_VALUE, PAGING, reads_query
from .siblings import public_versions

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class PageSizeForm(forms.Form):
    page_size = forms.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)


def api_response(data, status=200):
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    # Anonymous, read-only and cookie-free, so any web page may read it.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def not_found(detail):
    return api_response({"detail": detail}, status=404)


def item_data(request, item, versions):
    """The item as the API shows it; `versions`: public_versions() of a list it is in."""
    absolute = request.build_absolute_uri
    return {
        "slug": item.slug,
        "url": absolute(item.get_absolute_url()),
        "api_url": absolute(reverse("api:news_detail", kwargs={"slug": item.slug})),
        "language": item.language,
        "translations": [
            {
                "language": version.language,
                "slug": version.slug,
                "url": absolute(version.get_absolute_url()),
            }
            for version in versions.get(item.translation_key, [])
            if version.pk != item.pk
        ],
        "title": item.title,
        "type": item.type,
        "type_label": str(item.get_type_display()),
        "published_at": timezone.localtime(item.published_at).isoformat(),
        "issued_by": [
            {
                "slug": structure.slug,
                "name": structure.issuing_label,
                "name_in_force": name_in_force,
                "url": absolute(structure.get_absolute_url()),
            }
            for structure, name_in_force in item.issuers_in_force()
        ],
        "fields_of_work": [
            {"slug": field.slug, "name": field.name}
            for field in prefetch.records(item, "fields_of_work")
        ],
        "countries": [
            {"slug": country.slug, "name": country.name, "code": country.code}
            for country in prefetch.records(item, "countries")
        ],
        "tags": sorted(tag.name for tag in prefetch.records(item, "tags")),
        "lead": item.lead,
    }


@reads_query(LISTING_READS | PAGING | dict.fromkeys(PageSizeForm.base_fields, LAST_VALUE))
@require_safe
def news_list(request):
    # Data, not a page read in a language: every language unless `language` chooses.
    filterset = NewsFilter.for_request(request, every_language=True, old_links=True)
    paging = PageSizeForm(request.GET)
    filters_valid, paging_valid = filterset.is_valid(), paging.is_valid()  # report both
    if not (filters_valid and paging_valid):
        errors = {**filterset.errors, **paging.errors}
        return api_response(
            {"errors": {name: list(messages) for name, messages in errors.items()}}, status=400
        )
    page_size = paging.cleaned_data["page_size"] or PAGE_SIZE
    moved_to = moved(request, filterset, canonical_query(
        filterset,
        page=request.GET.get("page") if request.GET.get("page") != "1" else None,
        page_size=page_size if page_size != PAGE_SIZE else None,
    ))  # fmt: skip
    if moved_to is not None:
        moved_to["Access-Control-Allow-Origin"] = "*"  # a client on another site follows it
        return moved_to
    paginator = CappedPaginator(filterset.qs.for_article(), page_size)
    if settings.FACET_CACHE:
        # The listing's facet counts, kept in the shared cache per filter, say how many items
        # match: no COUNT(*) over the archive on every call.
        counts = facet_counts(filterset).counts
        paginator.count = result_count(filterset, counts)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        return not_found(str(error))

    def page_url(number):
        # Page 1 and the default page size are left out: one canonical address per page.
        query = canonical_query(
            filterset,
            page=number if number > 1 else None,
            page_size=page_size if page_size != PAGE_SIZE else None,
        )
        return request.build_absolute_uri(f"{request.path}?{query}" if query else request.path)

    items = list(page.object_list)
    versions = public_versions(items)
    return api_response(
        {
            "count": paginator.count,
            "next": page_url(page.next_page_number()) if page.has_next() else None,
            "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
            "results": [item_data(request, item, versions) for item in items],
        }
    )


@reads_query({})
@require_safe
def news_detail(request, slug):
    try:
        item = NewsItem.objects.published().for_article().get(slug=slug)
    except NewsItem.DoesNotExist:
        return not_found(_("No published news item has this slug."))
    versions = public_versions([item])
    return api_response(item_data(request, item, versions) | {"body_html": item.body})


# Mounted under /api/ in the "api" namespace by osceportal/urls.py.
api_patterns = (
    [
        path("news/", news_list, name="news_list"),
        path("news/<slug:slug>/", news_detail, name="news_detail"),
    ],
    "api",
)

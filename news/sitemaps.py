"""The sitemap and robots.txt. /sitemap.xml is an index of one sitemap per section, so that the
news section can grow past the protocol's 50,000 URLs a file: Django pages it (?p=2, …) and the
index lists every page."""

from django.contrib.sitemaps import GenericSitemap, Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.urls import reverse
from django.views.decorators.http import require_safe

from countries.models import Country
from structures.models import Structure

from .models import FieldOfWork, NewsItem
from .page_keys import LAST_VALUE_AS_GIVEN, reads_query


class PageSitemap(Sitemap):
    """The home page and the index pages."""

    def items(self):
        return ["home", "news:list", "news:field_list", "countries:list", "structures:list"]

    def location(self, name):
        return reverse(name)


class NewsSitemap(Sitemap):
    limit = 5_000  # smaller files answer fast; the index lists every page

    def items(self):
        return NewsItem.objects.published().newest_first().only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        # Django's default calls lastmod() on every item: one aggregate instead.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


SITEMAPS = {
    "pages": PageSitemap,
    "news": NewsSitemap,
    "fields-of-work": GenericSitemap({"queryset": FieldOfWork.objects.all()}),
    "countries": GenericSitemap({"queryset": Country.objects.all()}),
    "structures": GenericSitemap({"queryset": Structure.objects.all()}),
}


@reads_query({})
@require_safe
def sitemap_index(request):
    return sitemap_views.index(request, SITEMAPS, sitemap_url_name="sitemap_section")


# django.contrib.sitemaps reads its page so: "?p=" is a 404, no "p" is page 1.
@reads_query({"p": LAST_VALUE_AS_GIVEN})
@require_safe
def sitemap_section(request, section):
    return sitemap_views.sitemap(request, SITEMAPS, section=section)

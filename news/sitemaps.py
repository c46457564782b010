"""The sitemap and robots.txt. /sitemap.xml is an index of one sitemap per section, so that the
news section can grow past the protocol's 50,000 URLs a file: Django pages it (?p=2, …) and the
index lists every page."""

from django.conf import settings
from django.contrib.sitemaps import GenericSitemap, Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from countries.models import Country
from structures.models import Structure

from .models import FieldOfWork, NewsItem


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


@require_safe
def sitemap_index(request):
    return sitemap_views.index(request, SITEMAPS, sitemap_url_name="sitemap_section")


@require_safe
def sitemap_section(request, section):
    return sitemap_views.sitemap(request, SITEMAPS, section=section)


@require_safe
def robots_txt(request):
    lines = ["User-agent: *"]
    # The back office at another address than the usual one is not told to every bot here.
    if settings.ADMIN_URL == "admin/":
        lines.append(f"Disallow: {reverse('admin:index')}")
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")

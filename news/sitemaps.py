"""The sitemap and robots.txt. /sitemap.xml is an index of one sitemap per section, so that the
news section can grow past the protocol's 50,000 URLs a file: Django pages it (?p=2, …) and the
index lists every page.

Each news item is listed at its address in its own language (/ru/news/…), with the hreflang
alternates of its group's public versions (itself included, and `x-default` for the English
one), fetched for the whole page in one query. Django's sitemap template writes them as
`<xhtml:link rel="alternate">` and declares the namespace."""

from django.contrib.sitemaps import GenericSitemap, Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.urls import reverse
from django.views.decorators.http import require_safe

from countries.models import Country
from languages import registry as languages
from structures.models import Structure

from .models import Event, FieldOfWork, MeetingSeries, NewsItem
from .page_keys import LAST_VALUE_AS_GIVEN, reads_query
from .siblings import public_versions


class PageSitemap(Sitemap):
    """The home page and the index pages."""

    def items(self):
        return [
            "home",
            "news:list",
            "news:field_list",
            "countries:list",
            "structures:list",
            "news:event_list",
        ]

    def location(self, name):
        return reverse(name)


class NewsSitemap(Sitemap):
    limit = 5_000  # smaller files answer fast; the index lists every page

    def items(self):
        return (
            NewsItem.objects.published()
            .newest_first()
            .only("slug", "updated_at", "language", "translation_key")
        )

    def lastmod(self, item):
        return item.updated_at

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        origin = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        groups = public_versions([url["item"] for url in urls])
        for url in urls:
            url["alternates"] = alternates(origin, groups.get(url["item"].translation_key, []))
        return urls

    def get_latest_lastmod(self):
        # Django's default calls lastmod() on every item: one aggregate instead.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class EventSitemap(Sitemap):
    """The public events (cancelled and postponed ones keep their page)."""

    limit = 5_000

    def items(self):
        return Event.objects.published().order_by("-start", "-pk").only("slug", "updated_at")

    def lastmod(self, event):
        return event.updated_at


def alternates(origin, versions):
    """The hreflang links of a group's public versions, none for an item alone in its group."""
    if len(versions) < 2:
        return []
    links = [
        {"lang_code": version.language, "location": origin + version.get_absolute_url()}
        for version in versions
    ]
    english = [link for link in links if link["lang_code"] == languages.DEFAULT]
    if english:
        links.append({"lang_code": "x-default", "location": english[0]["location"]})
    return links


SITEMAPS = {
    "pages": PageSitemap,
    "news": NewsSitemap,
    # What an import added is left out until an editor has reviewed it, as in the menus.
    "fields-of-work": GenericSitemap({"queryset": FieldOfWork.objects.filter(needs_review=False)}),
    "countries": GenericSitemap({"queryset": Country.objects.all()}),
    "structures": GenericSitemap({"queryset": Structure.objects.filter(needs_review=False)}),
    "meeting-series": GenericSitemap({"queryset": MeetingSeries.objects.all()}),
    "meetings": EventSitemap,
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

"""RSS 2.0 and Atom 1.0 feeds of the news listing, with the same GET filters as /news/: a reader
subscribes to exactly the results a visitor filtered. A feed is in the content language of its
address (/ru/news/rss/ is Russian): its channel says so, each entry links the item's page in the
item's own language, and an Atom entry in another language (an English original on a Russian
feed) says its own with xml:lang."""

import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from languages import registry as languages
from structures import prefetch

from .exports import invalid_filter_response
from .feed_pages import VARY, page_or_feed, wants_page
from .listing.filters import LISTING_READS, NewsFilter, canonical_params
from .listing.notices import moved
from .listing.summary import describe
from .page_keys import Reads

FEED_LENGTH = 50
# The control characters XML 1.0 cannot hold: Django's feed writer refuses them with an error.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


class InvalidFilter(Exception):
    def __init__(self, filterset):
        super().__init__(filterset.errors)
        self.filterset = filterset


class FilterMoved(Exception):
    """A value of the filters given is no choice any more: the feed has moved to the address
    of what is left (news/listing/notices.py), and its readers follow."""

    def __init__(self, response):
        super().__init__(response["Location"])
        self.response = response


def listing_query(filterset):
    """The canonical query of the filters alone: a feed is always newest first, so the sort
    order is not part of it."""
    return urlencode(
        [(name, value) for name, value in canonical_params(filterset) if name != "sort"]
    )


def xml_text(value):
    """A string of the feed (or each string of a list) without the characters XML refuses."""
    if isinstance(value, str):
        return XML_ILLEGAL.sub("", value)
    if isinstance(value, list | tuple):
        return [xml_text(v) for v in value]
    return value


def with_query(path, query):
    return f"{path}?{query}" if query else path


def feed_title(filterset):
    """The feed's title, as plain text: "OSCE Portal news: news items about Border management"
    (the listing's <link rel="alternate"> gives it too)."""
    if listing_query(filterset):
        return _("%(site)s news: %(filters)s") % {
            "site": settings.SITE_NAME,
            "filters": describe(filterset),  # without a count: "news items about …"
        }
    return _("%(site)s news") % {"site": settings.SITE_NAME}


class LanguageAtom1Feed(Atom1Feed):
    """Atom whose entries carry xml:lang where their language is not the feed's."""

    def item_attributes(self, item):
        attributes = super().item_attributes(item)
        if item.get("language") and item["language"] != self.feed["language"]:
            attributes["xml:lang"] = item["language"]
        return attributes


class NewsFeed(Feed):
    # A browser's navigation gets a page, anything else the feed: two copies of each address.
    page_cache_reads = Reads(LISTING_READS, variant=page_or_feed)
    url_name = "news:rss"
    other_url_name = "news:atom"  # the same feed in the other format, offered on its page
    description = _(
        "The latest news, press releases and reports of the Organization for Security and "
        "Co-operation in Europe."
    )
    # Atom needs an author for the feed when an entry has none.
    author_name = _("Organization for Security and Co-operation in Europe")
    item_guid_is_permalink = True  # the link is built from the slug, which never changes

    def __call__(self, request, *args, **kwargs):
        try:
            if wants_page(request):
                response = self.page(request)
            else:
                response = super().__call__(request, *args, **kwargs)
        except InvalidFilter as invalid:
            return invalid_filter_response(invalid.filterset)
        except FilterMoved as move:
            return move.response
        patch_vary_headers(response, VARY)
        return response

    def page(self, request):
        """The feed as a page for a person who opened it in a browser (news/feed_pages.py)."""
        filterset = self.get_object(request)
        query = listing_query(filterset)
        context = {
            "feed_title": feed_title(filterset),
            "feed_url": request.build_absolute_uri(self.feed_url(filterset)),
            "feed_format": "Atom" if self.feed_type is LanguageAtom1Feed else "RSS",
            "other_feed_url": with_query(reverse(self.other_url_name), query),
            "listing_url": self.link(filterset),
            "alerts_url": with_query(reverse("alerts:subscribe"), query),
            "items": self.items(filterset),
        }
        return render(request, "news/feed_page.html", context)

    def get_feed(self, obj, request):
        """Control characters typed into a search or pasted into an item are dropped: they
        would otherwise stop the whole feed."""
        feed = super().get_feed(obj, request)
        feed.feed = {key: xml_text(value) for key, value in feed.feed.items()}
        feed.items = [{key: xml_text(value) for key, value in i.items()} for i in feed.items]
        return feed

    @property
    def language(self):
        """The page's content language (Django's default would be the language of the site's
        own words, Russian on a Tajik feed)."""
        return languages.current().code

    def get_object(self, request):
        filterset = NewsFilter.for_request(request, old_links=True)
        if not filterset.is_valid():
            raise InvalidFilter(filterset)
        response = moved(request, filterset, listing_query(filterset))
        if response is not None:
            raise FilterMoved(response)
        return filterset

    def title(self, filterset):
        title = feed_title(filterset)
        # Escaped as Django escapes item titles (Django ticket #6533): feed readers read an RSS
        # title as HTML, and this one holds the search words and names of the filters.
        return escape(title)

    def link(self, filterset):
        return with_query(reverse("news:list"), listing_query(filterset))

    def feed_url(self, filterset):
        return with_query(reverse(self.url_name), listing_query(filterset))

    def items(self, filterset):
        return filterset.qs.newest_first().for_listing()[:FEED_LENGTH]

    def item_extra_kwargs(self, item):
        return {"language": item.language}

    def item_description(self, item):
        # Feed readers treat the description as HTML; the lead is plain text.
        return escape(item.lead)

    # Vienna time, as on the site: "31 May 2013 00:00 +0200" rather than "30 May 22:00 UTC".
    def item_pubdate(self, item):
        return timezone.localtime(item.published_at)

    def item_updateddate(self, item):
        # A change of its text, not of its status or sign-offs, is what a reader calls updated.
        return timezone.localtime(item.last_updated or item.published_at)

    def item_author_name(self, item):
        # The names the item was issued under, as its page shows them.
        return ", ".join(name for _, name in item.issuers_in_force()) or None

    def item_categories(self, item):
        # Today's names, so that one category gathers a body's items under all its names.
        bodies = [body.structure.issuing_label for body in prefetch.records(item, "issuing_bodies")]
        return bodies + [field.name for field in prefetch.records(item, "fields_of_work")]


class AtomNewsFeed(NewsFeed):
    feed_type = LanguageAtom1Feed
    url_name = "news:atom"
    other_url_name = "news:rss"
    subtitle = NewsFeed.description

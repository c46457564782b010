"""The addresses a visitor follows a listing or a taxonomy page by: its RSS and Atom feeds, its
email alerts and, for the listing, its data as CSV and JSON; all with the page's filters."""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from news.feeds import feed_title, with_query

register = template.Library()

ADDRESSES = {
    "rss": "news:rss",
    "atom": "news:atom",
    "alerts": "alerts:subscribe",
    "csv": "news:export_csv",
    "json": "api:news_list",
}


@register.simple_tag
def follow_addresses(query="", **filters):
    """{"rss", "atom", "alerts", "csv", "json"} of the listing's canonical `query`, or of the
    `filters` of a taxonomy page: {% follow_addresses field=field.slug as follow %}."""
    if filters:
        query = urlencode(sorted(filters.items()))
    return {name: with_query(reverse(url_name), query) for name, url_name in ADDRESSES.items()}


@register.simple_tag
def listing_feed_title(filterset):
    """The title of the listing's feeds, as the feeds give it."""
    return feed_title(filterset)

"""A feed opened in a browser is shown as a page a person can read: what a feed is, the address
to copy into a feed reader, and the latest items as links. Feed readers get the XML.

Why a page of our own rather than an XSLT stylesheet on the XML: Chromium applies XSLT only to
XML served as application/xml or text/xml (application/rss+xml is shown as raw text), and where
it applies it (Chromium 156) it covers the page with a red banner saying that XSLT "is being
removed from this browser very soon" (https://chromestatus.com/feature/4709671889534976); every
browser engine has announced the same. So the feed's address answers a browser's navigation
with HTML and anything else with the feed.

A browser's navigation is told by two headers together: `Sec-Fetch-Dest: document`, which only
a browser sends (scripts cannot set it) and only for a page it is about to show, and an Accept
header that prefers text/html to the feed's own type. A feed reader that sends a browser's Accept
header still gets the feed, since it sends no Sec-Fetch-Dest. Both headers are named in the
response's Vary, and the page cache keeps the two answers apart (news/page_keys.py)."""

HTML = "text/html"
# The feeds' types first: on a tie (*/* alone), the feed wins.
OFFERED = ["application/rss+xml", "application/atom+xml", "application/xml", HTML]
VARY = ["Accept", "Sec-Fetch-Dest"]


def wants_page(request):
    """Whether the request is a browser's navigation to the feed, to be shown as a page."""
    if request.headers.get("Sec-Fetch-Dest") != "document":
        return False
    return request.get_preferred_type(OFFERED) == HTML


def page_or_feed(request):
    """The variant of a feed's address the request gets, for the page cache's key."""
    return "page" if wants_page(request) else "feed"

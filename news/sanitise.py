"""The allow-list for news bodies. Everything an editor or an import supplies goes through
`clean_body` before it is stored; templates trust the stored body only because of it.

`mark_external_links` decorates a stored body for display. It runs on render, not on save, so that
what is stored (and exported, and indexed for search) stays the editor's text, and it can tell
this site's own host from others."""

import re
from html import unescape
from urllib.parse import urlsplit

import nh3
from django.utils.html import escape
from django.utils.translation import gettext as _

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "ul", "ol", "li", "a", "blockquote", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Their content is junk on a news page, not text to keep.
DROPPED_WITH_CONTENT = {"script", "style", "template", "title", "xml"}


def clean_body(html):
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        clean_content_tags=DROPPED_WITH_CONTENT,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


# An <a> start tag as nh3 writes it (every attribute value in double quotes, `"` escaped), its
# content and its end tag. Links do not nest, so the first </a> closes it.
ANCHOR = re.compile(
    r'<a(?P<attributes>(?:\s+[^\s"\'>/=]+(?:="[^"]*")?)*)\s*>(?P<content>.*?)</a>', re.DOTALL
)
HREF = re.compile(r'\shref="(?P<href>[^"]*)"')
HAS_CLASS = re.compile(r'\sclass="')
HAS_REL = re.compile(r'\srel="')


def host_name(host):
    """The host name of a Host header value: "example.org:8000" -> "example.org"."""
    try:
        return (urlsplit(f"//{host}").hostname or "") if host else ""
    except ValueError:
        return ""


def is_external(href, own_hosts=()):
    """An absolute web address (or a scheme-relative one) on a host that is not this site's."""
    try:
        url = urlsplit(unescape(href).strip())
        hostname = url.hostname
    except ValueError:
        return False
    return (
        url.scheme.lower() in {"http", "https", ""}
        and bool(hostname)
        and (hostname not in own_hosts)
    )


def mark_external_links(body, own_hosts=()):
    """Give each link to another website the class "external" and a hint for screen readers,
    and make sure it carries rel="noopener noreferrer". `body` must come from `clean_body`."""
    own_hosts = {host_name(host) for host in own_hosts} - {""}
    # Outside the f-string, where makemessages (xgettext) finds it.
    label = escape(_("(external link)"))
    hint = f'<span class="visually-hidden"> {label}</span>'

    def mark(match):
        attributes = match["attributes"]
        href = HREF.search(attributes)
        if not href or not is_external(href["href"], own_hosts) or HAS_CLASS.search(attributes):
            return match[0]
        if not HAS_REL.search(attributes):
            attributes += ' rel="noopener noreferrer"'
        return f'<a{attributes} class="external">{match["content"]}{hint}</a>'

    return ANCHOR.sub(mark, body)


def links_out(body, own_hosts=()):
    """Whether `body` (from `clean_body`) links to another website: only then does the article
    say that the OSCE is not responsible for external websites."""
    own_hosts = {host_name(host) for host in own_hosts} - {""}
    for match in ANCHOR.finditer(body):
        href = HREF.search(match["attributes"])
        if href and is_external(href["href"], own_hosts):
            return True
    return False

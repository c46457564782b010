"""Template helpers of an article's page: its share links, the press contacts of the bodies that
issued it, and whether its body links out."""

from urllib.parse import quote, urlencode

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext

from news.sanitise import links_out

register = template.Library()

# Plain links to each network's own share page: no script of theirs runs on the site, and
# nothing is sent to them until the reader follows a link (with no Referer: rel="noreferrer").
# The networks read across the OSCE area, Telegram and VK among them.
NETWORKS = (
    ("Facebook", "https://www.facebook.com/sharer/sharer.php", lambda url, _title: {"u": url}),
    ("X", "https://x.com/intent/post", lambda url, title: {"url": url, "text": title}),
    ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/", lambda url, _t: {"url": url}),
    ("Telegram", "https://t.me/share/url", lambda url, title: {"url": url, "text": title}),
    ("WhatsApp", "https://wa.me/", lambda url, title: {"text": f"{title} {url}"}),
    ("VK", "https://vk.com/share.php", lambda url, title: {"url": url, "title": title}),
)


def query(params):
    # %20 for spaces, as mail programs read a mailto: address.
    return urlencode(params, quote_via=quote)


@register.simple_tag(takes_context=True)
def share_links(context, item):
    """[{"href", "text", "label" or "sentence", "new_tab"}] for sharing the item: by e-mail
    (its accessible name in `label`), then on each network (in `sentence`, which also says a new
    tab opens)."""
    url = context["request"].build_absolute_uri(item.get_absolute_url())
    links = [
        {
            "href": f"mailto:?{query({'subject': item.title, 'body': url})}",
            "text": gettext("Email"),
            "label": gettext("Share by email"),
            "new_tab": False,
        }
    ]
    # The network's name is the same in every language (translate="no"); the sentence around
    # it is translated whole, the translator placing the name.
    before, _name, after = pgettext(
        "a share link", "Share on %(network)s (opens in a new tab)"
    ).partition("%(network)s")
    for network, address, params in NETWORKS:
        links.append(
            {
                "href": f"{address}?{query(params(url, item.title))}",
                "text": network,
                "sentence": format_html(
                    '{}<span translate="no">{}</span>{}', before, network, after
                ),
                "new_tab": True,
            }
        )
    return links


@register.filter
def press_contacts(item):
    """The bodies that issued the item and name a press contact, in the order given."""
    return [
        structure
        for structure, _name in item.issuers_in_force()
        if structure.press_contact or structure.press_email or structure.press_phone
    ]


@register.filter
def body_links_out(body, own_host=""):
    return links_out(body, [own_host])

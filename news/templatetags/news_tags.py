"""Template helpers of the public pages: the article body as displayed, its photo, links to the
filtered listing, the schema.org data of an article and the page's language."""

import html
import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext, ngettext, pgettext, to_locale
from django.utils.translation import gettext_lazy as _

from languages.templatetags.language_tags import html_lang, lang_attr
from news.models import NewsItem
from news.sanitise import mark_external_links
from structures import prefetch

register = template.Library()

PUBLISHER_NAME = _("Organization for Security and Co-operation in Europe")
# As django.utils.html.json_script escapes: "</script>" or "<!--" in a value cannot end the
# element, whatever an editor writes.
# Of a long list's options with results, those giving the most are shown at first (with what
# is chosen); the others wait behind "Show all", with the options without results.
FIRST_SHOWN = 10
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def article_body(body, own_host=""):
    """A stored news body, ready to show: external links marked. Marked safe because bodies are
    sanitised by news.sanitise.clean_body before they are stored, and only then."""
    return mark_safe(mark_external_links(body, [own_host]))


def share_image(item, request):
    """The photo to show when the item is shared or found: the large rendition when there is one,
    else the original, as {"url" (absolute), "width", "height"}; None without a photo."""
    if not item.image:
        return None
    large = item.rendition("large")
    if large:
        return {**large, "url": request.build_absolute_uri(large["url"])}
    return {"url": request.build_absolute_uri(item.image.url), "width": None, "height": None}


@register.simple_tag(takes_context=True)
def article_share_image(context, item):
    return share_image(item, context["request"])


def news_article_data(item, request):
    """The schema.org NewsArticle of an item, as a dict ready for JSON."""
    url = request.build_absolute_uri(item.get_absolute_url())
    # A draft being previewed may have no date yet: it is shown as issued now.
    published = item.published_at or item.updated_at or timezone.now()
    # When what the reader reads last changed, as the page says: not a change of status.
    modified = item.last_updated or published
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": item.title,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": timezone.localtime(published).isoformat(),
        "dateModified": timezone.localtime(modified).isoformat(),
        "inLanguage": item.language,
        "articleSection": str(item.get_type_display()),
        "author": [
            {
                "@type": "Organization",
                "name": name,
                "url": request.build_absolute_uri(structure.get_absolute_url()),
            }
            for structure, name in item.issuers_in_force()
        ],
        "publisher": {
            "@type": "Organization",
            "name": PUBLISHER_NAME,
            "alternateName": "OSCE",
            "url": request.build_absolute_uri(reverse("home")),
        },
    }
    if item.lead:
        data["description"] = item.lead
    image = share_image(item, request)
    if image:
        data["image"] = [image["url"]]
    keywords = [field.local_name for field in prefetch.records(item, "fields_of_work")]
    keywords += [tag.name for tag in prefetch.records(item, "tags")]
    if keywords:
        data["keywords"] = ", ".join(keywords)
    return data


@register.simple_tag(takes_context=True)
def news_article_json_ld(context, item):
    data = json.dumps(news_article_data(item, context["request"]), cls=DjangoJSONEncoder)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(data.translate(JSON_SCRIPT_ESCAPES)),
    )


@register.simple_tag
def listing_url(**filters):
    """The news listing filtered by `filters`, e.g. {% listing_url field=field.slug %}."""
    return filtered_url("news:list", **filters)


@register.simple_tag
def filtered_url(url_name, **filters):
    """A view of the listing's filters (the listing, its feeds, its export) filtered by
    `filters`, in the canonical order of the query: {% filtered_url "news:rss" field=slug %}."""
    return f"{reverse(url_name)}?{urlencode(sorted(filters.items()))}"


@register.filter
def prefetched(instance, relation):
    """`instance.<relation>.all`, read from what the page's prefetch left without making the
    related manager and its queryset (structures/prefetch.py); read from the database if
    nothing was prefetched."""
    return prefetch.records(instance, relation)


@register.filter
def rendition(item, name):
    """A photo rendition made at upload ({"url", "webp_url", "width", "height"}), or None."""
    return item.rendition(name)


@register.simple_tag
def page_language():
    """The lang attribute of a page: the primary subtag of the active language ("en" for en-gb),
    which is what a screen reader needs to choose its voice. The site's words are in it; content
    in another language says so itself (languages/templatetags/language_tags.py: lang_attr)."""
    return html_lang()


@register.simple_tag
def page_locale():
    """The active language as OpenGraph writes a locale: "en_GB"."""
    return to_locale(get_language() or "en")


def plain_escape(text):
    """What django.utils.html.escape gives, as a plain str, without its check of every argument
    for lazy text (keep_lazy): the tags below escape a few hundred values a page."""
    return html.escape(str(text))


def count_words(count, counting_events=False):
    """What an option's count counts, as a screen reader says it: "(1 item)", "(12 items)"."""
    if counting_events:
        text = ngettext("(%(counter)s event)", "(%(counter)s events)", count)
    else:
        text = ngettext("(%(counter)s item)", "(%(counter)s items)", count)
    return text % {"counter": count}


def counted(count, counting_events):
    """An option's count: the number for the eye, its words for a screen reader. The hidden
    words are a sentence of their own (no markup inside the translation), and sit inside the
    option's list, which is positioned: a hidden element placed against the page instead made
    the page longer than its footer (issue 19)."""
    words = plain_escape(count_words(count, counting_events))
    return f'<span aria-hidden="true">{count}</span><span class="visually-hidden">{words}</span>'


@register.simple_tag
def facet_options(facets, counting_events=False):
    """The fieldsets of a listing's facets (news/listing/facets.py: Facet, Option), for the news
    and the meetings listings; `counting_events` names what the counts count. A field's
    sub-topics are in a nested list named after it (a screen reader says whose sub-topics
    they are). In a long list, what is chosen and the options that give the most results come
    first; the others, and those that would give nothing, wait behind "Show all" (a <details>,
    no script needed), and a box to narrow the list by typing is shown by static/js/site.js.

    Written here rather than as a template: a panel has some two hundred options, and the
    template language took about 30 ms to render them, more than everything else a filtered
    listing does (bench/README.md, "Listing index")."""
    parts = []
    add = parts.append
    # Many options share a count (0, above all): each count's words are made once a panel.
    count_markup_of = {}

    def count_markup(count):
        words = count_markup_of.get(count)
        if words is None:
            words = count_markup_of[count] = counted(count, counting_events)
        return words

    def add_options(facet_name, groups):
        for group in groups:
            classes = class_attribute(
                group.subtopics and "has-subtopics", group.disabled and "disabled"
            )
            add(f"\n      <li{classes}>")
            for position, option in enumerate(group.with_subtopics):
                if position == 1:
                    name = gettext("Sub-topics of %(name)s") % {"name": group.label}
                    add(f'\n        <ul class="suboptions" aria-label="{plain_escape(name)}">')
                if position:
                    add(f"\n          <li{class_attribute(option.disabled and 'disabled')}>")
                add(option_markup(facet_name, option, count_markup(option.count)))
                if position:
                    add("</li>")
                    if position == len(group.subtopics):
                        add("\n        </ul>")
            add("\n      </li>")

    for facet in facets:
        selected = ""
        if facet.selected_count:
            count = facet.selected_count
            chosen = ngettext("(%(counter)s chosen)", "(%(counter)s chosen)", count)
            selected = f' <span class="selected-count">{chosen % {"counter": count}}</span>'
        facet_name = plain_escape(facet.name)
        shown, waiting = facet.top_options, []
        if facet.is_long:
            shown, waiting = first_shown(facet.top_options)
        add(
            f'\n  <fieldset class="facet facet-{facet_name}">\n'
            f"    <legend>{plain_escape(facet.legend)}{selected}</legend>"
        )
        if facet.is_long:
            add(find_box(facet_name))
        add(f'\n    <ul class="options{" long" if facet.is_long else ""}">')
        add_options(facet_name, shown)
        add("\n    </ul>")
        if waiting:
            more = show_all_words(waiting)
            add(
                f'\n    <details class="more-options">\n'
                f"    <summary>{plain_escape(more)}</summary>\n"
                f'    <ul class="options long">'
            )
            add_options(facet_name, waiting)
            add("\n    </ul>\n    </details>")
        add("\n  </fieldset>")
    return mark_safe("".join(parts))


def first_shown(groups):
    """(shown, waiting) of a long facet's groups, each in the list's order: what is chosen and
    the FIRST_SHOWN that give the most results (the earlier of a tie), then the rest."""
    giving = [group for group in groups if group.count and not group.chosen_here]
    most = {id(group) for group in sorted(giving, key=lambda g: -g.count)[:FIRST_SHOWN]}
    shown = [group for group in groups if group.chosen_here or id(group) in most]
    waiting = [group for group in groups if not (group.chosen_here or id(group) in most)]
    return shown, waiting


def show_all_words(waiting):
    """The words of "Show all" over the options that wait behind it."""
    if any(group.count for group in waiting):
        words = ngettext("Show all (%(counter)s more)", "Show all (%(counter)s more)", len(waiting))
    else:
        words = ngettext(
            "Show all (%(counter)s more without results)",
            "Show all (%(counter)s more without results)",
            len(waiting),
        )
    return words % {"counter": len(waiting)}


def find_box(facet_name):
    """A box to narrow a long list by typing: hidden until static/js/site.js makes it work."""
    identifier = f"find-{facet_name}"
    # Outside the f-string: xgettext (makemessages) does not read inside one.
    label = plain_escape(gettext("Find in this list"))
    return (
        f'\n    <div class="find-option" hidden>'
        f'<label for="{identifier}">{label}</label>'
        f'<input type="search" id="{identifier}" data-find-in="{facet_name}" autocomplete="off">'
        "</div>"
    )


def row_words(context):
    """What every row of a page writes the same (the type labels, the translated words, each
    field's link, each day's date), made once a page: kept in the template's render context."""
    words = context.render_context.get("news_row")
    if words is None:
        words = context.render_context["news_row"] = {
            "types": {value: plain_escape(label) for value, label in NewsItem.Type.choices},
            "in English": pgettext("an English item on a page in another language", "in English"),
            "Fields of work:": pgettext("before a list of fields of work", "Fields of work:"),
            "fields": {},
            "days": {},
        }
    return words


def field_link(page, field):
    link = page["fields"].get(field.pk)
    if link is None:
        link = page["fields"][field.pk] = (
            f'<a href="{plain_escape(field.get_absolute_url())}">'
            f"{plain_escape(field.local_name)}</a>"
        )
    return link


def day_text(page, published):
    """A row's date as the page writes it (DATE_FORMAT: the day, never the time)."""
    day = published.date()
    text = page["days"].get(day)
    if text is None:
        text = page["days"][day] = date_format(published)
    return text


def class_attribute(*names):
    names = [name for name in names if name]
    return f' class="{" ".join(names)}"' if names else ""


def option_markup(facet_name, option, count):
    """One option's checkbox and label; `facet_name` escaped already, `count` its markup."""
    value = plain_escape(option.value)
    identifier = f"{facet_name}-{value}"
    label = plain_escape(option.label)
    if option.lang:
        label = f'<span lang="{plain_escape(option.lang)}" translate="no">{label}</span>'
    return (
        f'\n        <input type="checkbox" name="{facet_name}" value="{value}" '
        f'id="{identifier}"{" checked" if option.selected else ""}'
        f"{' disabled' if option.disabled else ''}>\n"
        f'        <label for="{identifier}">{label} <span class="count">{count}</span></label>\n'
        "        "
    )


@register.simple_tag(takes_context=True)
def news_row(context, item):
    """A listing row: an item's photo, title, type, date, issuers (under the name each had on
    that day), lead or search snippet and fields of work. An item in another language than the
    page's (its content's, or its words' on a Tajik page under Russian words) says so with lang;
    an English original standing in for a missing translation is labelled "in English".

    Written here rather than as a template for the same reason as `facet_options`: twenty rows
    took the template language about 7 ms, a third of a listing page. The translated labels
    are the project's own, written out as `{% translate %}` would, unescaped."""
    language = context.get("content_language")
    page = row_words(context)
    other_language = (
        not language or item.language != language.code or item.language != language.chrome
    )
    item_language = plain_escape(item.language)
    lang = f' lang="{item_language}"' if other_language else ""
    image = item.image
    parts = [f'<article class="news-row{" has-image" if image else ""}">\n  ']
    thumb = item.thumbnail
    if thumb:
        parts.append(
            "\n  <picture>\n"
            f'    <source type="image/webp" srcset="{plain_escape(thumb["webp_url"])}">\n'
            f'    <img class="thumbnail" src="{plain_escape(thumb["url"])}" alt="" '
            f'width="{plain_escape(thumb["width"])}" height="{plain_escape(thumb["height"])}" '
            'loading="lazy">\n  </picture>\n  '
        )
    elif image:
        parts.append(
            f'<img class="thumbnail" src="{plain_escape(image.url)}" alt="" width="160" '
            'height="107" loading="lazy">'
        )
    title = f'<a href="{plain_escape(item.get_absolute_url())}"'
    if other_language:
        title += f'{lang} hreflang="{item_language}"'
    title += f">{plain_escape(item.title)}</a>"
    if item.language == "en" and language and not language.is_default:
        title += f' <span class="in-language type-label">{page["in English"]}</span>'
    published = timezone.localtime(item.published_at) if item.published_at else None
    issuers = "".join(
        f"{' · ' if position == 0 else ', '}{plain_escape(name)}"
        for position, (_structure, name) in enumerate(item.issuers_in_force())
    )
    item_type = page["types"].get(item.type) or plain_escape(item.type)
    parts.append(
        '\n  <div class="news-row-text">\n'
        f"    <h3>{title}</h3>\n"
        '    <p class="meta">\n'
        f'      <span class="type">{item_type}</span> ·\n'
        f'      <time datetime="{published.isoformat() if published else ""}">'
        f"{day_text(page, published) if published else ''}</time>\n"
        f"      {issuers}\n"
        "    </p>\n    "
    )
    snippet = getattr(item, "snippet", "")
    if snippet:
        parts.append(f'<p class="snippet"{lang}>{conditional_escape(snippet)}</p>\n    ')
    elif item.lead:
        lead = Truncator(item.lead).words(45, truncate=" …")
        parts.append(f'<p class="lead"{lang}>{plain_escape(lead)}</p>')
    fields = prefetch.records(item, "fields_of_work")
    if fields:
        links = ", ".join(field_link(page, field) for field in fields)
        label = page["Fields of work:"]
        hidden = f'<span class="visually-hidden">{label} </span>'
        parts.append(f'\n    <p class="fields">{hidden}{links}</p>\n    ')
    parts.append("\n  </div>\n</article>\n")
    return mark_safe("".join(parts))


@register.simple_tag
def related_row(other, item):
    """A line of an article's "Read more on this topic" list: `other`'s title, type and date,
    and its language when it is not the article's. Written here for the reason `news_row` is:
    the template language spent more on these five lines than on the rest of the article."""
    language = plain_escape(other.language)
    other_language = other.language != item.language
    published = timezone.localtime(other.published_at) if other.published_at else None
    when = published.isoformat() if published else ""
    day = plain_escape(date_format(published)) if published else ""
    hreflang = f' hreflang="{language}"' if other_language else ""
    in_language = (
        f' · <span lang="{language}" translate="no">{plain_escape(other.language_info.name)}</span>'
        if other_language
        else ""
    )
    return mark_safe(
        f'<li>\n        <a href="{plain_escape(other.get_absolute_url())}"{hreflang}'
        f"{lang_attr(other.language)}>{plain_escape(other.title)}</a>\n"
        f'        <span class="meta">{plain_escape(other.get_type_display())} · '
        f'<time datetime="{plain_escape(when)}">{day}</time>{in_language}</span>\n      </li>'
    )

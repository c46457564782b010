"""Every text a visitor reads is in the translation catalogue (locale/ru/LC_MESSAGES/django.po).

A pseudo-language is made from the catalogue: each message is its English text with every letter
replaced by its full-width look-alike (U+FF21 onwards), placeholders and HTML kept. Django's own
catalogue (month names, form errors) is added to it, as Django translates those itself. The
texts of the database (titles, leads, bodies, names of fields, countries, structures and tags)
are given look-alikes of their own, circled letters ("Ⓑⓞⓡⓓⓔⓡ"), and what the visitor types is
written in them too. The public pages are then rendered in the pseudo-language: a plain ASCII
letter left in any visible text, or in an attribute a visitor reads or hears (alt, title,
aria-label, placeholder, the description), is English that no catalogue covers: a string not
marked for translation, or marked but not yet in the catalogue (run makemessages, README,
"Languages")."""

import ast
import datetime
import html
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from string import ascii_letters, ascii_lowercase, ascii_uppercase

import django
import pytest
from django.conf import settings
from django.db.models import F, Func, Value
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from taggit.models import Tag

from countries.models import Chairpersonship, Country
from news.models import Event, FieldOfWork, MeetingSeries, NewsItem
from structures.models import FormerName, Structure

from .factories import NewsItemFactory

CATALOGUE = Path(settings.BASE_DIR) / "locale/ru/LC_MESSAGES/django.po"
DJANGO_CATALOGUE = Path(django.__file__).parent / "conf/locale/en/LC_MESSAGES/django.po"
PSEUDO = "en-xa"  # a private-use region: English, rewritten

FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in ascii_letters}
CIRCLED = {ord(c): 0x24D0 + i for i, c in enumerate(ascii_lowercase)} | {
    ord(c): 0x24B6 + i for i, c in enumerate(ascii_uppercase)
}
# What keeps its letters in a translation: placeholders, HTML tags and character references.
KEPT = re.compile(r"(%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]|<[^>]*>|&#?\w+;)")


def look_alike(text, letters):
    """`text` with the letters outside placeholders, tags and references replaced."""
    return "".join(
        part if KEPT.fullmatch(part) else part.translate(letters) for part in KEPT.split(text)
    )


def circled(text):
    return look_alike(text, CIRCLED)


def po_messages(path):
    """(context, id, plural id) of each message of a .po file: its header and the obsolete
    messages aside. gettext's tools write one message a paragraph."""
    for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
        fields, keyword = {}, None
        for line in paragraph.splitlines():
            if line.startswith("#"):
                continue
            if not line.startswith('"'):
                keyword, _, line = line.partition(" ")
                fields[keyword] = ""
            fields[keyword] += ast.literal_eval(line)
        if fields.get("msgid"):
            yield fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural")


def po_string(text):
    return json.dumps(text, ensure_ascii=False)


@pytest.fixture(scope="session")
def pseudo_catalogue(tmp_path_factory):
    """A folder for LOCALE_PATHS with the pseudo-language's compiled catalogue."""
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt is missing: install GNU gettext (make test-services does)"
    lines = [
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
    ]
    seen = set()
    for path in (CATALOGUE, DJANGO_CATALOGUE):  # ours first: it wins where both have a message
        for context, message, plural in po_messages(path):
            if (context, message) in seen:
                continue
            seen.add((context, message))
            lines.append("")
            if context is not None:
                lines.append(f"msgctxt {po_string(context)}")
            lines.append(f"msgid {po_string(message)}")
            pseudo = look_alike(message, FULL_WIDTH)
            if plural is None:
                lines.append(f"msgstr {po_string(pseudo)}")
            else:
                lines.append(f"msgid_plural {po_string(plural)}")
                lines.append(f"msgstr[0] {po_string(pseudo)}")
                lines.append(f"msgstr[1] {po_string(look_alike(plural, FULL_WIDTH))}")
    root = tmp_path_factory.mktemp("locale")
    folder = root / translation.to_locale(PSEUDO) / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text("\n".join(lines) + "\n", encoding="utf-8")
    subprocess.run(
        [msgfmt, "--check-format", "-o", folder / "django.mo", folder / "django.po"], check=True
    )
    return root


@pytest.fixture
def pseudo_language(pseudo_catalogue, settings):
    settings.LOCALE_PATHS = [pseudo_catalogue]
    settings.LANGUAGES = [("en-gb", "English"), (PSEUDO, "Pseudo-English")]
    # English pages show the site's words in the pseudo-language (languages/middleware.py).
    english = {**settings.CONTENT_LANGUAGES["en"], "chrome": PSEUDO}
    settings.CONTENT_LANGUAGES = {**settings.CONTENT_LANGUAGES, "en": english}
    with translation.override(PSEUDO):
        yield


# The texts of the database that pages show, by model.
DATA_FIELDS = {
    NewsItem: ["title", "lead", "image_alt", "image_caption", "image_credit"],
    FieldOfWork: ["name", "description"],
    Country: ["name", "sort_name"],
    Chairpersonship: ["country_name"],
    Structure: ["name", "issuing_label", "acronym", "territory", "city", "description"],
    FormerName: ["name"],
    Tag: ["name"],
    MeetingSeries: ["name", "description"],
    Event: ["title", "edition", "city", "venue", "status_note"],
}


@pytest.fixture
def data(demo_news, pseudo_language):
    """The demo news, an item with a photo, and every text of the database in circled letters."""
    NewsItemFactory(
        slug="with-photo",
        image="news/2024/05/visit.jpg",
        image_alt="Officials at a border crossing point",
        image_caption="Officials at the Vaalimaa crossing point.",
        image_credit="OSCE/Jane Doe",
    )
    for model, fields in DATA_FIELDS.items():
        letters = Value(ascii_letters), Value(circled(ascii_letters))
        model.objects.update(
            **{name: Func(F(name), *letters, function="translate") for name in fields}
        )
    items = list(NewsItem.objects.only("body"))
    for item in items:
        item.body = circled(item.body)  # the letters between the tags only
    NewsItem.objects.bulk_update(items, ["body"])
    for country in Country.objects.exclude(other_names=[]):
        Country.objects.filter(pk=country.pk).update(
            other_names=[circled(name) for name in country.other_names]
        )


class VisibleTexts(HTMLParser):
    """The texts of a page a visitor reads or hears: every text outside <script> and <style>,
    and the attributes shown or read out. The text of an element marked translate="no" is left
    out: it is the same in every language of the site, as a language's own name in the language
    switcher ("Русский", "English"), and so in no catalogue."""

    ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
    META = {"description", "og:title", "og:description", "og:image:alt"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts, self.hidden, self.untranslated = [], 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.hidden += tag in ("script", "style")
        if tag not in self.VOID and (self.untranslated or attrs.get("translate") == "no"):
            self.untranslated.append(tag)
        self.texts += [value for name, value in attrs.items() if name in self.ATTRIBUTES]
        if tag == "meta" and {attrs.get("name"), attrs.get("property")} & self.META:
            self.texts.append(attrs.get("content"))

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")
        if self.untranslated and self.untranslated[-1] == tag:
            self.untranslated.pop()

    def handle_data(self, data):
        if not self.hidden and not self.untranslated:
            self.texts.append(data)


def page_texts(markup):
    parser = VisibleTexts()
    parser.feed(markup)
    return parser.texts


def english(texts):
    """The texts that still hold a plain ASCII letter. The site's name is a proper name."""
    return [
        text.strip()
        for text in texts
        if text and re.search("[A-Za-z]", text.replace(settings.SITE_NAME, ""))
    ]


def untranslated(client, urls):
    """{url: [English texts]} of the pages that have any."""
    found = {}
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code in (200, 400, 404), url
        texts = english(page_texts(response.content.decode()))
        if texts:
            found[url] = texts
    return found


TYPED = circled("nowhere")  # what a visitor types is data too
PAGES = [
    "/",
    "/news/",
    "/news/?page=2",
    # The sentence with one item, a body and a whole year; lists, and a span of years; a type
    # and two days; several types and a start; an end; bodies, a closed one, and a tag.
    "/news/?country=tajikistan&field=border-management&from=2013-01-01"
    "&issued_by=programme-office-in-dushanbe&to=2013-12-31",
    "/news/?country=kyrgyzstan&country=tajikistan&field=border-management"
    "&field=economic-activities&from=2000-01-01&to=2015-12-31",
    "/news/?from=2010-03-04&to=2014-05-06&type=press_release",
    "/news/?from=2010-03-04&type=news&type=press_release",
    "/news/?to=2010-03-04",
    "/news/?issued_by=centre-in-dushanbe&issued_by=programme-office-in-dushanbe"
    "&issued_by=secretariat&tag=demo",
    f"/news/?q={TYPED}",  # a search that finds nothing
    # Filters that cannot be understood: ours, and Django's own messages.
    f"/news/?country={TYPED}&from=2014-01-01&to=2013-01-01",
    "/news/?from=31.12.2013",
    "/news/?" + "&".join(f"type={TYPED}{n}" for n in range(21)),
    "/news/tajik-customs-officials-learn-from-finnish-experience-in-osce-organized-study-visit/",
    "/news/with-photo/",
    "/fields-of-work/",
    "/fields-of-work/border-management/",
    "/countries/",
    "/countries/tajikistan/",
    "/countries/mongolia/",
    "/countries/czechia/",
    "/countries/switzerland/",
    "/structures/",
    "/structures/programme-office-in-dushanbe/",
    # The meetings (the editions of the reference data): listing, filtered, refused, a series,
    # an event.
    "/meetings/",
    "/meetings/?country=austria&series=ministerial-council-meetings&year=2017&year=2025",
    f"/meetings/?year={TYPED}",
    "/meetings/series/ministerial-council-meetings/",
    "/meetings/ministerial-council-2024-ta-qali/",
    "/structures/secretariat/",
    "/structures/chairpersonship/",
    "/structures/centre-in-dushanbe/",
    "/structures/missions-of-long-duration-kosovo-sandjak-vojvodina/",
    "/no-such-page/",
]


def test_every_text_of_the_public_pages_is_translated(client, data):
    assert untranslated(client, PAGES) == {}


def test_every_text_of_the_error_pages_is_translated(pseudo_language):
    pages = {
        name: render_to_string(name)
        for name in ("400.html", "403.html", "403_csrf.html", "500.html", "503.html")
    }
    pages["axes/lockout.html"] = render_to_string(
        "axes/lockout.html", {"cooloff_timedelta": datetime.timedelta(minutes=15)}
    )
    found = {name: english(page_texts(markup)) for name, markup in pages.items()}
    assert {name: texts for name, texts in found.items() if texts} == {}


def test_the_preview_banner_is_translated(data):
    request = RequestFactory().get("/")
    item = NewsItem.objects.get(slug="with-photo")
    banners = []
    for status, published_at in (
        (NewsItem.Status.PUBLISHED, item.published_at),
        (NewsItem.Status.PUBLISHED, item.published_at + datetime.timedelta(days=7)),
        (NewsItem.Status.DRAFT, item.published_at),
    ):
        item.status, item.published_at = status, published_at
        context = {"item": item, "preview": True, "request": request}
        markup = render_to_string("news/newsitem_detail.html", context, request=request)
        banners += english(page_texts(markup))
    assert banners == []


def feed_texts(xml):
    """The texts of a feed a reader shows: titles, descriptions, authors and categories, which
    readers take for HTML."""
    texts = []
    for element in ET.fromstring(xml).iter():
        name = element.tag.rpartition("}")[2]
        if name in {"title", "description", "subtitle", "summary", "name", "creator"}:
            texts.append(element.text)
        if name == "category":
            texts.append(element.text or element.get("term"))
    return [html.unescape(text) for text in texts if text]


def test_feed_titles_and_descriptions_are_translated(client, data):
    found = {}
    for url in (
        "/news/rss/",
        "/news/atom/",
        "/news/rss/?country=tajikistan&field=border-management&from=2013-01-01&to=2013-12-31",
        "/news/atom/?issued_by=programme-office-in-dushanbe&q=ⓑⓞⓡⓓⓔⓡ&type=press_release",
    ):
        texts = english(feed_texts(client.get(url).content))
        if texts:
            found[url] = texts
    assert found == {}


def test_error_messages_of_the_feeds_exports_and_api_are_translated(client, data):
    bad = f"country={TYPED}&from=2014-01-01&to=2013-01-01"
    texts = client.get(f"/news/export.csv?{bad}").content.decode().splitlines()
    feed = client.get(f"/news/rss/?{bad}").content.decode().splitlines()
    # Each line after the first names a parameter of the address: "to: …".
    messages = [texts[0], *(line.split(": ", 1)[1] for line in texts[1:] + feed[1:])]
    errors = client.get(f"/api/news/?{bad}&page_size=0").json()["errors"]
    messages += [message for field in errors.values() for message in field]
    messages.append(client.get("/api/news/no-such-item/").json()["detail"])
    messages.append(client.get("/api/news/?page=999").json()["detail"])
    assert english(messages) == []


def test_the_hint_of_an_external_link_is_translated(client, data):
    item = NewsItemFactory(
        slug="with-link", body=f'<p><a href="https://example.org/">{TYPED}</a></p>'
    )
    NewsItem.objects.filter(pk=item.pk).update(title=circled("a link"), lead="")
    assert untranslated(client, [item.get_absolute_url()]) == {}

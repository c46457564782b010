"""The hostile site the stored-XSS tests walk (tests/test_xss.py and
tests/browser/test_xss_browser.py): the vectors of tests/data/xss_vectors.jsonl stored in every
field of every kind of record, and the reading of each page and format for what a browser would
run."""

import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image
from taggit.models import Tag

from countries.models import Country
from news import images
from news.listing.filters import MAX_QUERY_LENGTH, MAX_VALUES_PER_FACET
from news.models import FieldOfWork, IssuingBody, NewsItem
from news.sanitise import ALLOWED_TAGS
from structures.models import FormerName, Structure

VECTOR_FILE = Path(__file__).parent / "data" / "xss_vectors.jsonl"
ATOM = "{http://www.w3.org/2005/Atom}"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass(frozen=True)
class Vector:
    id: int
    kind: str  # "html", or "csv" for a spreadsheet formula
    text: str


def load_vectors():
    with VECTOR_FILE.open(encoding="utf-8") as lines:
        return [Vector(**json.loads(line)) for line in lines if line.strip()]


VECTORS = load_vectors()


# --- The corpus -----------------------------------------------------------------------------


def storable(text, model, name):
    """`text` as the field can hold it: cut to its max_length, and without NUL, which
    PostgreSQL cannot store (the admin's and the importer's forms refuse it)."""
    max_length = model._meta.get_field(name).max_length
    return text.replace("\x00", "")[:max_length]


def hostile_site(vectors, photo=None):
    """One published item per vector, the vector in each of its texts, issued under a hostile
    former name of a hostile structure, about a hostile field of work and country, with a hostile
    tag; `photo` (an images.store_image result) gives each item a picture whose alt text,
    caption and credit are the vector too. Returns the items, in the vectors' order.

    The taxonomy stays out of the header menus (a closed field activity, an "other place", a
    section that is not a topic), which would otherwise repeat every vector on every page;
    `show_in_menus` puts it there."""
    secretariat = Structure.objects.get(slug="secretariat")
    now = timezone.now()
    countries, structures, former_names, fields, tags, items = [], [], [], [], [], []
    for number, vector in enumerate(vectors):
        text, slug = vector.text, f"xss-{vector.id}"
        country = Country(
            name=storable(text, Country, "name"),
            sort_name=storable(text, Country, "sort_name"),
            slug=slug,
            # Lower case: the real ISO codes are upper case.
            code=chr(ord("a") + number // 26) + chr(ord("a") + number % 26),
            status=Country.Status.OTHER,
            other_names=[storable(text, Country, "name")],
        )
        countries.append(country)
        structure = Structure(
            name=storable(text, Structure, "name"),
            issuing_label=storable(text, Structure, "issuing_label"),
            slug=slug,
            acronym=storable(text, Structure, "acronym"),
            kind=Structure.Kind.CLOSED_FIELD_ACTIVITY,
            country=country,
            territory=storable(text, Structure, "territory"),
            city=storable(text, Structure, "city"),
            description=storable(text, Structure, "description"),
            established_year=2000,
            closed_year=2100,
        )
        structures.append(structure)
        former_names.append(
            FormerName(
                structure=structure,
                name=storable("Formerly " + text, FormerName, "name"),
                valid_from=date(2000, 1, 1),
                valid_until=date(2100, 1, 1),
            )
        )
        fields.append(
            FieldOfWork(
                name=storable(text, FieldOfWork, "name"),
                slug=slug,
                description=storable(text, FieldOfWork, "description"),
                is_topical=False,
            )
        )
        tags.append(Tag(name=storable(text, Tag, "name"), slug=slug))
        item = NewsItem(
            slug=slug,
            title=storable(text, NewsItem, "title"),
            type=NewsItem.Type.values[number % len(NewsItem.Type.values)],
            lead=storable(text, NewsItem, "lead"),
            body=text,
            status=NewsItem.Status.PUBLISHED,
            published_at=now - timedelta(days=1, minutes=number),
        )
        if photo:
            item.image, item.image_renditions = photo.name, photo.renditions
            item.image_alt = storable(text, NewsItem, "image_alt")
            item.image_caption = storable(text, NewsItem, "image_caption")
            item.image_credit = storable(text, NewsItem, "image_credit")
        # The save path that editors and imports take, so that the body is sanitised.
        item.save()
        items.append(item)
    Country.objects.bulk_create(countries)
    Structure.objects.bulk_create(structures)
    FormerName.objects.bulk_create(former_names)
    FieldOfWork.objects.bulk_create(fields)
    Tag.objects.bulk_create(tags)
    # The Secretariat second on every item, so that "Read more on this topic" lists others.
    IssuingBody.objects.bulk_create(
        IssuingBody(news_item=item, structure=body, position=position)
        for item, structure in zip(items, structures, strict=True)
        for position, body in enumerate([structure, secretariat])
    )
    NewsItem.fields_of_work.through.objects.bulk_create(
        NewsItem.fields_of_work.through(newsitem=item, fieldofwork=field_of_work)
        for item, field_of_work in zip(items, fields, strict=True)
    )
    NewsItem.countries.through.objects.bulk_create(
        NewsItem.countries.through(newsitem=item, country=country)
        for item, country in zip(items, countries, strict=True)
    )
    NewsItem.tags.through.objects.bulk_create(
        NewsItem.tags.through(content_object=item, tag=tag)
        for item, tag in zip(items, tags, strict=True)
    )
    return items


def show_in_menus():
    """Put the hostile taxonomy of `hostile_site` in the header menus of every page."""
    # Open field operations: the menu leaves closed bodies to the index.
    Structure.objects.filter(slug__startswith="xss-").update(
        kind=Structure.Kind.FIELD_OPERATION, closed_year=None
    )
    Country.objects.filter(slug__startswith="xss-").update(
        status=Country.Status.PARTICIPATING_STATE
    )
    FieldOfWork.objects.filter(slug__startswith="xss-").update(is_topical=True)
    cache.clear()  # the menus and the pages cached with them


def store_photo(media_root):
    buffer = io.BytesIO()
    Image.new("RGB", (480, 320), (40, 90, 160)).save(buffer, "JPEG")
    upload = SimpleUploadedFile("photo.jpg", buffer.getvalue())
    with override_settings(MEDIA_ROOT=media_root):
        return images.store_image(upload, stem="photo")


# --- Reading a page --------------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: list  # (name, value) pairs, as written
    parent: "Element | None"
    parts: list = field(default_factory=list)

    def get(self, name):
        # The first of duplicated attributes counts, as in browsers.
        return next((value for key, value in self.attrs if key == name), None)

    @property
    def text(self):
        return "".join(self.parts)


class Page(HTMLParser):
    """Every element of a document, with its attributes and its text content."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.elements, self.open, self.parts = [], [], []
        self.feed(markup)
        self.close()

    @property
    def text(self):
        return "".join(self.parts)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.open[-1] if self.open else None)
        self.elements.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append(Element(tag, attrs, self.open[-1] if self.open else None))

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                break

    def handle_data(self, data):
        self.parts.append(data)
        for element in self.open:
            element.parts.append(data)

    def find_all(self, tag, **attrs):
        """Elements `tag` whose attributes have these values (class_: one of its classes)."""
        wanted_class = attrs.pop("class_", None)
        return [
            element
            for element in self.elements
            if element.tag == tag
            and all(element.get(name) == value for name, value in attrs.items())
            and (wanted_class is None or wanted_class in (element.get("class") or "").split())
        ]

    def inside(self, ancestor):
        """The elements within `ancestor`."""
        found = []
        for element in self.elements:
            parent = element.parent
            while parent is not None and parent is not ancestor:
                parent = parent.parent
            if parent is ancestor:
                found.append(element)
        return found

    def find(self, tag, **attrs):
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag} {attrs}> elements"
        return found[0]


# The elements the public templates write, the body's allow-list and the search highlight: any
# other element in a page came from content.
TEMPLATES = Path(settings.BASE_DIR) / "templates"
SITE_TAGS = (
    {
        tag.lower()
        for path in TEMPLATES.rglob("*.html")
        if "admin" not in path.relative_to(TEMPLATES).parts
        for tag in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", path.read_text())
    }
    | ALLOWED_TAGS
    | {"mark", "script"}  # written by news/search.py and the JSON-LD tag; scripts checked apart
)
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
    "lowsrc", "dynsrc", "code", "codebase", "cite", "ping", "longdesc", "usemap", "manifest",
}  # fmt: skip
SITE_LINK_RELS = {"canonical", "stylesheet", "icon", "alternate"}  # alternate: hreflang versions
SITE_LINK_RELS |= {"prev", "next"}  # a listing's neighbouring pages
# Dropped by a browser's URL parser before it reads the scheme: C0 controls and spaces at the
# ends, tabs and newlines anywhere.
URL_IGNORED = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$|[\t\n\r]")


def runs_script(url):
    return URL_IGNORED.sub("", url).lower().startswith(("javascript:", "vbscript:", "data:"))


def own_script(element):
    """The site's only scripts: files from /static/ and JSON-LD that is JSON."""
    if element.get("src") is not None:
        return element.get("src").startswith(settings.STATIC_URL)
    if element.get("type") != "application/ld+json":
        return False
    try:
        json.loads(element.text)
    except ValueError:
        return False
    return "</script" not in element.text.lower()


def problems(page, tags=SITE_TAGS):
    """What in `page` could run script or is markup that no template writes."""
    found = []
    for element in page.elements:
        where = f"<{element.tag}>"
        if element.tag not in tags:
            found.append(f"element {where}")
        if element.tag == "script" and not own_script(element):
            found.append(f"script {element.attrs} {element.text[:80]!r}")
        if element.tag == "meta" and element.get("http-equiv") is not None:
            found.append(f"http-equiv on {where}")
        if element.tag == "link" and element.get("rel") not in SITE_LINK_RELS:
            found.append(f"rel={element.get('rel')!r} on {where}")
        for name, value in element.attrs:
            if name.startswith("on") or name in {"style", "srcdoc"}:
                found.append(f"{name} on {where}")
            elif value and name in URL_ATTRIBUTES and runs_script(value):
                found.append(f"{name}={value!r} on {where}")
            elif value and name == "srcset":
                urls = [candidate.split()[0] for candidate in value.split(",") if candidate.split()]
                found += [f"srcset {url!r} on {where}" for url in urls if runs_script(url)]
    return found


def get_page(client, url, follow=False):
    response = client.get(url, follow=follow)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/html"), url
    page = Page(response.content.decode())
    assert problems(page) == [], url
    return page


def json_ld(page):
    return json.loads(page.find("script", type="application/ld+json").text)


def meta(page, prop):
    return page.find("meta", property=prop).get("content")


def chunks(items, size=MAX_VALUES_PER_FACET):
    """`items` in lists of at most `size`: the most values one facet of the listing takes."""
    items = list(items)
    return [items[start : start + size] for start in range(0, len(items), size)]


def filter_query(items):
    """The listing of exactly these items, each chosen by all four of its taxonomies."""
    return urlencode(
        [(name, item.slug) for name in ("country", "field", "issued_by", "tag") for item in items]
    )


ROW_LINK = re.compile(r"^/news/xss-\d+/$")


def row_titles(page):
    """The titles of the listing rows (and related items) that link to hostile items."""
    return [link.text for link in page.find_all("a") if ROW_LINK.match(link.get("href") or "")]


def words(text):
    return " ".join(text.split())


def search_queries(vectors, max_length=MAX_QUERY_LENGTH):
    """The vectors as search words, packed several to a query: the search box is plain text,
    escaped character by character wherever it is shown, so a batch tests each of its vectors."""
    queries = [""]
    for vector in vectors:
        if len(queries[-1]) + 1 + len(vector.text) > max_length:
            queries.append("")
        queries[-1] = f"{queries[-1]} {vector.text}" if queries[-1] else vector.text
    return queries


def html_text(markup):
    """The text of markup that must hold no element at all."""
    page = Page(markup)
    assert page.elements == [], markup
    return page.text


def as_read_from_xml(text):
    """`text` as a feed carries it: without the control characters XML 1.0 cannot hold, and
    with carriage returns read as line feeds, as XML parsers do."""
    text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")

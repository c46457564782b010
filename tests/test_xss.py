"""Stored XSS (issue 6): every vector of tests/data/xss_vectors.jsonl, put into every text an
editor controls (title, lead, body, photo alt text, caption and credit, tag, structure and former
name, country, field of work) and into the search box, comes out of every public output as text
or as sanitised markup, never as markup that runs: HTML pages, feeds, JSON, CSV and sitemap.

Pages are read with the standard library's HTML parser (neither html5lib nor lxml is installed);
tests/browser/test_xss_browser.py checks the same in Chromium, which parses as an attacker means.
"""

import csv
import io
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction

from countries.models import Country
from news.exports import FORMULA_TRIGGERS
from news.models import FieldOfWork, IssuingBody, NewsItem
from news.sanitise import ALLOWED_TAGS
from structures.models import Structure

from .xss_site import (
    ATOM,
    DC_CREATOR,
    SITEMAP,
    VECTORS,
    Page,
    as_read_from_xml,
    chunks,
    filter_query,
    get_page,
    hostile_site,
    html_text,
    json_ld,
    meta,
    problems,
    row_titles,
    search_queries,
    show_in_menus,
    store_photo,
    words,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("corpus")]


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker, tmp_path_factory):
    """The hostile site, built once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        items = hostile_site(VECTORS, photo=store_photo(tmp_path_factory.mktemp("media")))
        # As stored: the body sanitised, the other texts as PostgreSQL holds them.
        yield list(
            NewsItem.objects.filter(pk__in=[item.pk for item in items])
            .newest_first()
            .prefetch_related("tags", "fields_of_work", "countries", "issued_by")
        )
        transaction.set_rollback(True)


# --- The tests -------------------------------------------------------------------------------


def test_the_corpus_holds_over_100_distinct_vectors_and_spreadsheet_formulas():
    html_vectors = [v for v in VECTORS if v.kind == "html"]
    assert len(html_vectors) >= 100
    assert len({v.text for v in VECTORS}) == len(VECTORS)
    assert len({v.id for v in VECTORS}) == len(VECTORS)
    csv_vectors = [v for v in VECTORS if v.kind == "csv"]
    assert len(csv_vectors) >= 10
    assert all(v.text.lstrip("\t\r").startswith(("=", "+", "-", "@")) for v in csv_vectors)


def test_the_detector_sees_markup_that_would_run():
    """The checks themselves: unescaped vectors are caught."""
    for vector in ("<script>__xss(1)</script>", "<img src=x onerror=__xss(1)>",
                   '<a href="jav&#x09;ascript:__xss(1)">x</a>', "<iframe srcdoc=x>",
                   '<meta http-equiv="refresh" content="0">', '<p style="x">x</p>',
                   "<svg onload=__xss(1)>", '<img srcset="x 1x, javascript:__xss(1) 2x">',
                   '<script type="application/ld+json">{"a": "</script>',
                   '<link rel="import" href="/x">'):  # fmt: skip
        assert problems(Page(f"<p>{vector}</p>")) != [], vector
    assert problems(Page('<p><a href="https://example.org/">fine</a></p>')) == []


def test_home_page_shows_hostile_titles_and_leads_as_text(client, corpus):
    page = get_page(client, "/")
    latest = corpus[:10]
    assert row_titles(page) == [item.title for item in latest]
    # Listing rows cut the lead at 45 words, which joins its words with single spaces.
    leads = [words(lead.text) for lead in page.find_all("p", class_="lead")]
    assert leads == [words(item.lead) for item in latest if item.lead.strip()]


def test_filtered_listings_show_hostile_names_and_rows_as_text(client, corpus):
    """Each listing of 20 items, chosen by their hostile country, field of work, issuing body
    and tag: the names are in the page title, the summary, the active filters and the filter
    panel (which lists every name), the rows in the results."""
    for items in chunks(corpus):
        page = get_page(client, f"/news/?{filter_query(items)}", follow=True)
        assert row_titles(page) == [item.title for item in items]
        summary = page.find("p", id="result-summary").text
        labels = {link.get("aria-label") for link in page.find_all("a")}
        for item in items:
            names = [item.countries.all()[0].name, item.fields_of_work.all()[0].name,
                     str(item.issued_by.all()[0]), item.tags.all()[0].name]  # fmt: skip
            assert all(name in summary for name in names)
            assert all(f"Remove filter: {name}" in labels for name in names)


def test_article_pages_show_each_hostile_text_as_text_and_keep_the_json_ld_intact(client, corpus):
    for item in corpus:
        page = get_page(client, item.get_absolute_url())
        tag = item.tags.all()[0].name
        former_name = "Formerly " + item.issued_by.all()[0].issuing_label
        assert page.find("title").text == f"{item.title} – {settings.SITE_NAME}"
        assert page.find("h1", id="article-title").text == item.title
        assert page.find("p", class_="lead").text == item.lead
        assert meta(page, "og:title") == item.title
        assert meta(page, "og:image:alt") == item.image_alt
        assert meta(page, "article:tag") == tag
        assert meta(page, "article:section") == item.fields_of_work.all()[0].name
        assert page.find("img", sizes="(min-width: 48rem) 46rem, 100vw").get("alt") == (
            item.image_alt
        )
        assert page.find("figcaption").text == f"{item.image_caption} Photo: {item.image_credit}"
        assert tag in [link.text for link in page.find_all("a")]
        assert former_name[:200] in [link.text for link in page.find_all("a")]
        data = json_ld(page)
        assert (data["headline"], data["description"]) == (item.title, item.lead)
        assert tag in data["keywords"] and data["author"][0]["name"] == former_name[:200]
        # The body keeps the allow-listed markup only: nothing else is inside it.
        body = page.find("div", class_="body")
        assert {element.tag for element in page.inside(body)} <= ALLOWED_TAGS | {"span"}


@pytest.fixture
def plain_taxonomy():
    """The site without the hostile structures, countries and fields of work (the other tests
    check those): the listing's filter panel lists every one of them, and renders several times
    faster without. Rolled back with the test."""
    IssuingBody.objects.filter(structure__slug__startswith="xss-").delete()
    for model in (Structure, Country, FieldOfWork):
        model.objects.filter(slug__startswith="xss-").delete()


@pytest.mark.usefixtures("plain_taxonomy")
def test_search_words_are_shown_back_as_text(client):
    for query in search_queries(VECTORS):
        response = client.get(f"/news/?{urlencode({'q': query})}", follow=True)
        # The one vector with a NUL is refused (Django's forms refuse NUL), and shown back.
        assert response.status_code == (400 if "\x00" in query else 200), query
        page = Page(response.content.decode())
        assert problems(page) == [], query
        shown = query if "\x00" in query else query.strip()
        assert page.find("input", id="id_q").get("value") == shown
        if response.status_code == 200:
            assert f"matching “{shown}”" in page.find("p", id="result-summary").text


def test_search_snippets_highlight_hostile_text_as_text(client, corpus):
    """The items with "xss" in their indexed words are found with a snippet of their lead and
    body, in which the <mark> of the highlight is the only markup."""
    titles, snippets, url = [], 0, "/news/?q=xss"
    while url:
        page = get_page(client, url)
        titles += row_titles(page)
        for snippet in page.find_all("p", class_="snippet"):
            snippets += 1
            assert {element.tag for element in page.inside(snippet)} == {"mark"}
        url = next((link.get("href") for link in page.find_all("a", rel="next")), None)
    assert len(set(titles)) == len(titles)
    # Not every vector is found: PostgreSQL's parser skips what looks like an HTML tag.
    assert snippets > len(corpus) // 3


def test_structure_pages_show_hostile_names_as_text(client, corpus):
    for item in corpus:
        structure, country = item.issued_by.all()[0], item.countries.all()[0]
        page = get_page(client, structure.get_absolute_url())
        assert page.find("h1").text == f"{structure.issuing_label} ({structure.acronym})"
        assert page.find_all("p", class_="lead")[0].text == structure.description
        facts = [fact.text for fact in page.find_all("dd")]
        assert f"{structure.city}, {country.name}" in facts and structure.territory in facts
        assert structure.former_names.all()[0].name in page.text
        assert row_titles(page) == [item.title]


def test_country_and_field_of_work_pages_show_hostile_names_as_text(client, corpus):
    for item in corpus:
        for place in (item.countries.all()[0], item.fields_of_work.all()[0]):
            page = get_page(client, place.get_absolute_url())
            assert page.find("h1").text == place.name
            assert row_titles(page) == [item.title]


def test_indexes_and_menus_show_hostile_names_as_text(client, corpus):
    show_in_menus()
    names = set()
    for item in corpus:
        names |= {item.issued_by.all()[0].name, item.countries.all()[0].name,
                  item.fields_of_work.all()[0].name}  # fmt: skip
    home = get_page(client, "/")
    assert names <= {link.text for link in home.find_all("a")}
    for index in ("/structures/", "/countries/", "/fields-of-work/"):
        get_page(client, index)


def test_feeds_are_well_formed_and_their_html_is_escaped_text(client, corpus):
    """RSS titles and descriptions, and Atom summaries, are HTML to a feed reader: each is the
    item's text, escaped, with no element in it. The other fields are plain text."""
    by_slug = {item.slug: item for item in corpus}
    queries = [filter_query(items) for items in chunks(corpus)]
    for query in queries:
        response = client.get(f"/news/rss/?{query}")
        assert response.status_code == 200
        channel = ET.fromstring(response.content).find("channel")
        html_text(channel.findtext("title"))
        for entry in channel.iter("item"):
            item = by_slug[entry.findtext("link").rstrip("/").rsplit("/", 1)[1]]
            assert html_text(entry.findtext("title")) == as_read_from_xml(item.title)
            assert html_text(entry.findtext("description")) == as_read_from_xml(item.lead)
            assert entry.findtext(DC_CREATOR).startswith("Formerly ")
        response = client.get(f"/news/atom/?{query}")
        assert response.status_code == 200
        feed = ET.fromstring(response.content)
        for entry in feed.iter(f"{ATOM}entry"):
            item = by_slug[entry.find(f"{ATOM}link").get("href").rstrip("/").rsplit("/", 1)[1]]
            summary = entry.find(f"{ATOM}summary")
            assert summary.get("type") == "html"
            assert html_text(summary.text) == as_read_from_xml(item.lead)


def test_feed_titles_hold_the_search_words_escaped(client):
    """A regression test: the feed title repeats the search words, which anyone can put in a
    link to a feed, and feed readers read an RSS title as HTML."""
    for query in search_queries([vector for vector in VECTORS if "\x00" not in vector.text]):
        for feed in ("rss", "atom"):
            response = client.get(f"/news/{feed}/?{urlencode({'q': query})}")
            title = ET.fromstring(response.content).findtext(
                f"{ATOM}title" if feed == "atom" else "channel/title"
            )
            assert html_text(title).endswith(f"matching “{as_read_from_xml(query.strip())}”")


def test_json_api_is_json_whose_bodies_are_sanitised(client, corpus):
    response = client.get("/api/news/?page_size=100")
    assert response["Content-Type"] == "application/json"
    # Browsers must not guess HTML from a JSON string full of markup.
    assert response["X-Content-Type-Options"] == "nosniff"
    listed = response.json()["results"]
    assert [entry["title"] for entry in listed] == [item.title for item in corpus[:100]]
    for item in corpus:
        data = client.get(f"/api/news/{item.slug}/").json()
        assert (data["title"], data["lead"]) == (item.title, item.lead)
        assert data["body_html"] == item.body
        assert problems(Page(data["body_html"]), tags=ALLOWED_TAGS) == [], item.slug


def test_csv_export_neutralises_every_formula(client, corpus):
    response = client.get("/news/export.csv")
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(corpus)
    for row in rows:
        for name, cell in row.items():
            assert not cell.startswith(FORMULA_TRIGGERS), (name, cell)
    by_slug = {row["slug"]: row for row in rows}
    for item in corpus:
        title = by_slug[item.slug]["title"]
        assert title == (
            f"'{item.title}" if item.title.startswith(FORMULA_TRIGGERS) else item.title
        )


def test_sitemaps_are_well_formed(client, corpus):
    response = client.get("/sitemap.xml")
    sections = [loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]
    locations = []
    for section in sections:
        response = client.get(section.removeprefix("http://testserver"))
        locations += [loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]
    assert {f"http://testserver{item.get_absolute_url()}" for item in corpus} <= set(locations)

"""The article page: what it shows, its links, its schema.org data, "Read more on this topic"
and its query counts (issue 3)."""

import datetime
import re

import pytest
from django.db import connection
from django.utils import timezone

from countries.models import Country
from news.models import FieldOfWork, NewsItem
from news.related import published_condition, related_items
from news.sanitise import clean_body
from structures.models import Structure

from .factories import NewsItemFactory
from .pages import HOSTILE, SEED_URL, between, country, days_ago, field, json_ld, page, structure

# --- the article page ---------------------------------------------------------------------------


def test_article_shows_type_title_lead_and_issue_date(client, demo_news):
    html = page(client, SEED_URL)
    assert '<p class="type-label">News item</p>' in html
    assert "Tajik customs officials learn from Finnish experience" in html
    assert "<dt>Issued on</dt>" in html
    assert '<time datetime="2013-05-31T00:00:00+02:00">31 May 2013</time>' in html


def test_issued_by_shows_the_name_in_force_and_links_to_todays_structure(client, demo_news):
    html = page(client, SEED_URL)
    assert "<dt>Issued by</dt>" in html
    assert (
        '<a href="/structures/programme-office-in-dushanbe/">OSCE Office in Tajikistan</a>'
        ' <span class="aside">(now OSCE Programme Office in Dushanbe)</span>'
    ) in html
    assert '<a href="/structures/secretariat/">OSCE Secretariat</a></li>' in html


def test_article_links_its_fields_countries_and_tags(client, demo_news):
    html = page(client, SEED_URL)
    assert '<a href="/fields-of-work/border-management/">Border management</a>' in html
    assert '<a href="/fields-of-work/economic-activities/">Economic activities</a>' in html
    assert '<a href="/countries/tajikistan/">Tajikistan</a>' in html
    assert '<a href="/countries/finland/">Finland</a>' in html
    assert '<a href="/news/?tag=customs">customs</a>' in html
    assert '<a href="/news/?tag=study-visit">study visit</a>' in html


def test_article_has_breadcrumbs_home_news_title(client, demo_news):
    html = page(client, SEED_URL)
    trail = between(html, 'aria-label="Breadcrumb"', "</nav>")
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', trail) == [
        ("/", "Home"),
        ("/news/", "News"),
    ]
    assert '<span aria-current="page">Tajik customs officials learn' in trail


def test_article_without_external_links_has_no_external_sites_disclaimer(client, demo_news):
    # The seed item links nowhere; tests/test_article_follow.py tries bodies that link out.
    html = page(client, SEED_URL)
    assert "not responsible for the content of external websites" not in html


def test_article_image_has_alt_caption_credit_and_open_graph_image(client, reference_data):
    item = NewsItemFactory(
        image="news/2024/05/visit.jpg",
        image_alt="Officials at a border crossing point",
        image_caption="Officials at the Vaalimaa crossing point.",
        image_credit="OSCE/Jane Doe",
    )
    html = page(client, item.get_absolute_url())
    photo = '<img src="/media/news/2024/05/visit.jpg" alt="Officials at a border crossing point">'
    assert photo in html
    assert "<figcaption>Officials at the Vaalimaa crossing point." in html
    assert '<span class="credit">Photo: OSCE/Jane Doe</span>' in html
    assert (
        '<meta property="og:image" content="http://testserver/media/news/2024/05/visit.jpg">'
        in html
    )
    assert json_ld(html)["image"] == ["http://testserver/media/news/2024/05/visit.jpg"]


def test_article_photo_uses_the_renditions_made_at_upload(client, reference_data):
    renditions = {
        name: {
            "path": f"news/2024/05/visit-{name}.jpg",
            "webp": f"news/2024/05/visit-{name}.webp",
            "width": width,
            "height": width * 2 // 3,
        }
        for name, width in (("thumbnail", 320), ("medium", 800), ("large", 1600))
    }
    item = NewsItemFactory(
        image="news/2024/05/visit.jpg", image_alt="Officials", image_renditions=renditions
    )
    html = page(client, item.get_absolute_url())
    assert (
        '<source type="image/webp" srcset="/media/news/2024/05/visit-medium.webp 800w, '
        '/media/news/2024/05/visit-large.webp 1600w"'
    ) in html
    assert 'width="800" height="533" alt="Officials">' in html
    large = "http://testserver/media/news/2024/05/visit-large.jpg"
    assert f'<meta property="og:image" content="{large}">' in html
    assert '<meta property="og:image:width" content="1600">' in html
    assert json_ld(html)["image"] == [large]


def test_article_without_image_has_no_figure_and_no_og_image(client, reference_data):
    html = page(client, NewsItemFactory().get_absolute_url())
    assert "<figure" not in html
    assert "og:image" not in html
    assert "image" not in json_ld(html)


@pytest.mark.parametrize(
    "status, published_at",
    [
        (NewsItem.Status.DRAFT, days_ago(1)),
        (NewsItem.Status.WITHDRAWN, days_ago(1)),
        (NewsItem.Status.PUBLISHED, timezone.now() + datetime.timedelta(days=1)),
    ],
    ids=["draft", "withdrawn", "scheduled"],
)
def test_item_that_is_not_public_is_a_404_page(client, reference_data, status, published_at):
    item = NewsItemFactory(status=status, published_at=published_at)
    response = client.get(item.get_absolute_url())
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert '<meta name="robots" content="noindex">' in html
    assert item.title not in html


# --- external links in the body -----------------------------------------------------------------

BODY_WITH_LINKS = (
    '<p>See <a href="https://example.org/report?a=1&b=2">the report</a>, '
    '<a href="/news/">our news</a>, <a href="http://testserver/countries/">countries</a> '
    'and <a href="mailto:press@osce.org">write to us</a>.</p>'
)


def test_links_to_other_websites_are_marked_for_eyes_and_screen_readers(client, reference_data):
    item = NewsItemFactory(body=BODY_WITH_LINKS)
    html = page(client, item.get_absolute_url())
    assert (
        '<a href="https://example.org/report?a=1&amp;b=2" rel="noopener noreferrer" '
        'class="external">the report<span class="visually-hidden"> (external link)</span></a>'
    ) in html


def test_links_within_the_site_and_mail_links_are_not_marked_external(client, reference_data):
    item = NewsItemFactory(body=BODY_WITH_LINKS)
    html = page(client, item.get_absolute_url())
    body = between(html, '<div class="body">', "</div>")
    assert body.count("(external link)") == 1
    assert '<a href="/news/" rel="noopener noreferrer">our news</a>' in body
    assert '<a href="http://testserver/countries/" rel="noopener noreferrer">countries</a>' in body
    assert '<a href="mailto:press@osce.org" rel="noopener noreferrer">write to us</a>' in body


def test_marking_happens_on_display_so_the_stored_body_stays_clean_and_stable(reference_data):
    item = NewsItemFactory(body=BODY_WITH_LINKS)
    item.refresh_from_db()
    assert "external" not in item.body
    assert clean_body(item.body) == item.body


# --- schema.org data ------------------------------------------------------------------------------


def test_json_ld_describes_the_article(client, demo_news):
    data = json_ld(page(client, SEED_URL))
    url = f"http://testserver{SEED_URL}"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"].startswith("Tajik customs officials learn")
    assert data["datePublished"] == "2013-05-31T00:00:00+02:00"
    assert data["dateModified"] >= data["datePublished"]
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["publisher"]["@type"] == "Organization"
    assert data["publisher"]["name"] == "Organization for Security and Co-operation in Europe"
    assert data["author"] == [
        {
            "@type": "Organization",
            "name": "OSCE Secretariat",
            "url": "http://testserver/structures/secretariat/",
        },
        {
            "@type": "Organization",
            "name": "OSCE Office in Tajikistan",
            "url": "http://testserver/structures/programme-office-in-dushanbe/",
        },
    ]


def test_hostile_title_cannot_break_out_of_the_json_ld(client, reference_data):
    item = NewsItemFactory(title=HOSTILE, lead=HOSTILE)
    html = page(client, item.get_absolute_url())
    assert "<script>alert(1)" not in html
    # Each script the page has closes once: the title closed none of them early.
    assert html.count("</script>") == html.count("<script") == 2  # the JSON-LD, site.js
    data = json_ld(html)
    assert data["headline"] == HOSTILE
    assert data["description"] == HOSTILE


# --- read more on this topic ----------------------------------------------------------------------


@pytest.fixture
def overlapping_items(reference_data):
    """An item about border management in Tajikistan from the Dushanbe office, and others that
    share more or less with it."""
    border, elections = field("border-management"), field("elections")
    tajikistan, moldova = country("tajikistan"), country("moldova")
    dushanbe = structure("programme-office-in-dushanbe")
    moldova_mission = structure("mission-to-moldova")
    items = {
        "item": NewsItemFactory(
            fields_of_work=[border], countries=[tajikistan], issued_by=[dushanbe]
        ),
        # field 3 + country 2 + issuer 1
        "everything": NewsItemFactory(
            fields_of_work=[border], countries=[tajikistan], issued_by=[dushanbe],
            published_at=days_ago(30),
        ),
        # field 3 + country 2
        "field_and_country": NewsItemFactory(
            fields_of_work=[border], countries=[tajikistan], issued_by=[moldova_mission],
            published_at=days_ago(20),
        ),
        # field 3, newer of two equals
        "field_newer": NewsItemFactory(
            fields_of_work=[border, elections], countries=[moldova], issued_by=[moldova_mission],
            published_at=days_ago(2),
        ),
        "field_older": NewsItemFactory(
            fields_of_work=[border], issued_by=[moldova_mission], published_at=days_ago(40),
        ),
        # issuer 1
        "issuer_only": NewsItemFactory(
            fields_of_work=[elections], countries=[moldova], issued_by=[dushanbe],
            published_at=days_ago(3),
        ),
        # nothing shared
        "unrelated": NewsItemFactory(
            fields_of_work=[elections], countries=[moldova], issued_by=[moldova_mission],
            published_at=days_ago(1),
        ),
        "draft": NewsItemFactory(
            status=NewsItem.Status.DRAFT,
            fields_of_work=[border], countries=[tajikistan], issued_by=[dushanbe],
        ),
        "withdrawn": NewsItemFactory(
            status=NewsItem.Status.WITHDRAWN,
            fields_of_work=[border], countries=[tajikistan], issued_by=[dushanbe],
        ),
        "scheduled": NewsItemFactory(
            published_at=timezone.now() + datetime.timedelta(hours=1),
            fields_of_work=[border], countries=[tajikistan], issued_by=[dushanbe],
        ),
    }  # fmt: skip
    return items


def related_to(item):
    item = NewsItem.objects.for_article().get(pk=item.pk)
    return list(related_items(item))


def test_related_items_come_best_match_first_then_newest(overlapping_items):
    items = overlapping_items
    assert related_to(items["item"]) == [
        items["everything"],
        items["field_and_country"],
        items["field_newer"],
        items["field_older"],
        items["issuer_only"],
    ]


def test_related_items_are_never_unpublished_nor_the_item_itself(overlapping_items):
    items = overlapping_items
    NewsItemFactory.create_batch(
        6,
        fields_of_work=[field("border-management")],
        countries=[country("tajikistan")],
        issued_by=[structure("programme-office-in-dushanbe")],
    )
    related = related_to(items["item"])
    assert len(related) == 5
    for name in ("item", "draft", "withdrawn", "scheduled", "unrelated"):
        assert items[name] not in related


def test_a_scheduled_item_joins_the_related_list_when_its_time_comes(
    overlapping_items, monkeypatch
):
    """The public condition is compiled once a process (news/related.py): each call still asks
    it of its own moment."""
    items = overlapping_items
    assert items["scheduled"] not in related_to(items["item"])
    later = timezone.now() + datetime.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert items["scheduled"] in related_to(items["item"])
    sql, params = published_condition()
    query = NewsItem.objects.published().query
    assert (sql, list(params)) == query.get_compiler(connection=connection).compile(query.where)


def test_related_candidates_are_the_newest_per_shared_value(overlapping_items, monkeypatch):
    # Per shared value only the most recently added items are scored, so that a popular field of
    # work does not make every article page read the whole archive.
    items = overlapping_items
    later = NewsItemFactory.create_batch(
        3, fields_of_work=[field("border-management")], issued_by=[], published_at=days_ago(60)
    )
    monkeypatch.setattr("news.related.CANDIDATES_PER_VALUE", 3)
    related = related_to(items["item"])
    # The border-management candidates are now the three items added last, which share only the
    # field; the better matches added before them are no longer candidates by that field.
    for item in later:
        assert item in related
    assert items["field_older"] not in related


def test_related_items_cost_one_query(overlapping_items, django_assert_num_queries):
    item = NewsItem.objects.for_article().get(pk=overlapping_items["item"].pk)
    with django_assert_num_queries(1):
        list(related_items(item))


def test_item_without_taxonomy_has_no_related_items(reference_data, django_assert_num_queries):
    item = NewsItemFactory(issued_by=[])
    item = NewsItem.objects.for_article().get(pk=item.pk)
    with django_assert_num_queries(0):
        assert list(related_items(item)) == []


def test_article_page_lists_the_related_items(client, overlapping_items):
    html = page(client, overlapping_items["item"].get_absolute_url())
    related = between(html, '<aside class="related"', "</aside>")
    assert "Read more on this topic" in related
    assert overlapping_items["everything"].get_absolute_url() in related
    assert overlapping_items["unrelated"].get_absolute_url() not in related


# --- query counts ---------------------------------------------------------------------------------

ARTICLE_QUERIES = 7  # item, issuing bodies, former names, fields, countries, tags, and the
# related items with its translations (one statement, whatever their number: issue 12)


def warm_menus(client):
    client.get("/")


@pytest.mark.parametrize("size", [2, 8])
def test_article_page_costs_the_same_queries_however_much_it_shows(
    client, reference_data, django_assert_num_queries, size
):
    fields = list(FieldOfWork.objects.all()[:size])
    countries = list(Country.objects.all()[:size])
    issuers = list(Structure.objects.all()[:size])
    item = NewsItemFactory(fields_of_work=fields, countries=countries, issued_by=issuers)
    item.tags.add(*[f"tag {n}" for n in range(size)])
    NewsItemFactory.create_batch(size, fields_of_work=fields, issued_by=issuers)
    warm_menus(client)
    with django_assert_num_queries(ARTICLE_QUERIES):
        html = page(client, item.get_absolute_url())
    assert html.count('<li><a href="/fields-of-work/') >= size


TAXONOMY_QUERIES = {
    "/fields-of-work/": 1,
    # Each detail page: and its next meetings and conferences (one query).
    "/fields-of-work/border-management/": 7,  # and its sub-topics
    "/countries/": 2,
    "/countries/tajikistan/": 8,
    "/structures/": 1,
    "/structures/programme-office-in-dushanbe/": 9,
    "/structures/secretariat/": 9,
    "/structures/chairpersonship/": 10,  # and the Chairpersonships by year
}


@pytest.mark.parametrize("url", TAXONOMY_QUERIES)
def test_taxonomy_pages_cost_a_fixed_number_of_queries(
    client, demo_news, django_assert_num_queries, url
):
    warm_menus(client)
    with django_assert_num_queries(TAXONOMY_QUERIES[url]):
        page(client, url)
    # Ten more items of this page's own do not add a query.
    NewsItemFactory.create_batch(
        10,
        fields_of_work=[field("border-management")],
        countries=[country("tajikistan")],
        issued_by=[structure("programme-office-in-dushanbe"), structure("secretariat")],
    )
    with django_assert_num_queries(TAXONOMY_QUERIES[url]):
        page(client, url)

"""The article page, the taxonomy pages, the header menus and what every public page carries for
people and search engines (issue 3)."""

import contextlib
import datetime
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.views import defaults

from countries.models import Chairpersonship, Country
from news.menus import get_menus
from news.models import FieldOfWork, NewsItem
from news.related import related_items
from news.sanitise import clean_body
from structures.models import Structure

from .factories import NewsItemFactory

SEED_URL = (
    "/news/tajik-customs-officials-learn-from-finnish-experience-in-osce-organized-study-visit/"
)
HOSTILE = "</script><script>alert(1)</script>"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
MENU_TABLE = '"countries_chairpersonship"'  # read only when the menus are built


@pytest.fixture(autouse=True)
def fresh_cache():
    """Menus are cached; each test starts and ends with an empty cache so that no test sees
    another's (rolled back) names."""
    cache.clear()
    yield
    cache.clear()


def structure(slug):
    return Structure.objects.get(slug=slug)


def field(slug):
    return FieldOfWork.objects.get(slug=slug)


def country(slug):
    return Country.objects.get(slug=slug)


def days_ago(n):
    return timezone.now() - datetime.timedelta(days=n)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def json_ld(html):
    scripts = JSON_LD.findall(html)
    assert len(scripts) == 1
    return json.loads(scripts[0])


def between(html, start, end):
    """The part of `html` from `start` up to the first `end` after it."""
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def menu_of(html):
    return between(html, '<nav class="main-nav"', "</nav>")


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


def test_article_says_the_osce_is_not_responsible_for_external_sites(client, demo_news):
    html = page(client, SEED_URL)
    assert "not responsible for the content of external websites" in html


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
    assert html.count("</script>") == 1
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

ARTICLE_QUERIES = 7  # item, issuing bodies, former names, fields, countries, tags, related


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
    "/fields-of-work/border-management/": 5,
    "/countries/": 2,
    "/countries/tajikistan/": 7,
    "/structures/": 1,
    "/structures/programme-office-in-dushanbe/": 8,
    "/structures/secretariat/": 8,
    "/structures/chairpersonship/": 9,  # and the Chairpersonships by year
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


# --- menus ----------------------------------------------------------------------------------------


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """What a change does once committed (the test's own transaction never commits): the
    caches are renewed then, not before. What the test did before counts as committed."""

    @contextlib.contextmanager
    def commit():
        connection.run_on_commit.clear()
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return commit


def make_current_chairpersonship(slug):
    chair_country = country(slug)
    Chairpersonship.objects.update_or_create(
        year=timezone.localdate().year,
        defaults={"country": chair_country, "country_name": chair_country.name},
    )
    return chair_country


def test_menus_are_in_the_header_of_every_page(client, demo_news):
    for url in ("/", "/news/", SEED_URL, "/countries/tajikistan/", "/structures/"):
        menu = menu_of(page(client, url))
        assert "<summary" in menu and "Fields of work" in menu
        assert "Countries</summary>" in menu
        assert "Structures and institutions</summary>" in menu
        assert re.search(r'<a class="menu-link[^"]*" href="/news/"', menu)


def test_fields_of_work_menu_links_each_topical_field(client, reference_data):
    menu = menu_of(page(client, "/"))
    for field_of_work in FieldOfWork.objects.filter(is_topical=True):
        assert f'<a href="{field_of_work.get_absolute_url()}">{field_of_work.name}</a>' in menu
    assert '<a href="/fields-of-work/projects/">' not in menu


def test_countries_menu_marks_the_current_chairpersonship(client, reference_data):
    make_current_chairpersonship("switzerland")
    year = timezone.localdate().year
    menu = menu_of(page(client, "/"))
    assert (
        f'<li class="is-chair"><a href="/countries/switzerland/">'
        f"Switzerland – OSCE Chairpersonship {year}</a></li>"
    ) in menu
    assert menu.count("OSCE Chairpersonship") == 1


def test_countries_menu_lists_states_then_asian_then_mediterranean_partners(client, reference_data):
    menu = menu_of(page(client, "/"))
    positions = [
        menu.index(label)
        for label in (
            "Participating States",
            "/countries/albania/",
            "/countries/uzbekistan/",
            "Asian Partners for Co-operation",
            "/countries/japan/",
            "Mediterranean Partners for Co-operation",
            "/countries/tunisia/",
        )
    ]
    assert positions == sorted(positions)
    assert "/countries/kosovo/" not in menu


def test_structures_menu_has_the_organisations_groups(client, reference_data):
    menu = menu_of(page(client, "/"))
    groups = [
        '<a href="/structures/chairpersonship/">Chairpersonship</a>',
        '<a href="/structures/secretariat/">Secretariat</a>',
        '<a href="/structures/conflict-prevention-centre/">Conflict Prevention Centre</a>',
        '<a href="/structures/#institutions">Institutions</a>',
        '<a href="/structures/odihr/">Office for Democratic Institutions and Human Rights</a>',
        '<a href="/structures/#field-operations">Field operations</a>',
        '<a href="/structures/programme-office-in-dushanbe/">Programme Office in Dushanbe</a>',
        '<a href="/structures/#closed-field-activities">Closed field activities</a>',
        '<a href="/structures/parliamentary-assembly/">Parliamentary Assembly</a>',
        '<a href="/structures/court-of-conciliation-and-arbitration/">Court of Conciliation',
    ]
    positions = [menu.index(group) for group in groups]
    assert positions == sorted(positions)


def test_header_has_a_labelled_search_box_that_searches_the_news(client, reference_data):
    html = page(client, "/")
    header = between(html, '<header class="site-header">', "</header>")
    assert 'action="/news/" method="get"' in header
    assert '<label for="site-search-q">Search news</label>' in header
    assert '<input type="search" id="site-search-q" name="q"' in header


def test_menus_are_served_from_the_cache_after_the_first_page(client, reference_data):
    with CaptureQueriesContext(connection) as first:
        page(client, "/fields-of-work/")
    with CaptureQueriesContext(connection) as second:
        page(client, "/fields-of-work/")
    assert any(MENU_TABLE in query["sql"] for query in first.captured_queries)
    assert not any(MENU_TABLE in query["sql"] for query in second.captured_queries)
    assert len(second.captured_queries) == 1  # the page's own list of fields


def test_reading_the_cached_menus_costs_no_query(reference_data, django_assert_num_queries):
    get_menus()
    with django_assert_num_queries(0):
        menus = get_menus()
    assert {"fields_of_work", "countries", "structures"} <= set(menus)


@pytest.mark.parametrize(
    "model, slug, old, new",
    [
        (Structure, "mission-to-skopje", "Mission to Skopje", "Mission to North Macedonia"),
        (FieldOfWork, "migration", "Migration", "Migration and mobility"),
        (Country, "czechia", "Czechia", "Czech Republic"),
    ],
)
def test_renaming_clears_the_cached_menus(client, reference_data, committed, model, slug, old, new):
    assert old in menu_of(page(client, "/"))
    obj = model.objects.get(slug=slug)
    obj.name = new
    with committed():
        obj.save()
    menu = menu_of(page(client, "/"))
    assert new in menu
    assert f">{old}<" not in menu


def test_a_new_chairpersonship_clears_the_cached_menus(client, reference_data, committed):
    make_current_chairpersonship("switzerland")
    assert "Switzerland – OSCE" in menu_of(page(client, "/"))
    with committed():
        make_current_chairpersonship("malta")
    menu = menu_of(page(client, "/"))
    assert "Malta – OSCE Chairpersonship" in menu
    assert "Switzerland – OSCE" not in menu


def test_deleting_a_structure_clears_the_cached_menus(client, reference_data, committed):
    assert "Office of Internal Oversight" in menu_of(page(client, "/"))
    with committed():
        structure("office-of-internal-oversight").delete()
    assert "Office of Internal Oversight" not in menu_of(page(client, "/"))


def test_the_menus_follow_the_chairpersonship_at_the_turn_of_the_year(
    client, reference_data, monkeypatch
):
    this_year = timezone.localdate().year
    make_current_chairpersonship("switzerland")
    Chairpersonship.objects.update_or_create(
        year=this_year + 1, defaults={"country": country("malta"), "country_name": "Malta"}
    )
    assert "Switzerland – OSCE" in menu_of(page(client, "/"))
    # No save happens on New Year's Day; the menus change because the year did.
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(this_year + 1, 1, 1))
    assert f"Malta – OSCE Chairpersonship {this_year + 1}" in menu_of(page(client, "/"))


# --- taxonomy pages -------------------------------------------------------------------------------


def test_field_page_shows_its_news_and_links_to_the_filtered_listing(client, demo_news):
    html = page(client, "/fields-of-work/border-management/")
    assert "<h1>Border management</h1>" in html
    assert SEED_URL in html
    assert '<a href="/news/?field=border-management">All news on Border management' in html


def test_fields_index_lists_the_topical_fields_and_then_the_other_sections(client, demo_news):
    html = page(client, "/fields-of-work/")
    assert html.index("/fields-of-work/arms-control/") < html.index("/fields-of-work/youth/")
    assert html.index("/fields-of-work/youth/") < html.index("Other sections")
    assert html.index("Other sections") < html.index("/fields-of-work/projects/")


def test_country_page_lists_the_field_operations_working_there(client, demo_news):
    html = page(client, "/countries/tajikistan/")
    assert "The OSCE in Tajikistan" in html
    presence = between(html, "<h3>Field operations</h3>", "</ul>")
    assert '<a href="/structures/programme-office-in-dushanbe/">OSCE Programme Office' in presence
    closed = between(html, "<h3>Closed field activities</h3>", "</ul>")
    assert '<a href="/structures/centre-in-dushanbe/">OSCE Centre in Dushanbe</a>' in closed
    assert "2002–2008" in closed
    assert '<a href="/news/?country=tajikistan">All news about Tajikistan' in html


def test_country_page_shows_status_and_chairpersonship_years(client, reference_data):
    html = page(client, "/countries/switzerland/")
    assert "Participating State since 1973" in html
    assert re.search(r"<dt>OSCE Chairpersonship</dt>\s*<dd>1996, 2014, 2026</dd>", html)


def test_country_page_lists_institutions_based_there(client, reference_data):
    html = page(client, "/countries/poland/")
    assert "<h3>Based in Poland</h3>" in html
    assert '<a href="/structures/odihr/">OSCE Office for Democratic Institutions' in html


def test_countries_index_groups_countries_and_marks_the_chairpersonship(client, reference_data):
    make_current_chairpersonship("switzerland")
    html = between(page(client, "/countries/"), "<main", "</main>")
    assert html.index("Participating States") < html.index("Asian Partners for Co-operation")
    assert html.index("Asian Partners") < html.index("Mediterranean Partners for Co-operation")
    assert "holds the OSCE Chairpersonship in" in html
    assert (
        '<li class="is-chair"><a href="/countries/switzerland/">Switzerland</a> – OSCE '
        "Chairpersonship"
    ) in html
    assert '<a href="/countries/kosovo/">Kosovo</a>' in html


def test_field_operation_page_shows_former_names_with_years_and_links_its_country(
    client, demo_news
):
    html = page(client, "/structures/programme-office-in-dushanbe/")
    assert "<h1>OSCE Programme Office in Dushanbe</h1>" in html
    assert '<p class="type-label">Field operation</p>' in html
    assert 'Dushanbe, <a href="/countries/tajikistan/">Tajikistan</a>' in html
    assert "<dt>Established</dt>\n  <dd>1994</dd>" in html
    for former in (
        'OSCE Mission to Tajikistan <span class="aside">(1994–2002)</span>',
        'OSCE Centre in Dushanbe <span class="aside">(2002–2008)</span>',
        'OSCE Office in Tajikistan <span class="aside">(2008–2017)</span>',
    ):
        assert former in html
    assert '<a href="/structures/centre-in-dushanbe/">OSCE Centre in Dushanbe</a>' in html
    assert SEED_URL in html
    assert (
        '<a href="/news/?issued_by=programme-office-in-dushanbe">All news issued by the OSCE '
        "Programme Office in Dushanbe"
    ) in html


def test_closed_structure_page_shows_its_years_and_successor(client, reference_data):
    html = page(client, "/structures/centre-in-dushanbe/")
    assert between(html, '<p class="type-label">', "</p>").endswith("· closed")
    assert "<dt>Closed</dt>\n  <dd>2008</dd>" in html
    assert (
        "<dt>Succeeded by</dt>\n"
        '  <dd><a href="/structures/programme-office-in-dushanbe/">'
        "OSCE Programme Office in Dushanbe</a></dd>"
    ) in html


def test_secretariat_page_lists_its_units_and_a_unit_links_its_parent(client, reference_data):
    html = page(client, "/structures/secretariat/")
    assert "Parts of the Secretariat" in html
    assert '<a href="/structures/conflict-prevention-centre/">' in html
    unit = page(client, "/structures/conflict-prevention-centre/")
    assert '<dt>Part of</dt>\n  <dd><a href="/structures/secretariat/">OSCE Secretariat</a>' in unit


def test_chairpersonship_page_lists_the_chairing_states_by_year(client, reference_data):
    make_current_chairpersonship("switzerland")
    html = page(client, "/structures/chairpersonship/")
    year = timezone.localdate().year
    assert (
        f'<li class="is-chair">{year}: <a href="/countries/switzerland/">Switzerland</a></li>'
    ) in html
    assert "<li>1992: Czechoslovakia</li>" in html
    assert "OSCE Chairmanship" in html  # its former name


def test_structures_index_is_grouped_like_the_menu(client, reference_data):
    html = page(client, "/structures/")
    headings = re.findall(r'<h2 id="([a-z-]+)">([^<]+)</h2>', html)
    assert headings == [
        ("chairpersonship", "Chairpersonship"),
        ("secretariat", "Secretariat"),
        ("institutions", "Institutions"),
        ("field-operations", "Field operations"),
        ("closed-field-activities", "Closed field activities"),
        ("parliamentary-assembly", "Parliamentary Assembly"),
        ("court", "Court of Conciliation and Arbitration"),
    ]
    closed = between(html, 'id="closed-field-activities"', "</section>")
    assert "/structures/centre-in-tashkent/" in closed


@pytest.mark.parametrize(
    "url",
    ["/fields-of-work/no-such-field/", "/countries/atlantis/", "/structures/no-such-office/"],
)
def test_unknown_taxonomy_slug_is_a_404_page(client, reference_data, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


# --- every public page ----------------------------------------------------------------------------

PUBLIC_URLS = [
    "/",
    SEED_URL,
    "/fields-of-work/",
    "/fields-of-work/border-management/",
    "/countries/",
    "/countries/tajikistan/",
    "/structures/",
    "/structures/programme-office-in-dushanbe/",
]


@pytest.mark.parametrize("url", [*PUBLIC_URLS, "/news/no-such-item/"])
def test_page_has_one_h1_landmarks_a_skip_link_and_a_language(client, demo_news, url):
    html = client.get(url).content.decode()
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert '<html lang="en">' in html
    assert '<a class="skip-link" href="#content">' in html
    assert '<main id="content"' in html
    for landmark in ("<header", '<nav class="main-nav" aria-label="Main">', "<footer"):
        assert landmark in html


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_page_has_title_description_canonical_and_open_graph(client, demo_news, url):
    html = page(client, url + "?utm_source=newsletter")
    absolute = f"http://testserver{url}"
    assert re.search(r"<title>[^<]+ – OSCE Portal|<title>OSCE Portal – ", html)
    assert re.search(r'<meta name="description" content="[^"]{20,}">', html)
    assert f'<link rel="canonical" href="{absolute}">' in html
    assert f'<meta property="og:url" content="{absolute}">' in html
    assert '<meta property="og:site_name" content="OSCE Portal">' in html
    assert re.search(r'<meta property="og:title" content="[^"]+">', html)
    assert re.search(r'<meta property="og:description" content="[^"]+">', html)
    og_type = "article" if url == SEED_URL else "website"
    assert f'<meta property="og:type" content="{og_type}">' in html


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_page_sets_no_cookie(client, demo_news, url):
    response = client.get(url)
    assert "Set-Cookie" not in response.headers
    assert not response.cookies


# Without the `db` fixture any database access fails these tests.
def test_server_error_page_needs_no_database_and_no_context():
    response = defaults.server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert '<html lang="en">' in html


def test_bad_request_page_needs_no_database_nor_a_valid_host():
    request = RequestFactory().get("/", HTTP_HOST="evil.example")
    response = defaults.bad_request(request, Exception("bad"))
    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.content.decode()

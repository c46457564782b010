"""The pages of the taxonomy (fields of work, countries, structures) and what every public page
carries for people and search engines (issue 3)."""

import re

import pytest
from django.test import RequestFactory
from django.utils import timezone
from django.views import defaults

from .pages import SEED_URL, between, make_current_chairpersonship, page

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
        # The closed Centre in Dushanbe is this office under its former name: linked there.
        '<a href="/structures/centre-in-dushanbe/">OSCE Centre in Dushanbe</a> '
        '<span class="aside">(2002–2008)</span>',
        'OSCE Office in Tajikistan <span class="aside">(2008–2017)</span>',
    ):
        assert former in html
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
        ("decision-making-bodies", "Decision-making bodies"),
        ("secretariat", "Secretariat"),
        ("institutions", "Institutions"),
        ("field-operations", "Field operations"),
        ("closed-field-activities", "Closed field activities"),
        ("parliamentary-assembly", "Parliamentary Assembly"),
        ("court", "Court of Conciliation and Arbitration"),
        ("partnerships", "Partnerships"),
        ("other-bodies", "Other bodies"),
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
    for landmark in ("<header", '<nav class="main-nav" aria-label="Main"', "<footer"):
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

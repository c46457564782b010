"""The header menus: on every page, cached, and renewed by every change of the taxonomy."""

import contextlib
import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from countries.models import Chairpersonship, Country
from news import pagecache, taxonomy_cache
from news.menus import get_menus
from news.models import FieldOfWork
from structures.models import Structure

from .factories import NewsItemFactory
from .pages import (
    MENU_TABLE,
    SEED_URL,
    between,
    country,
    make_current_chairpersonship,
    menu_of,
    page,
    structure,
)
from .test_listing_index import other_session

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


# --- kept by each process on PostgreSQL (news/menus.py, news/taxonomy_cache.py) ------------------


@pytest.fixture
def outside_transactions(transactional_db, reference_data, settings):
    """Outside a transaction, where a process keeps its menus; every page made afresh."""
    settings.PAGE_CACHE_SECONDS = 0


def version_reads(captured):
    return [q["sql"] for q in captured.captured_queries if "news_taxonomyversion" in q["sql"]]


def test_each_process_keeps_its_menus_under_the_taxonomys_version(
    client, outside_transactions, monkeypatch
):
    page(client, "/fields-of-work/")
    cache_reads = []
    real_state = pagecache.state
    monkeypatch.setattr(pagecache, "state", lambda key: cache_reads.append(key) or real_state(key))
    with CaptureQueriesContext(connection) as captured:
        menu = menu_of(page(client, "/fields-of-work/"))
    assert "Border management" in menu
    assert not any(MENU_TABLE in query["sql"] for query in captured.captured_queries)
    assert len(version_reads(captured)) == 1  # the page reads no links: one statement
    assert cache_reads == []


def test_a_page_that_reads_links_reads_the_version_once(client, outside_transactions):
    item = NewsItemFactory(title="Links and menus", slug="links-and-menus")
    page(client, item.get_absolute_url())
    with CaptureQueriesContext(connection) as captured:
        page(client, item.get_absolute_url())
    (links,) = version_reads(captured)
    assert "UNION ALL" in links  # the version came with the item's links


@pytest.mark.parametrize(
    "statement, shown",
    [
        (
            "UPDATE structures_structure SET name = 'Mission renamed elsewhere' "
            "WHERE slug = 'mission-to-skopje'",
            "Mission renamed elsewhere",
        ),
        (
            "UPDATE news_meetingseries SET name = 'Series renamed elsewhere' "
            "WHERE id = (SELECT min(id) FROM news_meetingseries)",
            "Series renamed elsewhere",
        ),
        (
            "UPDATE countries_chairpersonship SET country_id = "
            "(SELECT id FROM countries_country WHERE slug = 'malta'), country_name = 'Malta' "
            "WHERE year = %s",
            "Malta – OSCE Chairpersonship",
        ),
    ],
)
def test_a_change_by_another_session_is_in_the_next_pages_menus(
    client, outside_transactions, statement, shown
):
    """Raw SQL from another connection sends no signal: PostgreSQL's triggers raise the
    version, and the next page's menus are built again."""
    make_current_chairpersonship("switzerland")
    assert shown not in menu_of(page(client, "/"))
    with other_session() as other:
        other.execute(statement, [timezone.localdate().year] if "%s" in statement else [])
    assert shown in menu_of(page(client, "/"))


def test_a_request_keeps_the_first_version_it_read(outside_transactions):
    with other_session() as other:
        before = taxonomy_cache.current_version()
        other.execute("UPDATE news_fieldofwork SET name = name WHERE id = 0")
        other.commit()
        assert taxonomy_cache.current_version() == before + 1  # outside requests: read each time
        taxonomy_cache.start_request()
        try:
            taxonomy_cache.seen(before)
            other.execute("UPDATE news_fieldofwork SET name = name WHERE id = 0")
            other.commit()
            assert taxonomy_cache.current_version() == before
        finally:
            taxonomy_cache.end_request()
        assert taxonomy_cache.current_version() == before + 2

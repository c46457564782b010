"""Old links name an entry of the taxonomy by one of its aliases (issue 13): the listing, its
feeds and exports and the taxonomy pages take the alias's slug and send the visitor on to the
entry's own address; a slug that is neither is left out (taxonomy pages: a 404)."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils.text import slugify

from countries.models import Country
from news.models import Alias, FieldOfWork
from structures.models import Structure

from .factories import AliasFactory, NewsItemFactory


def alias_of(label, **target):
    """An alias with `label` of the one entry in `target`, whatever the loaded data says of it."""
    ((name, _entry),) = target.items()
    kind = next(kind for kind, field in Alias.TARGETS.items() if field == name)
    Alias.objects.filter(kind=kind, slug=slugify(label)).delete()
    return AliasFactory(label=label, **target)


@pytest.fixture
def old_names(reference_data):
    trafficking = FieldOfWork.objects.get(slug="combating-trafficking-in-human-beings")
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    tajikistan = Country.objects.get(slug="tajikistan")
    NewsItemFactory(slug="on-trafficking", fields_of_work=[trafficking], countries=[tajikistan],
                    issued_by=[dushanbe])  # fmt: skip
    NewsItemFactory(slug="on-elections", fields_of_work=[FieldOfWork.objects.get(slug="elections")])
    return {
        "field": alias_of("Combating human trafficking", field_of_work=trafficking),
        "structure": alias_of("OSCE Office in Dushanbe (old link)", structure=dushanbe),
        "country": alias_of("Republic of Tajikistan", country=tajikistan),
    }


def redirect_target(response):
    """The path and filters of a 301's target (without the notice the listing adds)."""
    assert response.status_code == 301
    location = urlsplit(response["Location"])
    return location.path, sorted(pair for pair in parse_qsl(location.query) if pair[0] != "notice")


# --- the listing ------------------------------------------------------------------------------


def test_a_field_aliass_slug_is_sent_to_the_canonical_listing(client, old_names):
    response = client.get("/news/?field=combating-human-trafficking")
    assert redirect_target(response) == (
        "/news/",
        [("field", "combating-trafficking-in-human-beings")],
    )
    final = client.get(response["Location"])
    assert final.status_code == 200
    assert [item.slug for item in final.context["news_items"]] == ["on-trafficking"]


def test_the_redirect_keeps_the_visitors_other_filters(client, old_names):
    response = client.get(
        "/news/", {"field": "combating-human-trafficking", "type": "news", "sort": "oldest",
                   "from": "2000-01-01", "page": "1"}
    )  # fmt: skip
    assert redirect_target(response) == ("/news/", [
        ("field", "combating-trafficking-in-human-beings"), ("from", "2000-01-01"),
        ("sort", "oldest"), ("type", "news"),
    ])  # fmt: skip


def test_an_alias_beside_its_entry_collapses_into_one_value(client, old_names):
    response = client.get(
        "/news/?field=combating-trafficking-in-human-beings&field=combating-human-trafficking"
    )
    assert redirect_target(response) == (
        "/news/",
        [("field", "combating-trafficking-in-human-beings")],
    )


@pytest.mark.parametrize(
    "name, alias_slug, canonical",
    [
        ("country", "republic-of-tajikistan", "tajikistan"),
        ("issued_by", "osce-office-in-dushanbe-old-link", "programme-office-in-dushanbe"),
    ],
)
def test_country_and_structure_aliases_are_sent_to_the_canonical_listing(
    client, old_names, name, alias_slug, canonical
):
    response = client.get(f"/news/?{name}={alias_slug}&field=elections")
    assert redirect_target(response) == (
        "/news/",
        sorted([("field", "elections"), (name, canonical)]),
    )


def test_the_redirect_keeps_the_language_of_the_address(client, old_names):
    response = client.get("/ru/news/?field=combating-human-trafficking")
    assert redirect_target(response) == (
        "/ru/news/",
        [("field", "combating-trafficking-in-human-beings")],
    )


@pytest.mark.parametrize(
    "query",
    [
        "field=no-such-field",
        "field=republic-of-tajikistan",  # a country's alias is no field's
        "country=combating-human-trafficking",
    ],
)
def test_a_slug_that_is_no_entrys_nor_its_aliass_is_left_out(client, old_names, query):
    assert redirect_target(client.get(f"/news/?{query}&type=news")) == (
        "/news/",
        [("type", "news")],
    )


# --- feeds and exports --------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/news/rss/", "/news/atom/"])
def test_a_feed_given_an_alias_gives_the_entrys_items(client, old_names, url):
    response = client.get(f"{url}?field=combating-human-trafficking")
    assert response.status_code in (200, 301)
    if response.status_code == 301:
        response = client.get(response["Location"])
    body = response.content.decode()
    assert "/news/on-trafficking/" in body
    assert "/news/on-elections/" not in body
    assert "field=combating-trafficking-in-human-beings" in body  # its links are canonical


def test_an_export_given_an_alias_gives_the_entrys_items(client, old_names):
    response = client.get("/news/export.csv?country=republic-of-tajikistan")
    assert redirect_target(response) == ("/news/export.csv", [("country", "tajikistan")])
    response = client.get(response["Location"])
    body = b"".join(response.streaming_content).decode()
    assert "on-trafficking" in body and "on-elections" not in body


def test_a_feed_given_an_unknown_slug_is_sent_to_the_feed_without_it(client, old_names):
    response = client.get("/news/rss/?field=no-such-field&country=tajikistan")
    assert redirect_target(response) == ("/news/rss/", [("country", "tajikistan")])


# --- taxonomy pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/ru", "/tg"])
@pytest.mark.parametrize(
    "section, alias_slug, canonical",
    [
        ("fields-of-work", "combating-human-trafficking", "combating-trafficking-in-human-beings"),
        ("structures", "osce-office-in-dushanbe-old-link", "programme-office-in-dushanbe"),
        ("countries", "republic-of-tajikistan", "tajikistan"),
    ],
)
def test_a_taxonomy_page_asked_for_by_an_alias_is_sent_to_its_own_address(
    client, old_names, prefix, section, alias_slug, canonical
):
    response = client.get(f"{prefix}/{section}/{alias_slug}/")
    assert redirect_target(response) == (f"{prefix}/{section}/{canonical}/", [])
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/fields-of-work/no-such-field/",
        "/ru/fields-of-work/no-such-field/",
        "/structures/no-such-body/",
        "/countries/atlantis/",
        "/fields-of-work/republic-of-tajikistan/",  # a country's alias on a field's address
    ],
)
def test_an_unknown_taxonomy_slug_stays_a_404(client, old_names, url):
    assert client.get(url).status_code == 404

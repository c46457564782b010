"""The names the importer writes into a new item's search document (news/jsonl_copy.py:
`search_names`) are the database's own (`news_search_names`, migration 0013), letter for letter:
otherwise an imported item would be found by other words, or rank otherwise, than the same item
saved in the admin."""

import pytest
from django.db import connection

from countries.models import Country
from news.jsonl import ParsedLine
from news.jsonl_copy import search_names
from news.models import FieldOfWork
from structures.models import FormerName, Structure

from .factories import NewsItemFactory

pytestmark = pytest.mark.usefixtures("reference_data")


def database_names(item):
    with connection.cursor() as cursor:
        cursor.execute("SELECT news_search_names(%s, %s)", [item.pk, item.language])
        return cursor.fetchone()[0]


def line_of(item):
    bodies = [body.structure for body in item.issuing_bodies.order_by("position", "pk")]
    return ParsedLine(
        slug=item.slug,
        values={},
        structures=bodies,
        fields=list(item.fields_of_work.all()),
        countries=list(item.countries.all()),
        tags=[],
        language=item.language,
    )


@pytest.mark.parametrize("language", ["en", "ru", "tg"])
@pytest.mark.parametrize(
    "bodies, fields, countries",
    [
        # Former names in every language, a body without an acronym, the other with one.
        (["programme-office-in-dushanbe", "oceea"], ["border-management", "economic-activities"],
         ["TJ", "FI"]),
        # A sub-topic and its field, given out of order; no country.
        (["rfom"], ["safety-of-journalists", "media-freedom-and-development"], []),
        # No issuing body (a draft), no field.
        ([], [], ["XK"]),
        ([], [], []),
    ],
)  # fmt: skip
def test_the_importer_writes_the_names_the_database_would(language, bodies, fields, countries):
    structures = [Structure.objects.get(slug=slug) for slug in bodies]
    item = NewsItemFactory(
        language=language,
        status="draft",
        issued_by=structures,
        fields_of_work=[FieldOfWork.objects.get(slug=slug) for slug in fields],
        countries=[Country.objects.get(code=code) for code in countries],
    )
    expected = database_names(item)
    assert search_names(line_of(item), {}) == expected


def test_a_former_name_translated_here_is_written_as_the_database_has_it():
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    former = FormerName.objects.create(
        structure=dushanbe, name="OSCE Office in Kulob", translations={"ru": {"name": "Куляб"}}
    )
    dushanbe.acronym = ""
    dushanbe.save()
    item = NewsItemFactory(language="ru", issued_by=[dushanbe])
    structure = Structure.objects.prefetch_related("former_names").get(pk=dushanbe.pk)
    line = line_of(item)
    line.structures = [structure]
    names = search_names(line, {})
    assert "Куляб" in names and former.name in names
    assert names == database_names(item)

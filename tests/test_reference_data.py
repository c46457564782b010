from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from countries.models import Chairpersonship, Country
from news.models import FieldOfWork
from structures.models import FormerName, Structure

from .factories import NewsItemFactory

pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.fixture(scope="module")
def reference():
    with open(settings.REFERENCE_DATA_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def run_loader(*args):
    out = StringIO()
    call_command("load_reference_data", *args, stdout=out)
    return out.getvalue()


def test_57_participating_states():
    assert Country.objects.participating_states().count() == 57


def test_partners_for_cooperation():
    assert Country.objects.mediterranean_partners().count() == 6
    assert Country.objects.asian_partners().count() == 5
    assert set(Country.objects.asian_partners().values_list("code", flat=True)) == {
        "AF", "AU", "JP", "KR", "TH",
    }  # fmt: skip


def test_country_names_and_slugs_as_the_organisation_writes_them():
    turkiye = Country.objects.get(code="TR")
    assert (turkiye.name, turkiye.slug) == ("Türkiye", "turkiye")
    netherlands = Country.objects.get(code="NL")
    assert (netherlands.slug, netherlands.sort_name) == ("the-netherlands", "Netherlands")
    assert Country.objects.get(code="XK").status == Country.Status.OTHER


def test_every_field_of_work_in_the_yaml_is_loaded(reference):
    topical = reference["fields_of_work"]["topical"]
    non_topical = reference["fields_of_work"]["non_topical"]
    assert list(FieldOfWork.objects.filter(is_topical=True).values_list("slug", flat=True)) == [
        f["slug"] for f in topical
    ]
    assert FieldOfWork.objects.filter(is_topical=False).count() == len(non_topical)


def test_every_structure_in_the_yaml_is_loaded_with_its_place_in_the_tree(reference):
    ids = [s["id"] for s in reference["structures"]]
    assert sorted(Structure.objects.values_list("slug", flat=True)) == sorted(ids)
    unit = Structure.objects.get(slug="conflict-prevention-centre")
    assert unit.parent.slug == "secretariat"
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    assert (dushanbe.kind, dushanbe.country.code, dushanbe.city) == (
        Structure.Kind.FIELD_OPERATION, "TJ", "Dushanbe",
    )  # fmt: skip
    assert Structure.objects.get(slug="centre-in-dushanbe").successor == dushanbe


def test_former_names_are_loaded_with_their_dates():
    names = list(
        FormerName.objects.filter(structure__slug="programme-office-in-dushanbe").values_list(
            "name", "valid_from__year", "valid_until"
        )
    )
    assert [(n, y) for n, y, _ in names] == [
        ("OSCE Mission to Tajikistan", 1994),
        ("OSCE Centre in Dushanbe", 2002),
        ("OSCE Office in Tajikistan", 2008),
    ]
    assert str(names[-1][2]) == "2017-06-30"


def test_chairpersonships_by_year():
    assert Chairpersonship.objects.count() == 36
    assert Chairpersonship.objects.get(year=2026).country.code == "CH"
    czechoslovakia = Chairpersonship.objects.get(year=1992)
    assert czechoslovakia.country is None and czechoslovakia.country_name == "Czechoslovakia"


def test_second_run_changes_nothing_and_says_so():
    before = Structure.objects.order_by("pk").values_list("pk", "issuing_label")
    before = list(before)
    output = run_loader()
    assert "Nothing changed" in output
    assert "countries: 69 unchanged" in output
    assert list(Structure.objects.order_by("pk").values_list("pk", "issuing_label")) == before


def test_changed_yaml_updates_by_slug_and_keeps_news_links(reference, tmp_path):
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    item = NewsItemFactory(issued_by=[dushanbe])
    for entry in reference["structures"]:
        if entry["id"] == "programme-office-in-dushanbe":
            entry["issuing_label"] = "OSCE Programme Office in Dushanbe (renamed)"
            entry["former_names"] = entry["former_names"][1:]
    changed = tmp_path / "osce.yaml"
    changed.write_text(yaml.safe_dump(reference, allow_unicode=True), encoding="utf-8")

    output = run_loader("--file", str(changed))

    assert "structures: 1 updated, 48 unchanged" in output
    assert "former names: 19 unchanged, 1 deleted" in output
    dushanbe.refresh_from_db()
    assert dushanbe.issuing_label == "OSCE Programme Office in Dushanbe (renamed)"
    assert Structure.objects.filter(slug="programme-office-in-dushanbe").count() == 1
    assert list(item.issued_by.all()) == [dushanbe]
    assert not dushanbe.former_names.filter(name="OSCE Mission to Tajikistan").exists()


def test_broken_yaml_is_a_command_error_and_changes_nothing(tmp_path):
    broken = tmp_path / "osce.yaml"
    broken.write_text("participating_states: [\n", encoding="utf-8")
    with pytest.raises(CommandError, match="cannot read"):
        run_loader("--file", str(broken))
    assert Country.objects.participating_states().count() == 57


def test_yaml_of_the_wrong_shape_is_a_command_error(tmp_path):
    wrong = tmp_path / "osce.yaml"
    wrong.write_text("participating_states: []\n", encoding="utf-8")
    with pytest.raises(CommandError, match="not in the expected shape"):
        run_loader("--file", str(wrong))
    assert Country.objects.participating_states().count() == 57

import copy
import datetime
import zoneinfo
from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from countries.models import Chairpersonship, Country
from news.models import (
    Alias,
    Event,
    EventOrganiser,
    FieldOfWork,
    MeetingSeries,
    ReferenceSnapshot,
)
from news.reference_data import load
from structures.models import FormerName, Structure

from .factories import NewsItemFactory

pytestmark = pytest.mark.usefixtures("reference_data")


def bundled():
    with open(settings.REFERENCE_DATA_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# How many records of each kind the bundled file holds, for the counts a run reports.
BUNDLED = bundled()
STRUCTURES = len(BUNDLED["structures"])
FORMER_NAMES = sum(
    len(entry.get("former_names", []) + entry.get("predecessors", []))
    for entry in BUNDLED["structures"]
)
FIELDS = sum(
    len(BUNDLED["fields_of_work"][menu]) for menu in ("topical", "non_topical", "subtopics")
)
SERIES = len(BUNDLED["meetings_and_conferences"]["series"])
EDITIONS = len(BUNDLED["meetings_and_conferences"]["editions"])
ORGANISERS = sum(len(e["organised_by"]) for e in BUNDLED["meetings_and_conferences"]["editions"])


@pytest.fixture(scope="module")
def reference():
    return bundled()


def run_loader(*args):
    out = StringIO()
    call_command("load_reference_data", *args, stdout=out)
    return out.getvalue()


def changed_file(tmp_path, reference, new_structures=(), **changes):
    """A copy of the bundled file with some structures' entries changed, e.g.
    `changed_file(tmp_path, reference, odihr={"city": "Vienna"})`, and new ones added."""
    data = copy.deepcopy(reference)
    for entry in data["structures"]:
        entry.update(changes.get(entry["id"], {}))
    data["structures"] += new_structures
    path = tmp_path / "osce.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def structure(slug):
    return Structure.objects.get(slug=slug)


def edit(record, **values):
    """Change a record as the admin does: set the fields and save."""
    for name, value in values.items():
        setattr(record, name, value)
    record.save()
    return record


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
    menu = FieldOfWork.objects.top_level().filter(is_topical=True)
    assert list(menu.values_list("slug", flat=True)) == [f["slug"] for f in topical]
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
    assert f"meeting series: {SERIES} unchanged" in output
    assert f"events: {EDITIONS} unchanged" in output
    assert f"organisers: {ORGANISERS} unchanged" in output
    assert list(Structure.objects.order_by("pk").values_list("pk", "issuing_label")) == before


def test_changed_yaml_updates_by_slug_and_keeps_news_links(reference, tmp_path):
    dushanbe = Structure.objects.get(slug="programme-office-in-dushanbe")
    item = NewsItemFactory(issued_by=[dushanbe])
    [entry] = [e for e in reference["structures"] if e["id"] == "programme-office-in-dushanbe"]
    changed = changed_file(
        tmp_path,
        reference,
        **{
            "programme-office-in-dushanbe": {
                "issuing_label": "OSCE Programme Office in Dushanbe (renamed)",
                "former_names": entry["former_names"][1:],
            }
        },
    )

    output = run_loader("--file", changed)

    assert f"structures: 1 updated, {STRUCTURES - 1} unchanged" in output
    assert f"former names: {FORMER_NAMES - 1} unchanged, 1 deleted" in output
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


# A manager's edits in the admin survive a reload --------------------------------------------

DUSHANBE = "programme-office-in-dushanbe"
KEPT = "Kept as edited here"


def former_name(name):
    return FormerName.objects.get(structure__slug=DUSHANBE, name=name)


def test_a_structure_renamed_here_keeps_its_name_and_is_reported_after_the_counts():
    edit(structure(DUSHANBE), name="Programme Office in Dushanbe, Tajikistan")

    output = run_loader()

    assert structure(DUSHANBE).name == "Programme Office in Dushanbe, Tajikistan"
    assert f"structures: {STRUCTURES - 1} unchanged, 1 kept as edited here" in output
    assert (
        'structure programme-office-in-dushanbe — name: kept "Programme Office in Dushanbe, '
        'Tajikistan"; the file has "Programme Office in Dushanbe"'
    ) in output
    assert output.index("former names:") < output.index(KEPT)
    assert "Nothing changed" in output


def test_a_former_name_added_here_survives_a_reload():
    FormerName.objects.create(
        structure=structure(DUSHANBE),
        name="OSCE Office in Dushanbe",
        valid_from=datetime.date(1996, 1, 1),
    )

    output = run_loader()

    assert structure(DUSHANBE).former_names.filter(name="OSCE Office in Dushanbe").exists()
    assert f"former names: {FORMER_NAMES} unchanged, 1 kept as edited here" in output
    assert (
        "former name programme-office-in-dushanbe / OSCE Office in Dushanbe — added here; "
        "the file does not list it"
    ) in output


def test_dates_of_a_former_name_edited_here_survive_a_reload():
    edit(former_name("OSCE Office in Tajikistan"), valid_until=datetime.date(2017, 7, 31))

    output = run_loader()

    assert former_name("OSCE Office in Tajikistan").valid_until == datetime.date(2017, 7, 31)
    assert (
        "former name programme-office-in-dushanbe / OSCE Office in Tajikistan — in use until: "
        'kept "2017-07-31"; the file has "2017-06-30"'
    ) in output


def test_a_former_name_renamed_here_is_kept_and_not_added_again():
    edit(former_name("OSCE Centre in Dushanbe"), name="OSCE Centre in Dushanbe (Tajikistan)")

    output = run_loader()

    assert list(structure(DUSHANBE).former_names.values_list("name", flat=True)) == [
        "OSCE Mission to Tajikistan",
        "OSCE Centre in Dushanbe (Tajikistan)",
        "OSCE Office in Tajikistan",
    ]
    assert (
        'name: kept "OSCE Centre in Dushanbe (Tajikistan)"; the file has "OSCE Centre in Dushanbe"'
    ) in output


def test_a_former_name_deleted_here_is_not_created_again():
    former_name("OSCE Mission to Tajikistan").delete()

    output = run_loader()

    assert not structure(DUSHANBE).former_names.filter(name="OSCE Mission to Tajikistan").exists()
    assert (
        "former name programme-office-in-dushanbe / OSCE Mission to Tajikistan — deleted here; "
        "the file has it"
    ) in output
    assert "Nothing changed" in output


def test_a_former_name_the_file_drops_is_kept_if_it_was_edited_here(reference, tmp_path):
    edit(former_name("OSCE Mission to Tajikistan"), valid_from=datetime.date(1994, 2, 1))
    [entry] = [e for e in reference["structures"] if e["id"] == DUSHANBE]
    changed = changed_file(
        tmp_path, reference, **{DUSHANBE: {"former_names": entry["former_names"][1:]}}
    )

    output = run_loader("--file", changed)

    assert former_name("OSCE Mission to Tajikistan").valid_from == datetime.date(1994, 2, 1)
    assert f"former names: {FORMER_NAMES - 1} unchanged, 1 kept as edited here" in output
    assert "OSCE Mission to Tajikistan — changed here; the file no longer lists it" in output


def test_an_untouched_value_follows_a_changed_file_beside_one_edited_here(reference, tmp_path):
    edit(structure("odihr"), city="Warszawa")
    changed = changed_file(
        tmp_path,
        reference,
        odihr={"city": "Warsaw, Poland", "short_name": "OSCE/ODIHR"},
        **{DUSHANBE: {"city": "Dushanbe, Tajikistan"}},
    )

    output = run_loader("--file", changed)

    odihr = structure("odihr")
    assert (odihr.city, odihr.acronym) == ("Warszawa", "OSCE/ODIHR")
    assert structure(DUSHANBE).city == "Dushanbe, Tajikistan"
    # ODIHR counts twice: its acronym was updated, its city kept.
    assert f"structures: 2 updated, {STRUCTURES - 2} unchanged, 1 kept as edited here" in output
    assert 'city: kept "Warszawa"; the file has "Warsaw, Poland"' in output
    assert "Reference data loaded." in output


def test_edits_to_countries_fields_of_work_and_chairpersonships_are_kept():
    edit(Country.objects.get(code="TR"), name="Republic of Türkiye", other_names=["Turkey"])
    edit(FieldOfWork.objects.get(slug="arms-control"), name="Arms control and disarmament")
    edit(Chairpersonship.objects.get(year=1992), country_name="Czech and Slovak Federal Republic")

    output = run_loader()

    assert Country.objects.get(code="TR").other_names == ["Turkey"]
    assert FieldOfWork.objects.get(slug="arms-control").name == "Arms control and disarmament"
    assert "countries: 68 unchanged, 1 kept as edited here" in output
    assert f"fields of work: {FIELDS - 1} unchanged, 1 kept as edited here" in output
    assert "chairpersonships: 35 unchanged, 1 kept as edited here" in output
    assert 'country TR — name: kept "Republic of Türkiye"; the file has "Türkiye"' in output
    assert "country TR — other names: kept ['Turkey']; the file has []" in output
    assert (
        'chairpersonship 1992 — country name: kept "Czech and Slovak Federal Republic"; '
        'the file has "Czechoslovakia"'
    ) in output


def test_links_changed_here_are_kept():
    czechia = Country.objects.get(code="CZ")
    edit(structure("documentation-centre-in-prague"), parent=None, country=czechia)

    output = run_loader()

    prague = structure("documentation-centre-in-prague")
    assert (prague.parent, prague.country) == (None, czechia)
    assert (
        'structure documentation-centre-in-prague — parent: kept (empty); the file has "OSCE '
        'Secretariat"'
    ) in output
    assert f'country: kept "{czechia}"; the file has (empty)' in output
    assert f"structures: {STRUCTURES - 1} unchanged, 1 kept as edited here" in output


def test_overwrite_edits_takes_the_files_values():
    edit(structure(DUSHANBE), name="Programme Office in Dushanbe, Tajikistan", parent=None)
    edit(former_name("OSCE Office in Tajikistan"), valid_until=datetime.date(2017, 7, 31))
    former_name("OSCE Mission to Tajikistan").delete()
    FormerName.objects.create(structure=structure(DUSHANBE), name="OSCE Office in Dushanbe")

    output = run_loader("--overwrite-edits")

    assert structure(DUSHANBE).name == "Programme Office in Dushanbe"
    assert list(structure(DUSHANBE).former_names.values_list("name", "valid_until__year")) == [
        ("OSCE Mission to Tajikistan", 2002),
        ("OSCE Centre in Dushanbe", 2008),
        ("OSCE Office in Tajikistan", 2017),
    ]
    assert former_name("OSCE Office in Tajikistan").valid_until == datetime.date(2017, 6, 30)
    assert f"former names: 1 created, 1 updated, {FORMER_NAMES - 2} unchanged, 1 deleted" in output
    assert KEPT not in output
    assert KEPT not in run_loader()


def test_a_second_run_reports_the_same_kept_edits_and_changes_nothing():
    edit(structure(DUSHANBE), city="Dushanbe, Tajikistan")

    first, second = run_loader(), run_loader()

    assert "Nothing changed" in second
    assert second == first
    assert 'city: kept "Dushanbe, Tajikistan"; the file has "Dushanbe"' in second


def test_without_snapshots_every_difference_from_the_file_is_kept(reference, tmp_path):
    """A database loaded before the loader kept snapshots: nothing tells its edits apart."""
    ReferenceSnapshot.objects.all().delete()
    edit(structure(DUSHANBE), city="Dushanbe, Tajikistan")

    output = run_loader("--file", changed_file(tmp_path, reference, odihr={"city": "Warszawa"}))

    assert (structure(DUSHANBE).city, structure("odihr").city) == (
        "Dushanbe, Tajikistan", "Warsaw",
    )  # fmt: skip
    assert f"structures: {STRUCTURES - 2} unchanged, 2 kept as edited here" in output
    assert "Nothing changed" in output


def test_without_snapshots_a_run_takes_them_and_the_next_file_change_applies(reference, tmp_path):
    ReferenceSnapshot.objects.all().delete()
    assert "Nothing changed" in run_loader()

    run_loader("--file", changed_file(tmp_path, reference, odihr={"city": "Warszawa"}))

    assert structure("odihr").city == "Warszawa"


def admin_form_data(response):
    """What a browser posts back from an admin change page: every field of the form and of its
    inlines (with their management forms), as shown."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is not None and value is not False:
                data[bound.html_name] = value
    return data


def test_a_structure_renamed_in_the_admin_keeps_its_name_after_a_reload(client):
    client.force_login(User.objects.create_superuser("taxonomy", password="pw"))
    url = f"/admin/structures/structure/{structure(DUSHANBE).pk}/change/"
    data = admin_form_data(client.get(url))
    assert (data["name"], data["former_names-TOTAL_FORMS"]) == ("Programme Office in Dushanbe", 3)
    data["name"] = "Programme Office in Dushanbe, Tajikistan"

    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    output = run_loader()

    assert structure(DUSHANBE).name == "Programme Office in Dushanbe, Tajikistan"
    assert (
        'structure programme-office-in-dushanbe — name: kept "Programme Office in Dushanbe, '
        'Tajikistan"; the file has "Programme Office in Dushanbe"'
    ) in output
    # Only the name was edited: the rest of the form posted back changed nothing the loader sees.
    assert f"structures: {STRUCTURES - 1} unchanged, 1 kept as edited here" in output
    assert f"former names: {FORMER_NAMES} unchanged" in output


def test_a_slug_changed_here_is_kept_and_the_record_still_follows_the_file(reference, tmp_path):
    edit(structure(DUSHANBE), slug="dushanbe")

    output = run_loader(
        "--file", changed_file(tmp_path, reference, **{DUSHANBE: {"city": "Duşanbe"}})
    )

    dushanbe = Structure.objects.get(slug="dushanbe")
    assert (dushanbe.city, dushanbe.former_names.count()) == ("Duşanbe", 3)
    assert not Structure.objects.filter(slug=DUSHANBE).exists()
    assert 'slug: kept "dushanbe"; the file has "programme-office-in-dushanbe"' in output


def test_a_structure_new_in_the_file_is_created_with_its_links(reference, tmp_path):
    unit = {
        "id": "new-unit",
        "name": "New Unit",
        "kind": "secretariat-unit",
        "parent": "secretariat",
        "successor": "oceea",
        "former_names": [{"name": "OSCE Old Unit", "from": 2000}],
    }

    output = run_loader("--file", changed_file(tmp_path, reference, new_structures=[unit]))

    created = structure("new-unit")
    assert (created.parent.slug, created.successor.slug) == ("secretariat", "oceea")
    assert created.former_names.get().valid_from == datetime.date(2000, 1, 1)
    assert f"structures: 1 created, {STRUCTURES} unchanged" in output
    assert KEPT not in output


def test_a_run_that_changes_nothing_reads_each_table_once_and_writes_nothing():
    with CaptureQueriesContext(connection) as queries:
        load(settings.REFERENCE_DATA_FILE)
    statements = [q["sql"].split()[0] for q in queries]
    # The snapshots, countries, chairpersonships, fields of work, structures, former names,
    # aliases, meeting series, events and their organisers, inside the savepoint of the load's
    # transaction.
    assert statements == ["SAVEPOINT", *["SELECT"] * 10, "RELEASE"]


OTHER_OFFICIAL = [code for code, _name in settings.LANGUAGES if code != "en"]


def test_every_name_the_public_site_shows_is_translated_in_each_official_language():
    """Fields of work, structures (name and "Issued by" label, as stored) and every former
    name: in French, German, Italian, Russian and Spanish; countries from CLDR."""
    names = [
        *FieldOfWork.objects.values_list("name", "translations"),
        *Structure.objects.values_list("name", "translations"),
        *Structure.objects.values_list("issuing_label", "translations"),
        *FormerName.objects.values_list("name", "translations"),
    ]
    untranslated = sorted(
        {
            (english, code)
            for english, translations in names
            for code in OTHER_OFFICIAL
            if not any(value for value in translations.get(code, {}).values())
        }
    )
    assert untranslated == []
    labels = Structure.objects.values_list("issuing_label", "translations")
    missing_labels = sorted(
        english
        for english, translations in labels
        for code in OTHER_OFFICIAL
        if not translations.get(code, {}).get("issuing_label")
    )
    assert missing_labels == []
    countries = Country.objects.values_list("code", "translations")
    assert sorted(code for code, names in countries if set(names) != set(OTHER_OFFICIAL)) == []


def test_a_translated_name_is_shown_in_the_language_of_the_page():
    tajikistan = Country.objects.get(code="TJ")
    secretariat = Structure.objects.get(slug="secretariat")
    with translation.override("ru"):
        assert tajikistan.local_name == "Таджикистан"
        assert secretariat.local_label == "Секретариат ОБСЕ"
    with translation.override("de"):
        assert tajikistan.local_name == "Tadschikistan"
    with translation.override("en"):
        assert tajikistan.local_name == "Tajikistan"


# --- sub-topics, the new kinds of issuer, aliases ----------------------------------------------


def test_sub_topics_are_loaded_under_their_field(reference):
    for entry in reference["fields_of_work"]["subtopics"]:
        subtopic = FieldOfWork.objects.get(slug=entry["slug"])
        assert (subtopic.name, subtopic.parent.slug) == (entry["name"], entry["parent"])
    media = FieldOfWork.objects.get(slug="media-freedom-and-development")
    assert "safety-of-journalists" in media.subtopics.values_list("slug", flat=True)


def test_every_kind_of_issuer_the_organisation_names_is_a_structure():
    kinds = dict(Structure.objects.values_list("slug", "kind"))
    assert kinds["permanent-council"] == Structure.Kind.DECISION_MAKING_BODY
    assert kinds["forum-for-security-co-operation"] == Structure.Kind.DECISION_MAKING_BODY
    assert kinds["troika"] == Structure.Kind.CHAIRPERSONSHIP_BODY
    assert kinds["asian-partners-for-co-operation"] == Structure.Kind.PARTNERSHIP
    minsk = Structure.objects.get(slug="minsk-group")
    assert (minsk.kind, minsk.is_open) == (Structure.Kind.OTHER_BODY, False)
    assert Structure.objects.get(slug="minsk-group-co-chairs").parent == minsk


def test_aliases_are_loaded_with_their_entries(reference):
    assert Alias.objects.count() == len(reference["aliases"])
    alias = Alias.objects.get(label="Combating human trafficking")
    assert (alias.kind, alias.target.slug) == ("field", "combating-trafficking-in-human-beings")
    assert alias.slug == "combating-human-trafficking"
    turkey = Alias.objects.get(kind="country", key="turkey")
    assert turkey.target.code == "TR"


def test_an_alias_a_manager_renamed_is_kept_and_reported():
    alias = Alias.objects.get(label="Combating human trafficking")
    edit(alias, label="Fight against human trafficking")
    output = run_loader()
    alias.refresh_from_db()
    assert (alias.label, alias.key) == (
        "Fight against human trafficking", "fight against human trafficking",
    )  # fmt: skip
    assert "aliases: " in output and "1 kept as edited here" in output
    assert '"Fight against human trafficking"; the file has "Combating human trafficking"' in output
    assert not Alias.objects.filter(label="Combating human trafficking").exists()


def test_an_alias_a_manager_added_survives_a_reload_without_a_word():
    field = FieldOfWork.objects.get(slug="border-management")
    Alias.objects.create(label="Frontier management", field_of_work=field)
    output = run_loader()
    assert Alias.objects.get(label="Frontier management").target == field
    assert "Frontier management" not in output
    assert "Nothing changed" in output


def test_an_alias_the_file_drops_goes_unless_it_was_edited_here(reference, tmp_path):
    data = copy.deepcopy(reference)
    dropped = [a for a in data["aliases"] if a["label"] in ("Combating human trafficking", "UK")]
    data["aliases"] = [a for a in data["aliases"] if a not in dropped]
    path = tmp_path / "osce.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    edit(Alias.objects.get(label="UK"), country=Country.objects.get(code="IE"))
    output = run_loader("--file", str(path))
    assert not Alias.objects.filter(label="Combating human trafficking").exists()
    assert Alias.objects.get(label="UK").target.code == "IE"
    assert "changed here; the file no longer lists it" in output


def test_an_alias_to_nothing_the_file_knows_is_a_command_error(reference, tmp_path):
    data = copy.deepcopy(reference)
    data["aliases"].append({"label": "Somewhere", "country": "ZZ"})
    path = tmp_path / "osce.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = Alias.objects.count()
    with pytest.raises(CommandError, match="unknown country 'ZZ'"):
        run_loader("--file", str(path))
    assert Alias.objects.count() == before


# --- the meeting series and their real editions -------------------------------------------------


def event(slug):
    return Event.objects.get(slug=slug)


def changed_editions(tmp_path, reference, **changes):
    """A copy of the bundled file with some editions' entries changed (keyed by slug)."""
    data = copy.deepcopy(reference)
    for entry in data["meetings_and_conferences"]["editions"]:
        entry.update(changes.get(entry["slug"], {}))
    path = tmp_path / "osce.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def test_the_sixteen_series_are_loaded_in_the_menus_order(reference):
    names = reference["meetings_and_conferences"]["series"]
    assert len(names) == 16
    assert list(MeetingSeries.objects.values_list("name", flat=True)) == names
    assert MeetingSeries.objects.first().slug == "summit-meetings"


def test_every_edition_in_the_yaml_is_loaded_published_with_its_series_and_country(reference):
    editions = reference["meetings_and_conferences"]["editions"]
    events = {e.slug: e for e in Event.objects.select_related("series", "country")}
    assert sorted(events) == sorted(entry["slug"] for entry in editions)
    for entry in editions:
        loaded = events[entry["slug"]]
        assert (loaded.series.name, loaded.country.code, loaded.city) == (
            entry["series"], entry["country"], entry["city"],
        )  # fmt: skip
        assert loaded.status == Event.Status.PUBLISHED
        assert loaded.local_start.date() <= loaded.local_end.date()
        links = EventOrganiser.objects.filter(event=loaded).select_related("structure")
        assert [link.structure.slug for link in links] == entry["organised_by"]
    assert Event.objects.filter(series__slug="summit-meetings").count() == 7
    assert Event.objects.filter(series__slug="ministerial-council-meetings").count() >= 11


def test_an_edition_keeps_its_days_and_times_in_the_venues_zone():
    valletta = event("ministerial-council-2024-ta-qali")
    assert (valletta.edition, valletta.time_zone, valletta.venue) == (
        "31st", "Europe/Malta", "Malta Fairs & Conventions Centre (MFCC)",
    )  # fmt: skip
    # A day without a time is the whole day at the venue.
    assert valletta.local_start.isoformat() == "2024-12-05T00:00:00+01:00"
    assert valletta.local_end.isoformat() == "2024-12-06T23:59:00+01:00"
    # A time the file gives is the venue's local time: 10:00 in Vienna is 09:00 UTC in December.
    vienna = event("ministerial-council-2025-vienna")
    assert vienna.start == datetime.datetime(2025, 12, 4, 9, 0, tzinfo=datetime.UTC)
    # Astana kept UTC+6 in 2010.
    astana = event("summit-2010-astana")
    assert astana.start.astimezone(zoneinfo.ZoneInfo("Asia/Almaty")).utcoffset() == (
        datetime.timedelta(hours=6)
    )
    assert event("ministerial-council-2020-tirana").attendance == Event.Attendance.ONLINE


def test_summits_are_organised_by_the_chairpersonship_and_the_first_two_by_nobody():
    assert not event("summit-1975-helsinki").organisers.exists()
    assert not event("summit-1990-paris").organisers.exists()
    [link] = event("summit-1994-budapest").organisers.all()
    assert link.structure.slug == "chairpersonship"
    organisers = event("ministerial-council-2015-belgrade").organising_structures()
    assert [s.slug for s in organisers] == ["ministerial-council", "chairpersonship"]


def test_a_manager_s_edit_of_an_edition_is_kept_and_reported():
    edit(event("ministerial-council-2024-ta-qali"), venue="MFCC, Ta' Qali")

    output = run_loader()

    assert event("ministerial-council-2024-ta-qali").venue == "MFCC, Ta' Qali"
    assert f"events: {EDITIONS - 1} unchanged, 1 kept as edited here" in output
    assert (
        'event ministerial-council-2024-ta-qali — venue: kept "MFCC, Ta\' Qali"; the file has '
        '"Malta Fairs & Conventions Centre (MFCC)"'
    ) in output
    assert "Nothing changed" in output
    assert run_loader() == output


def test_a_cancelled_edition_and_a_removed_organiser_stay_as_edited_here():
    edit(event("ministerial-council-2017-vienna"), status=Event.Status.CANCELLED)
    EventOrganiser.objects.get(
        event__slug="ministerial-council-2017-vienna", structure__slug="chairpersonship"
    ).delete()

    output = run_loader()

    vienna = event("ministerial-council-2017-vienna")
    assert vienna.status == Event.Status.CANCELLED
    assert [s.slug for s in vienna.organised_by.all()] == ["ministerial-council"]
    assert "status: kept" in output
    assert "ministerial-council-2017-vienna / chairpersonship — deleted here; the file has it" in (
        output
    )


def test_a_changed_edition_in_the_file_updates_the_event_and_its_organisers(reference, tmp_path):
    item = NewsItemFactory()
    tirana = event("ministerial-council-2020-tirana")
    item.event = tirana
    item.save()
    changed = changed_editions(
        tmp_path,
        reference,
        **{
            "ministerial-council-2020-tirana": {
                "end": "2020-12-04T13:30",
                "organised_by": ["chairpersonship"],
            }
        },
    )

    output = run_loader("--file", changed)

    tirana = event("ministerial-council-2020-tirana")
    assert tirana.local_end.isoformat() == "2020-12-04T13:30:00+01:00"
    assert [s.slug for s in tirana.organised_by.all()] == ["chairpersonship"]
    assert tirana.uid == event("ministerial-council-2020-tirana").uid
    item.refresh_from_db()
    assert item.event == tirana
    assert f"events: 1 updated, {EDITIONS - 1} unchanged" in output
    # The Chairpersonship moved up to the first place; the Ministerial Council's link went.
    assert f"organisers: 1 updated, {ORGANISERS - 2} unchanged, 1 deleted" in output
    assert KEPT not in output


def test_an_edition_of_an_unknown_series_or_time_zone_is_a_command_error(reference, tmp_path):
    slug = "summit-1975-helsinki"
    for change, message in [
        ({"series": "Tea parties"}, "unknown series 'tea-parties'"),
        ({"time_zone": "Europe/Atlantis"}, "unknown time zone 'Europe/Atlantis'"),
        ({"end": datetime.date(1975, 7, 1)}, "ends before it starts"),
        ({"organised_by": ["nobody"]}, "unknown structure 'nobody'"),
    ]:
        with pytest.raises(CommandError, match=message):
            run_loader("--file", changed_editions(tmp_path, reference, **{slug: change}))
    assert Event.objects.count() == EDITIONS

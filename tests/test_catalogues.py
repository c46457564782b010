"""The catalogues of the site's own words, one per official language other than English
(locale/<language>/LC_MESSAGES/django.po): complete (no message untranslated or fuzzy), with
placeholders as in English, and holding exactly the messages the sources mark (`makemessages`
run afresh must find nothing more and nothing less)."""

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command

from languages.catalogues import problems

LOCALE = Path(settings.BASE_DIR) / "locale"
OFFICIAL = [code for code, _name in settings.LANGUAGES if code != "en"]


def catalogue(code):
    with (LOCALE / code / "LC_MESSAGES/django.po").open("rb") as handle:
        return read_po(handle, locale=code)


def messages(catalogue):
    return {(message.context, message.id if isinstance(message.id, str) else message.id[0])
            for message in catalogue if message.id}  # fmt: skip


@pytest.mark.parametrize("code", OFFICIAL)
def test_each_official_language_has_a_complete_catalogue(code):
    assert problems(catalogue(code)) == []


@pytest.mark.parametrize("code", OFFICIAL)
def test_placeholders_are_kept_in_every_translation(code):
    errors = [
        f"{message.id!r}: {error}" for message, found in catalogue(code).check() for error in found
    ]
    assert errors == []


def test_the_plural_forms_of_russian_are_those_of_the_language():
    assert catalogue("ru").num_plurals >= 3


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages the sources mark today, as `makemessages` finds them."""
    if not shutil.which("xgettext"):
        pytest.fail("xgettext is missing: install GNU gettext (make test-services does)")
    # The sources seen through links from a folder of their own: run from the project, where
    # a `locale` folder is, makemessages would write its catalogue there.
    sources = tmp_path_factory.mktemp("sources")
    for path in Path(settings.BASE_DIR).iterdir():
        if path.name not in {"locale", "tests", "bench"} and not path.name.startswith("."):
            (sources / path.name).symlink_to(path)
    folder = sources / "extracted"
    folder.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "LOCALE_PATHS", [folder])
        patch.chdir(sources)
        call_command("makemessages", locale=["en"], verbosity=0, no_obsolete=True, symlinks=True)
    with (folder / "en/LC_MESSAGES/django.po").open("rb") as handle:
        return messages(read_po(handle))


@pytest.mark.parametrize("code", OFFICIAL)
def test_each_catalogue_holds_exactly_the_messages_of_the_sources(extracted, code):
    held = messages(catalogue(code))
    assert sorted(extracted - held, key=str) == [], "run makemessages (README, Languages)"
    assert sorted(held - extracted, key=str) == [], "obsolete messages: run makemessages"

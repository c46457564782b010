"""The site's translation catalogues (locale/<language>/LC_MESSAGES/django.po), compiled to the
.mo files gettext reads, with Babel: no GNU gettext needed to run the site (`make run`, `make
serve` and the test suite compile them first; .mo files are not kept in git)."""

import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings


def catalogue_paths():
    for root in settings.LOCALE_PATHS:
        yield from sorted(Path(root).glob("*/LC_MESSAGES/django.po"))


def problems(catalogue):
    """What keeps a catalogue from being complete: untranslated and fuzzy messages."""
    found = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            found.append(f"untranslated: {message.id!r}")
        if message.fuzzy:
            found.append(f"fuzzy: {message.id!r}")
    return found


def compile_all(*, force=False):
    """Compile each catalogue whose .mo is missing or older; the paths compiled."""
    compiled = []
    for po_path in catalogue_paths():
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalogue = read_po(handle, locale=po_path.parent.parent.name)
        # Written aside, then moved into place: a reader (another test process, a running
        # server) never sees half a file.
        partial = mo_path.with_suffix(f".mo.{os.getpid()}")
        with partial.open("wb") as handle:
            write_mo(handle, catalogue)
        os.replace(partial, mo_path)
        compiled.append(mo_path)
    return compiled

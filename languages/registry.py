"""The configured content languages and the one in force.

`settings.CONTENT_LANGUAGES` maps a BCP 47 code to the PostgreSQL text search configuration its
texts are indexed with and the official language the site's own words are shown in; an optional
`name` overrides CLDR's name of the language in that language (Babel)."""

import contextlib
import contextvars
from dataclasses import dataclass
from functools import cache

from babel import Locale, UnknownLocaleError
from django.conf import settings

DEFAULT = "en"

_current = contextvars.ContextVar("content_language", default=DEFAULT)


@dataclass(frozen=True)
class Language:
    code: str
    search_config: str
    chrome: str  # the official language of the site's own words on its pages
    name: str  # in the language itself: "Русский", "Română"
    english_name: str

    def __str__(self):
        return self.name

    @property
    def is_default(self):
        return self.code == DEFAULT

    @property
    def prefix(self):
        """The first part of its addresses: "" for English, "/ru" for Russian."""
        return "" if self.is_default else f"/{self.code}"


def cldr_names(code):
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return code, code
    own = locale.get_display_name(locale) or code
    return own[:1].upper() + own[1:], locale.get_display_name("en") or code


@cache
def registry():
    languages = {}
    for code, options in settings.CONTENT_LANGUAGES.items():
        own, english = cldr_names(code)
        languages[code] = Language(
            code=code,
            search_config=options.get("search", "simple"),
            chrome=options.get("chrome", DEFAULT),
            name=options.get("name", own),
            english_name=options.get("english_name", english),
        )
    return languages


def all_languages():
    return list(registry().values())


def get(code):
    """The configured language of `code`, or None."""
    return registry().get(code)


def label(language):
    """How the back office names a language: "Russian (Русский)", "English"."""
    if language.name == language.english_name:
        return language.english_name
    return f"{language.english_name} ({language.name})"


def choices():
    """For the news item's `language` field, in the configured order."""
    return [(language.code, label(language)) for language in all_languages()]


def search_config(code):
    language = get(code)
    return language.search_config if language else "simple"


def current():
    """The content language of the page being made (English outside requests)."""
    return registry().get(_current.get()) or registry()[DEFAULT]


@contextlib.contextmanager
def using(code):
    """Within: `current()` is `code`; addresses are not changed (languages.urls.override does)."""
    token = _current.set(code)
    try:
        yield
    finally:
        _current.reset(token)


def chrome_code():
    """The official language whose words the page shows: "ru" on Tajik pages."""
    return current().chrome

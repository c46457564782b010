"""Addresses per content language.

English pages live at the root URLconf's addresses. Each other content language gets a URLconf
of its own, made here: the root's public patterns under the language's prefix (`ru/`), then the
patterns every language shares (the admin, the API, the sitemap…). The middleware answers a
request under a prefix with that URLconf (`request.urlconf`), so `reverse()` and `{% url %}` give
the addresses of the language being read without anyone passing it on; `reverse_in()` gives
those of another language (an item's own address, the language switcher)."""

import contextlib
import re
from importlib import import_module

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, include, path, reverse, set_urlconf

from . import registry


class LanguageURLConf:
    """A URLconf object (Django accepts any object with `urlpatterns`) for one language."""

    def __init__(self, code):
        self.code = code
        root = import_module(settings.ROOT_URLCONF)
        self.urlpatterns = [path(f"{code}/", include(root.public_patterns)), *root.shared_patterns]
        for name in ("handler400", "handler403", "handler404", "handler500"):
            if hasattr(root, name):
                setattr(self, name, getattr(root, name))

    # Django keeps one resolver per URLconf, in a cache keyed by the URLconf itself.
    def __eq__(self, other):
        return isinstance(other, LanguageURLConf) and other.code == self.code

    def __hash__(self):
        return hash(("LanguageURLConf", self.code))

    def __repr__(self):
        return f"<LanguageURLConf {self.code}>"


_urlconfs = {}


def urlconf_for(code):
    """The URLconf of a content language: the root URLconf's name for English."""
    if code == registry.DEFAULT or registry.get(code) is None:
        return settings.ROOT_URLCONF
    if code not in _urlconfs:
        _urlconfs[code] = LanguageURLConf(code)
    return _urlconfs[code]


def language_of_path(path):
    """The content language a path is in: its prefix's, or English."""
    first = path.lstrip("/").split("/", 1)[0]
    language = registry.get(first)
    if language is None or language.is_default or not path.startswith(f"/{first}/"):
        return registry.DEFAULT
    return first


@contextlib.contextmanager
def override(code):
    """Within: the content language is `code`, and `reverse()` gives its addresses."""
    previous = get_urlconf()
    set_urlconf(urlconf_for(code))
    try:
        with registry.using(code):
            yield
    finally:
        set_urlconf(previous)


def reverse_in(code, viewname, **kwargs):
    """`reverse()` in the addresses of content language `code`, whatever is being read."""
    return reverse(viewname, urlconf=urlconf_for(code), **kwargs)


# The address of a page named by its slug, made from one reverse() per URLconf, view and script
# prefix: reverse() took about 90 µs, and a listing or an article writes dozens of items' and
# fields' addresses. A slug of other characters than these (which reverse() would quote) is
# reversed.
SLUG_PLACEHOLDER = "slug-placeholder-of-languages-urls"
PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_slug_addresses = {}


def reverse_slug(viewname, slug, urlconf=None):
    """`reverse(viewname, kwargs={"slug": slug})` in `urlconf` (by default the one answering,
    as reverse() takes it), the same address, made faster."""
    urlconf = urlconf or get_urlconf() or settings.ROOT_URLCONF
    if not isinstance(slug, str) or not PLAIN_SLUG.fullmatch(slug) or SLUG_PLACEHOLDER in slug:
        return reverse(viewname, urlconf=urlconf, kwargs={"slug": slug})
    key = (urlconf, viewname, get_script_prefix())
    address = _slug_addresses.get(key)
    if address is None:
        address = reverse(viewname, urlconf=urlconf, kwargs={"slug": SLUG_PLACEHOLDER})
        _slug_addresses[key] = address
    return address.replace(SLUG_PLACEHOLDER, slug)


def reverse_slug_in(code, viewname, slug):
    """`reverse_in(code, viewname, kwargs={"slug": slug})`, the same address, made faster."""
    return reverse_slug(viewname, slug, urlconf_for(code))


def translate_path(path, code):
    """The same page in language `code`: "/ru/news/?field=x" → "/news/?field=x" for English."""
    bare = path
    current = language_of_path(path)
    if current != registry.DEFAULT:
        bare = path[len(current) + 1 :]
    return bare if code == registry.DEFAULT else f"/{code}{bare}"


def forget_urlconfs():
    """After a change of settings (in tests): the URLconfs are made again when next asked for."""
    _urlconfs.clear()
    _slug_addresses.clear()

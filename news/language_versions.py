"""A public page's versions in other languages, for its language switcher and its hreflang
alternates (templates/includes/language_switcher.html, language_alternates.html).

A taxonomy page, the home page and the listing are the same page in every language, under each
language's prefix (languages/urls.py: translate_path): they link the official languages. An
article exists in the languages its translation group has public items in: it links those."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import get_script_prefix

from languages import registry as languages
from languages.urls import translate_path

from .siblings import public_versions


@dataclass(frozen=True)
class LanguageVersion:
    language: languages.Language
    url: str  # the page's address in that language
    absolute_url: str
    is_current: bool


class LanguageVersions(list):
    """The versions of a page, in the configured order of their languages."""

    @property
    def x_default(self):
        """The version for a visitor whose language none is in: the English one, else this."""
        for version in self:
            if version.language.is_default:
                return version
        return next((version for version in self if version.is_current), None)


def language_order(language):
    codes = list(languages.registry())
    return codes.index(language.code) if language.code in codes else len(codes)


def official_languages():
    """The official languages (settings.LANGUAGES, by their primary subtag), as configured."""
    codes = dict.fromkeys(code.split("-")[0] for code, _name in settings.LANGUAGES)
    return [languages.get(code) for code in codes if languages.get(code)]


def page_versions(request, path):
    """`path` (of the page being read, without the script prefix) in each official language,
    and in the page's own language when that is not an official one (a Tajik page)."""
    current = languages.current()
    targets = official_languages()
    if current not in targets:
        targets.append(current)
    prefix = get_script_prefix().removesuffix("/")
    return LanguageVersions(
        version(request, language, prefix + translate_path(path, language.code), current)
        for language in sorted(targets, key=language_order)
    )


def article_versions(request, item, group=None):
    """The item (public or, in a preview, not yet) and the other public items of its
    translation group: `group` when the page has read them already (news/related.py reads them
    with the related items), else read here (news/siblings.py: one query, whatever their
    number)."""
    if group is None:
        group = public_versions([item]).get(item.translation_key, [])
    items = [item, *(sibling for sibling in group if sibling.pk != item.pk)]
    return LanguageVersions(
        version(request, other.language_info, other.get_absolute_url(), item.language_info)
        for other in sorted(items, key=lambda other: language_order(other.language_info))
    )


def version(request, language, url, current):
    return LanguageVersion(
        language=language,
        url=url,
        absolute_url=request.build_absolute_uri(url),
        is_current=language.code == current.code,
    )

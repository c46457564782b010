"""Languages in templates: the `lang` of a page and of the fragments written in another.

A page's `<html lang>` is the language of the site's own words on it, its chrome (Russian on a
Tajik page, languages/registry.py); a fragment of content in another language (an article's
title and body, an English description on a Russian page, a link to an item in English) carries
a `lang` of its own, so that a screen reader switches its voice and a browser its hyphenation."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()


def html_lang():
    """The primary subtag of the active language ("en" for en-gb): a page's `<html lang>`."""
    return (get_language() or "en").split("-")[0]


@register.simple_tag
def lang_attr(code):
    """` lang="xx"` when `code` is not the page's language, else nothing:
    `<h1{% lang_attr item.language %}>`. For an element whose parent has the page's language."""
    if not code or code == html_lang():
        return ""
    return format_html(' lang="{}"', code)

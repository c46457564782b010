"""The public language versions of many items at once, in one query whatever their number and
the number of languages: the JSON API's `translations` and the sitemap's hreflang alternates.
An article's page takes its versions from here too (news/language_versions.py)."""

from collections import defaultdict

from languages import registry as languages

from .models import NewsItem


def public_versions(items):
    """{translation key: [public items of the group]} for the groups of `items`, each list in
    the configured order of languages. A version in a language no longer configured is left
    out; so is an item that is not public, whether among `items` or not."""
    keys = {item.translation_key for item in items}
    if not keys:
        return {}
    versions = (
        NewsItem.objects.published()
        .filter(translation_key__in=keys)
        .only("slug", "language", "translation_key")
        .order_by()
    )
    return by_group(versions)


def by_group(versions):
    """{translation key: [versions]} of public `versions` read elsewhere (news/related.py reads
    an article's with its related items): in the configured order of languages, a version in a
    language no longer configured left out."""
    order = {code: position for position, code in enumerate(languages.registry())}
    groups = defaultdict(list)
    for version in versions:
        if version.language in order:
            groups[version.translation_key].append(version)
    for group in groups.values():
        group.sort(key=lambda version: order[version.language])
    return groups

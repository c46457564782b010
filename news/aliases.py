"""Aliases (news.Alias) as the rest of the site reads them: the importer looks names up by their
compared form (`names_by_kind`), the public filters and taxonomy pages by the slug of an old link
(`targets_of_slugs`), and send the visitor on to the entry's own address."""

from .models import Alias


def targets_of_slugs(kind, slugs):
    """{slug: the entry it is an alias of} for those of `slugs` that are the slugs of aliases of
    `kind` (Alias.Kind): one query."""
    if not slugs:
        return {}
    target = Alias.TARGETS[kind]
    found = Alias.objects.filter(kind=kind, slug__in=set(slugs)).select_related(target)
    # Two labels may make one slug ("Media-freedom", "media freedom"): the oldest alias wins.
    return {alias.slug: getattr(alias, target) for alias in found.order_by("-pk")}


def names_by_kind():
    """{kind: {compared label: target id}} of every alias: what an import reads names by."""
    names = {kind: {} for kind in Alias.Kind.values}
    rows = Alias.objects.values_list("kind", "key", "field_of_work", "structure", "country")
    for kind, key, field_id, structure_id, country_id in rows:
        names[kind][key] = field_id or structure_id or country_id
    return names

"""News items as JSON Lines: one object a line, the format of `import_news` and `export_news`.
This module holds the format (its keys, a parsed line) and the export; reading a file is in
news/jsonl_import.py, storing its lines in news/jsonl_store.py.

Export writes canonical records (sorted keys, slugs for every taxonomy, tags sorted), so that
export → import into an empty database → export gives byte-identical output. Language versions
keep their group: `translation_of` names the item a version was translated from."""

import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from languages import registry as languages

from .models import IssuingBody, NewsItem, TaggedNewsItem

TEXT_KEYS = ("title", "lead", "image", "image_alt", "image_caption", "image_credit")
KNOWN_KEYS = {
    "slug", "title", "type", "lead", "body_html", "published_at", "issued_by",
    "fields_of_work", "countries", "tags", "status", "withdrawn_reason",
    "image", "image_alt", "image_caption", "image_credit", "language", "translation_of",
}  # fmt: skip


class LineError(Exception):
    """One line cannot be imported; the message says why."""


# The kinds of names a line gives, as the messages and the import report call them.
BODY, FIELD, COUNTRY, LANGUAGE = "issuing body", "field of work", "country", "language"
NAME_KINDS = (BODY, FIELD, COUNTRY, LANGUAGE)


class UnresolvedNames(LineError):
    """A line naming things the site does not know. It carries every such name, not just the
    first, so that one run of a migration lists all the names there are to add or alias."""

    def __init__(self, names):
        self.names = names  # [(kind, name as given, message)]
        super().__init__("; ".join(message for _kind, _name, message in names))


# --- export -------------------------------------------------------------------------------------


def with_group_source(queryset):
    """`queryset` with the slug each item's line names as `translation_of` (annotated, so a
    line costs no query): the item it was translated from or else, for a version whose source
    was deleted, the group's first original — so that the group survives a round trip.
    Subqueries rather than a join: `store()` reads an item under a row lock, which PostgreSQL
    refuses on the nullable side of an outer join."""
    source = NewsItem.objects.filter(pk=OuterRef("translated_from_id")).order_by().values("slug")
    # Originals first, then by age; no condition on `translated_from`, which PostgreSQL would
    # otherwise answer from that column's index (every original) rather than the group's own.
    original = (
        NewsItem.objects.filter(translation_key=OuterRef("translation_key"))
        .order_by(F("translated_from").asc(nulls_first=True), "pk")
        .values("slug")[:1]
    )
    return queryset.annotate(group_source=Coalesce(Subquery(source), Subquery(original)))


def export_queryset():
    """Every item in slug order, with its links and `group_source`."""
    return with_group_source(NewsItem.objects.order_by("slug")).prefetch_related(
        "issuing_bodies__structure", "fields_of_work", "countries", "tags"
    )


def format_datetime(value):
    return timezone.localtime(value).isoformat() if value else None


def field_slugs(fields):
    return [f.slug for f in sorted(fields, key=lambda f: (f.position, f.name))]


def country_slugs(countries):
    return [c.slug for c in sorted(countries, key=lambda c: (c.position, c.sort_name))]


def sorted_tags(names):
    return sorted({name.strip() for name in names if name.strip()}, key=str.casefold)


def same_tags(names, others):
    """Tags are one whatever their case (TAGGIT_CASE_INSENSITIVE): a line's "Customs" is the
    stored "customs"."""
    return {name.casefold() for name in names} == {name.casefold() for name in others}


def same_record(stored, line):
    """Whether a line (ParsedLine.record()) says what is stored (export_record)."""
    return same_tags(stored["tags"], line["tags"]) and all(
        stored[key] == line[key] for key in stored if key != "tags"
    )


def translation_of(item):
    """The slug an item's line names as `translation_of` (an item of export_queryset()): None
    for an original, and for an item alone in its group."""
    return named_source(item.slug, item.group_source)


def named_source(slug, group_source):
    return group_source if group_source != slug else None


def export_record(item):
    return {
        "slug": item.slug,
        "language": item.language,
        "translation_of": translation_of(item),
        "title": item.title,
        "type": item.type,
        "status": item.status,
        "published_at": format_datetime(item.published_at),
        "lead": item.lead,
        "body_html": item.body,
        "issued_by": [body.structure.slug for body in item.issuing_bodies.all()],
        "fields_of_work": field_slugs(item.fields_of_work.all()),
        "countries": country_slugs(item.countries.all()),
        "tags": sorted_tags(tag.name for tag in item.tags.all()),
        "image": item.image.name or "",
        "image_alt": item.image_alt,
        "image_caption": item.image_caption,
        "image_credit": item.image_credit,
        "withdrawn_reason": item.withdrawn_reason,
    }


# The columns of a record, read as values (`stored_records`).
RECORD_COLUMNS = (
    "pk", "slug", "language", "group_source", "title", "type", "status", "published_at",
    "lead", "body", "image", "image_alt", "image_caption", "image_credit", "withdrawn_reason",
    "image_renditions",
)  # fmt: skip


def stored_records(slugs):
    """{slug: (export_record of the stored item, its photo's renditions)} for those of `slugs`
    that are stored: what `import_news` compares each line with. Read as plain values in five
    queries, where export_queryset() makes some eight model instances an item."""
    rows = with_group_source(NewsItem.objects.filter(slug__in=slugs)).values(*RECORD_COLUMNS)
    rows = {row["pk"]: row for row in rows}
    issuers, fields, countries, tags = (defaultdict(list) for _ in range(4))
    links = IssuingBody.objects.filter(news_item__in=list(rows)).order_by("position", "pk")
    for item_id, slug in links.values_list("news_item", "structure__slug"):
        issuers[item_id].append(slug)
    for relation, found, order in (
        ("fields_of_work", fields, "name"),
        ("countries", countries, "sort_name"),
    ):
        through = NewsItem._meta.get_field(relation).remote_field.through
        item_name, entry_name = (f.name for f in through._meta.concrete_fields[1:3])
        links = through.objects.filter(**{f"{item_name}__in": list(rows)}).values_list(
            item_name, f"{entry_name}__slug", f"{entry_name}__position", f"{entry_name}__{order}"
        )
        for item_id, slug, position, name in links:
            found[item_id].append((position, name, slug))
    links = TaggedNewsItem.objects.filter(content_object__in=list(rows))
    for item_id, name in links.values_list("content_object", "tag__name"):
        tags[item_id].append(name)
    records = {}
    for item_id, row in rows.items():
        record = {
            "slug": row["slug"],
            "language": row["language"],
            "translation_of": named_source(row["slug"], row["group_source"]),
            "title": row["title"],
            "type": row["type"],
            "status": row["status"],
            "published_at": format_datetime(row["published_at"]),
            "lead": row["lead"],
            "body_html": row["body"],
            "issued_by": issuers[item_id],
            "fields_of_work": [slug for *_, slug in sorted(fields[item_id])],
            "countries": [slug for *_, slug in sorted(countries[item_id])],
            "tags": sorted_tags(tags[item_id]),
            "image": row["image"] or "",
            **{key: row[key] for key in ("image_alt", "image_caption", "image_credit")},
            "withdrawn_reason": row["withdrawn_reason"],
        }
        records[row["slug"]] = record, row["image_renditions"]
    return records


def export_line(item):
    return json.dumps(export_record(item), ensure_ascii=False, sort_keys=True)


# --- a line read --------------------------------------------------------------------------------


@dataclass
class ParsedLine:
    """One line's item, checked and with its names resolved: ready to be stored."""

    slug: str
    values: dict  # the item's own columns, as NewsItem takes them
    structures: list
    fields: list
    countries: list
    tags: list
    language: str = languages.DEFAULT
    translation_of: str | None = None  # the slug of the item this one translates
    warnings: list = field(default_factory=list)

    def record(self):
        """The line as export_news would write it, to tell an unchanged item."""
        return {
            "slug": self.slug,
            "language": self.language,
            "translation_of": self.translation_of,
            **{k: v for k, v in self.values.items() if k not in ("body", "published_at")},
            "published_at": format_datetime(self.values["published_at"]),
            "body_html": self.values["body"],
            "issued_by": [s.slug for s in self.structures],
            "fields_of_work": field_slugs(self.fields),
            "countries": country_slugs(self.countries),
            "tags": sorted_tags(self.tags),
        }

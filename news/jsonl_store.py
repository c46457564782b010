"""Storing the items of JSON Lines (news/jsonl.py): one line's item created or updated with its
links, photo and place in a translation group (`store`), or many new items at once
(`create_all`: the demo news, the generated corpus, and the new items of each batch of
`import_news`, news/import_batches.py)."""

import uuid

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from taggit.models import Tag

from languages import registry as languages

from . import images, pagecache, publishing, signing
from .jsonl import (
    LineError,
    export_queryset,
    export_record,
    same_record,
    same_tags,
    translation_of,
)
from .jsonl_copy import copy_all
from .models import IssuingBody, NewsItem, TaggedNewsItem
from .sanitise import clean_body

# What a group's place is read by: the source's key and version, and the chain of sources.
GROUP_COLUMNS = ("pk", "slug", "language", "translation_key", "translated_from_id", "version")


def validation_message(error):
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def store(parsed, *, write_files=True, line_of=None):
    """Create or update the item of one parsed line, all or nothing. Returns the outcome.
    `write_files=False` (a dry run, which its caller rolls back) makes no photo renditions;
    `line_of` maps the slugs of the file being read to their lines, for the messages.

    The stored item is read under a row lock, the one the admin's form takes before it saves
    (`check_version` in news/admin/forms.py): a save there cannot come between this read and this
    write, and moving `version` on makes a form opened before the import refuse to save over it.
    """
    new_files = set()
    with transaction.atomic():
        existing = export_queryset().select_for_update().filter(slug=parsed.slug).first()
        photo = parsed.values["image"]
        renew_photo = bool(photo) and (
            existing is None
            or existing.image.name != photo
            or not has_renditions(existing.image_renditions)
        )
        stored = export_record(existing) if existing is not None else None
        if stored is not None and not renew_photo and same_record(stored, parsed.record()):
            return "unchanged"
        # Checked before anything is written: a missing or broken photo file fails the line.
        picture = open_photo(photo) if renew_photo else None
        before = images.photo_files(existing) if existing else set()
        item = existing or NewsItem(slug=parsed.slug)
        if existing is not None:
            values = parsed.values.items()
            publishing.mark_revised(item, [n for n, value in values if getattr(item, n) != value])
        for name, value in parsed.values.items():
            setattr(item, name, value)
        place_in_group(
            item, parsed.language, parsed.translation_of, existing=existing, line_of=line_of or {}
        )
        publishing.stamp(item, by=None, version_on_record=existing.version if existing else None)
        try:
            item.full_clean(validate_unique=False)
        except ValidationError as error:
            raise LineError(validation_message(error)) from None
        if not photo:
            item.image_renditions = {}
        elif picture is not None and write_files:
            item.image_renditions = make_renditions(picture, photo)
            new_files = images.photo_files(item) - {photo}
        try:
            save_with_links(item, parsed, stored=stored)
            signing.record_imported([(item, parsed.structures)], new=existing is None)
        except DatabaseError as error:
            for name in new_files:
                default_storage.delete(name)
            raise LineError(f"could not be stored: {error}") from None
        if write_files:
            # The replaced photo, or the photo of a withdrawn item, leaves the public folder.
            images.sync_photo_files_on_commit(item, before)
    return "updated" if existing else "created"


def place_in_group(item, language, source_slug, *, existing, line_of):
    """Give `item` (not saved yet) its language and the group its line says: that of
    `source_slug`, as its translation, or — no `translation_of` — a group of its own, unless it
    is already the original of its group. At most one item per language in a group."""
    language_changed, item.language = item.language != language, language
    if source_slug is None:
        item.translated_from, item.source_version = None, None
        if existing is None:
            return  # a new group of its own
        if translation_of(existing) is not None:
            item.translation_key = uuid.uuid4()  # it leaves its group for one of its own
            return
        if not language_changed:
            return  # the original of its group, as it was
    else:
        source = NewsItem.objects.only(*GROUP_COLUMNS).filter(slug=source_slug).first()
        if source is None:
            where = line_of.get(source_slug)
            raise LineError(
                f"translation_of {source_slug!r}: no such item"
                + (f" (line {where}, which has it, failed)" if where else " in the file or stored")
            )
        if existing is not None:
            refuse_loop(item, source)
        item.translation_key = source.translation_key
        item.translated_from, item.source_version = source, source.version
    other = (
        NewsItem.objects.filter(translation_key=item.translation_key, language=item.language)
        .exclude(pk=item.pk)
        .only("slug")
        .first()
    )
    if other is not None:
        where = f", line {line_of[other.slug]}" if other.slug in line_of else ""
        prefix = f"translation_of {source_slug!r}: " if source_slug else ""
        raise LineError(
            f"{prefix}the group already has an item in {language_name(item.language)}: "
            f"{other.slug!r}{where}"
        )


def refuse_loop(item, source):
    """A source that is (through its own sources) a translation of `item` would make a loop."""
    step, hops = source, 0
    while step.translated_from_id is not None and hops < len(languages.all_languages()):
        if step.translated_from_id == item.pk:
            raise LineError(
                f"translation_of {source.slug!r}: that item is a translation of this one"
            )
        step = NewsItem.objects.only(*GROUP_COLUMNS).get(pk=step.translated_from_id)
        hops += 1


def language_name(code):
    language = languages.get(code)
    return f"{language.english_name} ({code})" if language else code


def save_with_links(item, parsed, *, stored=None):
    """Save the item and the links its line gives. `stored`: the item's line as it was
    (export_record), when it was: the links that line already had are left as they are, where
    rewriting each kind cost its queries and a refresh of the search document (a corrected title
    is the usual change of a second migration round, not its issuers or tags)."""
    item.save()
    line = parsed.record()

    def changed(key):
        if stored is None:
            return True
        return not same_tags(stored[key], line[key]) if key == "tags" else stored[key] != line[key]

    if changed("issued_by"):
        item.issuing_bodies.all().delete()
        IssuingBody.objects.bulk_create(
            IssuingBody(news_item=item, structure=structure, position=position)
            for position, structure in enumerate(parsed.structures)
        )
    if changed("fields_of_work"):
        item.fields_of_work.set(parsed.fields)
    if changed("countries"):
        item.countries.set(parsed.countries)
    if changed("tags"):
        item.tags.set(parsed.tags, clear=True)


def has_renditions(renditions):
    """Whether an item's `image_renditions` hold every rendition of its photo (items created in
    bulk have none)."""
    return all(name in renditions for name in images.RENDITION_WIDTHS)


def make_renditions(picture, name):
    try:
        return images.store_renditions(picture, name=name)
    except OSError as error:
        raise LineError(f"image {name!r}: its renditions could not be written ({error})") from None


def open_photo(name):
    """The photo file an import line names, decoded and checked as an upload is."""
    try:
        return images.open_stored(name)
    except SuspiciousFileOperation:
        raise LineError(f"image {name!r} is not a relative path inside the media folder") from None
    except ValidationError as error:
        if error.code == "missing":
            raise LineError(f"image {name!r} not found in the media folder") from None
        if error.code == "bad_format":
            raise LineError(f"image {name!r} is not a JPEG, PNG or WebP image") from None
        raise LineError(f"image {name!r}: {' '.join(error.messages)}") from None


# --- in bulk ------------------------------------------------------------------------------------


def group_in_bulk(items, parsed_lines):
    """Give the new `items` of `parsed_lines` their groups before they are created: each
    translation the key of its source's group (in the batch, or stored). Returns the
    (translation, source) pairs, whose link is written once the sources have their keys."""
    lines = {line.slug: line for line in parsed_lines}
    by_slug = {item.slug: item for item in items}
    wanted = {line.translation_of for line in parsed_lines if line.translation_of} - set(lines)
    stored = {
        source.slug: source
        for source in NewsItem.objects.only(*GROUP_COLUMNS).filter(slug__in=wanted)
    }

    def original(slug):
        """The item at the start of the chain of translations `slug` is in (batch or stored)."""
        seen = [slug]
        while slug in lines and lines[slug].translation_of:
            slug = lines[slug].translation_of
            if slug in seen:
                chain = " → ".join([*seen, slug])
                raise LineError(f"{seen[0]}: translation_of makes a loop: {chain}")
            seen.append(slug)
        if slug not in by_slug and slug not in stored:
            raise LineError(
                f"{seen[-2]}: translation_of {slug!r}: no such item in the file or stored"
            )
        return by_slug.get(slug) or stored[slug]

    pairs, taken = [], {}
    for item, line in zip(items, parsed_lines, strict=True):
        if line.translation_of:
            item.translation_key = original(line.slug).translation_key
            source = by_slug.get(line.translation_of) or stored[line.translation_of]
            item.source_version = source.version
            pairs.append((item, source))
    for item in items:
        place = (item.translation_key, item.language)
        if place in taken:
            raise LineError(
                f"{item.slug}: the group already has an item in {language_name(item.language)}: "
                f"{taken[place]!r}"
            )
        taken[place] = item.slug
    return pairs


def new_item(line):
    """The item of a parsed line with the columns `store` gives a new one. Bulk creation
    bypasses save(), so what save() does is done here: the body cleaned (again: the stored body
    is what save() makes of the parsed one) and the search configuration of the language; and
    the stamp of a first save."""
    item = NewsItem(
        slug=line.slug,
        language=line.language,
        search_config=languages.search_config(line.language),
        **line.values,
    )
    item.body = clean_body(item.body)
    publishing.stamp(item, by=None, version_on_record=None)
    return item


@transaction.atomic
def create_all(parsed_lines, items=None, *, tag_ids=None, names_cache=None):
    """Create new items in bulk: a handful of queries for any number of lines, where `store`
    costs some thirty a line; the stored result is the same (tests/test_import_migration.py).
    `items`: the lines' `new_item`s, when the caller has made (and checked) them already;
    `tag_ids` ({tag name in lower case: id}) and `names_cache` (news/jsonl_copy.py) are kept
    across calls by the caller, on PostgreSQL.
    Existing slugs are an IntegrityError; photos get no renditions (`store` makes them)."""
    items = [new_item(line) for line in parsed_lines] if items is None else items
    if connection.vendor == "postgresql":
        translations = group_in_bulk(items, parsed_lines)
        copy_all(items, parsed_lines, translations, {} if tag_ids is None else tag_ids, names_cache)
        transaction.on_commit(pagecache.bump)
    else:
        items = insert_all(parsed_lines, items)
    # The joint items' sign-offs, as the import gives them (news/signing.py).
    signing.record_imported(
        [(item, line.structures) for item, line in zip(items, parsed_lines, strict=True)], new=True
    )
    return items


def insert_all(parsed_lines, items):
    """`create_all` with Django's bulk INSERTs, where COPY is not to be had (SQLite, which has
    no search documents)."""
    translations = group_in_bulk(items, parsed_lines)
    items = NewsItem.objects.bulk_create(items)
    for item, source in translations:
        item.translated_from_id = source.pk
    if translations:
        NewsItem.objects.bulk_update([item for item, _ in translations], ["translated_from"])
    pairs = list(zip(items, parsed_lines, strict=True))
    IssuingBody.objects.bulk_create(
        IssuingBody(news_item=item, structure=structure, position=position)
        for item, line in pairs
        for position, structure in enumerate(line.structures)
    )
    NewsItem.fields_of_work.through.objects.bulk_create(
        NewsItem.fields_of_work.through(newsitem=item, fieldofwork=field)
        for item, line in pairs
        for field in line.fields
    )
    NewsItem.countries.through.objects.bulk_create(
        NewsItem.countries.through(newsitem=item, country=country)
        for item, line in pairs
        for country in line.countries
    )
    tags = {}
    for name in {tag for line in parsed_lines for tag in line.tags}:
        tags[name] = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
    TaggedNewsItem.objects.bulk_create(
        TaggedNewsItem(content_object=item, tag=tag)
        for item, line in pairs
        for tag in {tags[name] for name in line.tags}
    )
    # Bulk creation sends no signals: the page cache is told once, here.
    transaction.on_commit(pagecache.bump)
    return items

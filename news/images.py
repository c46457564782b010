"""Photos of news items: checked, cleaned and resized once, when they are uploaded or imported.

An upload is decoded by Pillow with an explicit list of formats (JPEG, PNG, WebP), refused when
the file or the picture is too big (decompression bombs declare huge sizes in a tiny file), turned
upright by its EXIF orientation, and stored again *without* its metadata (GPS position, camera).
A multi-picture JPEG (MPO: phones and 3D cameras add a depth map or a second view to the photo)
is a JPEG whose first picture is the photo: that one is kept, as a plain JPEG. The file is decoded
once, by `open_checked`; `store_image` and `store_renditions` take the picture it returns. The
renditions the public site shows are made at the same time, never per request.

Who can fetch a photo file. MEDIA_ROOT is served at /media/; PRIVATE_MEDIA_ROOT is never served.
A photo file (an original or a rendition) is reachable at /media/ exactly while an item that is
not withdrawn uses it. Replaced photos and the photos of withdrawn or deleted items are not
deleted but kept in PRIVATE_MEDIA_ROOT under the same name, so that an earlier version restored
from the history, or an item published again, gets them back: `sync_photo_files` moves an item's
files to where this rule wants them, `hide_files` and `reveal_files` do the moving. A new file
never takes a name that a hidden one holds, so a file coming back never replaces another photo."""

import errno
import hashlib
import io
import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils._os import safe_join
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .models import NewsItem

logger = logging.getLogger(__name__)

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
EXTENSIONS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",), "WEBP": (".webp",)}
# Pillow's JPEG reader hands back a JPEG with a multi-picture header as an "MPO" image.
STORED_AS = {"MPO": "JPEG"}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# name: width in pixels. Each rendition is stored in the original's format and as WebP.
RENDITION_WIDTHS = {"thumbnail": 320, "medium": 800, "large": 1600}
JPEG_QUALITY = 85
WEBP_QUALITY = 80


def _megabytes(size):
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f} MB" if megabytes == int(megabytes) else f"{megabytes:.2f} MB"


def _too_many_pixels(size):
    return ValidationError(
        _("The image is %(size)s; the limit is %(limit)d megapixels.")
        % {"size": size, "limit": MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


def _bad_format():
    return ValidationError(
        _("This is not a JPEG, PNG or WebP image. Upload a photo in one of those formats."),
        code="bad_format",
    )


def stored_format(image):
    """The format a checked picture is stored in: its own, or JPEG for a multi-picture JPEG."""
    return STORED_AS.get(image.format, image.format)


def open_checked(uploaded):
    """Open and fully decode an uploaded image, or raise ValidationError saying why not. Returns
    the decoded picture (of a multi-picture JPEG, the first), to hand to `store_image`."""
    size = getattr(uploaded, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is %(size)s, over the limit of %(limit)s.")
            % {"size": _megabytes(size), "limit": _megabytes(MAX_UPLOAD_BYTES)},
            code="file_too_large",
        )
    uploaded.seek(0)
    try:
        image = Image.open(uploaded, formats=ALLOWED_FORMATS)
    except Image.DecompressionBombError:
        # Pillow's own guard, far above our limit, fired while reading the header.
        raise _too_many_pixels(
            _("more than %d megapixels") % (2 * Image.MAX_IMAGE_PIXELS // 1_000_000)
        ) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise _bad_format() from None
    image_format = stored_format(image)
    if image_format not in EXTENSIONS:
        raise _bad_format()
    # The size in the header is checked before decoding a single pixel.
    if image.width * image.height > MAX_PIXELS:
        raise _too_many_pixels(f"{image.width} × {image.height} pixels")
    name = getattr(uploaded, "name", "") or ""
    extension = os.path.splitext(name)[1].lower()
    if extension and extension not in EXTENSIONS[image_format]:
        raise ValidationError(
            _("The file name ends in %(extension)s but the file is a %(format)s image.")
            % {"extension": extension, "format": image_format},
            code="wrong_extension",
        )
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("The image file is damaged or incomplete. Export it again and upload it."),
            code="damaged",
        ) from None
    return image


def open_stored(name):
    """Open and fully decode a photo already in the media folder (an import line names it), with
    the checks of an upload. A photo hidden in the private folder is found too."""
    path = _stored_path(name)
    if path is None:
        raise ValidationError(
            _("There is no file %(name)s in the media folder.") % {"name": name}, code="missing"
        )
    with open(path, "rb") as handle:
        return open_checked(File(handle, name=name))


def _encode(image, image_format):
    buffer = io.BytesIO()
    extra = {"icc_profile": image.info["icc_profile"]} if image.info.get("icc_profile") else {}
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, **extra)
    elif image_format == "PNG":
        image.save(buffer, "PNG", optimize=True, **extra)
    else:
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4, **extra)
    return buffer.getvalue()


def _cleaned(image):
    """Pixels only, upright: the metadata (EXIF, GPS, XMP, ICC comments, a multi-picture
    header) stays behind."""
    upright = ImageOps.exif_transpose(image)
    if upright.mode == "P":
        upright = upright.convert("RGBA")
    clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    # The colour profile is kept: it is no one's personal data and photos look wrong without it.
    clean.info["icc_profile"] = image.info.get("icc_profile")
    return clean


@dataclass
class ProcessedImage:
    name: str  # storage name of the cleaned original
    renditions: dict  # {"thumbnail": {"path": ..., "webp": ..., "width": .., "height": ..}}


def store_image(image, *, stem, upload_to="news"):
    """Store a checked photo, cleaned, with its renditions; returns what to record. `image` is
    what `open_checked` returned (an upload is accepted too, and checked here)."""
    if not isinstance(image, Image.Image):
        image = open_checked(image)
    image_format = stored_format(image)
    clean = _cleaned(image)
    data = _encode(clean, image_format)
    digest = hashlib.sha256(data).hexdigest()[:12]
    base = f"{upload_to}/{slugify(stem)[:60] or 'image'}-{digest}"
    original = _save_new(f"{base}{EXTENSIONS[image_format][0]}", data)
    return ProcessedImage(name=original, renditions=_store_renditions(clean, base, image_format))


def store_renditions(image, *, name):
    """Make and store the renditions of a photo already stored as `name` (an import line names
    it), from the picture `open_stored` returned; the original stays as it is. Returns what to
    record in `image_renditions`."""
    return _store_renditions(_cleaned(image), os.path.splitext(name)[0], stored_format(image))


def _store_renditions(clean, base, image_format):
    extension = EXTENSIONS[image_format][0]
    renditions = {}
    for rendition, width in RENDITION_WIDTHS.items():
        resized = clean.copy()
        resized.info["icc_profile"] = clean.info.get("icc_profile")
        if resized.width > width:
            resized.thumbnail((width, width * 10), Image.Resampling.LANCZOS)
        renditions[rendition] = {
            "path": _save_new(f"{base}-{rendition}{extension}", _encode(resized, image_format)),
            "webp": _save_new(f"{base}-{rendition}.webp", _encode(resized, "WEBP")),
            "width": resized.width,
            "height": resized.height,
        }
    return renditions


def _save_new(name, data):
    """Save under a name that is free in both folders: a hidden file that comes back must never
    replace another photo."""
    root, extension = os.path.splitext(name)
    while _path_in(settings.PRIVATE_MEDIA_ROOT, name).exists():
        name = default_storage.get_alternative_name(root, extension)
    return default_storage.save(name, ContentFile(data))


# --- public and hidden photo files ---------------------------------------------------------------


def photo_files(item):
    """The storage names of an item's photo: the original and each rendition in both formats."""
    if not item.image:
        return set()
    names = {item.image.name}
    for rendition in (item.image_renditions or {}).values():
        names.update(rendition[key] for key in ("path", "webp") if rendition.get(key))
    return names


def sync_photo_files(item, before):
    """Move an item's photo files to where the rule of this module wants them, once a change to
    the item is committed (run it from `transaction.on_commit`). `before` is `photo_files` of the
    item as it was stored before the change, an empty set for a new item."""
    current = photo_files(item)
    if item.status == NewsItem.Status.WITHDRAWN:
        hide_files(current)
    else:
        reveal_files(current)
    hide_files(set(before) - current)


def sync_photo_files_on_commit(item, before):
    """`sync_photo_files` once the transaction commits: a change rolled back moves nothing."""
    transaction.on_commit(partial(sync_photo_files, item, frozenset(before)))


def hide_files_on_commit(names):
    """`hide_files` once the transaction commits (the files of deleted items)."""
    transaction.on_commit(partial(hide_files, frozenset(names)))


def hide_files(names):
    """Move photo files from the public media folder to the private one, under the same names,
    except those that an item that is not withdrawn still uses (an import may give two items one
    file). Files already hidden or gone are skipped."""
    names = _checked_names(names)
    if not names:
        return
    for name in sorted(names - _names_in_use(names)):
        _move(name, settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT)


def reveal_files(names):
    """Move photo files hidden in the private folder back to the public one. A public file of
    the same name is left as it is: it is what the items use now."""
    for name in sorted(_checked_names(names)):
        if not _path_in(settings.MEDIA_ROOT, name).exists():
            _move(name, settings.PRIVATE_MEDIA_ROOT, settings.MEDIA_ROOT)


def _path_in(root, name):
    """Where the file `name` (a storage name, from the database) lives under `root`."""
    path = PurePosixPath(name)
    if not name or "\x00" in name or path.is_absolute() or ".." in path.parts:
        raise SuspiciousFileOperation(
            f"Refused photo file name {name!r}: not a relative path inside the media folders."
        )
    return Path(safe_join(root, name))


def _checked_names(names):
    """The names, each checked before any file moves: one bad name stops the whole move."""
    names = {name for name in names if name}
    for name in names:
        _path_in(settings.MEDIA_ROOT, name)
        _path_in(settings.PRIVATE_MEDIA_ROOT, name)
    return names


def _stored_path(name):
    """The file `name` in the public folder, else in the private one; None when in neither."""
    for root in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT):
        path = _path_in(root, name)
        if path.is_file():
            return path
    return None


def _names_in_use(names):
    """Those of `names` that an item that is not withdrawn uses, as original or rendition."""
    uses = Q(image__in=names)
    for rendition in RENDITION_WIDTHS:
        for key in ("path", "webp"):
            uses |= Q(**{f"image_renditions__{rendition}__{key}__in": names})
    users = (
        NewsItem.objects.exclude(status=NewsItem.Status.WITHDRAWN)
        .filter(uses)
        .only("image", "image_renditions")
    )
    used = set()
    for item in users:
        used |= photo_files(item)
    return names & used


def _move(name, source_root, target_root):
    """Move one file between the folders, replacing a file of the same name. A file that is not
    there is skipped: moved already (the target has it), or gone (a warning)."""
    source, target = _path_in(source_root, name), _path_in(target_root, name)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, target)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            _copy_across(source, target)
    except FileNotFoundError:
        if not target.exists():
            logger.warning("Photo file %s is in neither media folder; nothing to move.", name)
    except OSError:
        # After the commit there is no one to tell but the log; the other files still move.
        logger.exception("Could not move photo file %s to %s.", name, target_root)


def _copy_across(source, target):
    """os.replace between two filesystems: copied beside the target, swapped in whole (no one
    sees half a file), then the source removed."""
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
    try:
        shutil.copy2(source, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    source.unlink()

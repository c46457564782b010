"""Photos of news items: checked, cleaned and resized once, when they are uploaded.

An upload is decoded by Pillow with an explicit list of formats (JPEG, PNG, WebP), refused when
the file or the picture is too big (decompression bombs declare huge sizes in a tiny file), turned
upright by its EXIF orientation, and stored again *without* its metadata (GPS position, camera).
The renditions the public site shows are made at the same time, never per request."""

import hashlib
import io
import os
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
EXTENSIONS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",), "WEBP": (".webp",)}
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


def open_checked(uploaded):
    """Open and fully decode an uploaded image, or raise ValidationError saying why not."""
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
        raise ValidationError(
            _("This is not a JPEG, PNG or WebP image. Upload a photo in one of those formats."),
            code="bad_format",
        ) from None
    # The size in the header is checked before decoding a single pixel.
    if image.width * image.height > MAX_PIXELS:
        raise _too_many_pixels(f"{image.width} × {image.height} pixels")
    name = getattr(uploaded, "name", "") or ""
    extension = os.path.splitext(name)[1].lower()
    if extension and extension not in EXTENSIONS[image.format]:
        raise ValidationError(
            _("The file name ends in %(extension)s but the file is a %(format)s image.")
            % {"extension": extension, "format": image.format},
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


@dataclass
class ProcessedImage:
    name: str  # storage name of the cleaned original
    renditions: dict  # {"thumbnail": {"path": ..., "webp": ..., "width": .., "height": ..}}


def store_image(uploaded, *, stem, upload_to="news"):
    """Check, clean and store an upload with its renditions; returns what to record."""
    image = open_checked(uploaded)
    image_format = image.format
    # Pixels only, upright: the metadata (EXIF, GPS, XMP, ICC comments) stays behind.
    upright = ImageOps.exif_transpose(image)
    if upright.mode == "P":
        upright = upright.convert("RGBA")
    clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    # The colour profile is kept: it is no one's personal data and photos look wrong without it.
    clean.info["icc_profile"] = image.info.get("icc_profile")
    data = _encode(clean, image_format)
    digest = hashlib.sha256(data).hexdigest()[:12]
    base = f"{upload_to}/{slugify(stem)[:60] or 'image'}-{digest}"
    extension = EXTENSIONS[image_format][0]
    original = default_storage.save(f"{base}{extension}", ContentFile(data))

    renditions = {}
    for rendition, width in RENDITION_WIDTHS.items():
        resized = clean.copy()
        resized.info["icc_profile"] = clean.info.get("icc_profile")
        if resized.width > width:
            resized.thumbnail((width, width * 10), Image.Resampling.LANCZOS)
        renditions[rendition] = {
            "path": default_storage.save(
                f"{base}-{rendition}{extension}", ContentFile(_encode(resized, image_format))
            ),
            "webp": default_storage.save(
                f"{base}-{rendition}.webp", ContentFile(_encode(resized, "WEBP"))
            ),
            "width": resized.width,
            "height": resized.height,
        }
    return ProcessedImage(name=original, renditions=renditions)

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from news import images


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def picture(image_format="JPEG", size=(1200, 800), mode="RGB", exif=None):
    buffer = io.BytesIO()
    image = Image.new(mode, size, color=(200, 30, 30) if mode == "RGB" else None)
    # A marker pixel in the top-left corner, to see where it ends up after rotation.
    image.putpixel((0, 0), (0, 0, 255) if mode == "RGB" else 0)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, image_format, **kwargs)
    return buffer.getvalue()


def upload(data, name="photo.jpg"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def files_stored(root):
    return [p for p in root.rglob("*") if p.is_file()]


def gps_exif(orientation=None):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (38.0, 33.0, 36.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (68.0, 46.0, 48.0)
    return exif


def test_a_good_jpeg_is_stored_with_its_renditions(media_root):
    result = images.store_image(upload(picture()), stem="Tajik customs")
    assert result.name.startswith("news/tajik-customs-") and result.name.endswith(".jpg")
    assert default_storage.exists(result.name)
    assert set(result.renditions) == {"thumbnail", "medium", "large"}
    thumbnail = result.renditions["thumbnail"]
    assert (thumbnail["width"], thumbnail["height"]) == (320, 213)
    with Image.open(default_storage.path(thumbnail["webp"])) as webp:
        assert webp.format == "WEBP" and webp.width == 320
    # Never upscaled: the original is 1200 px wide.
    assert result.renditions["large"]["width"] == 1200


def test_gps_and_device_metadata_are_removed(media_root):
    result = images.store_image(upload(picture(exif=gps_exif())), stem="x")
    for path in [result.name] + [r["path"] for r in result.renditions.values()]:
        with Image.open(default_storage.path(path)) as stored:
            exif = stored.getexif()
            assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
            assert ExifTags.Base.Make not in exif and ExifTags.Base.Model not in exif
            with open(default_storage.path(path), "rb") as raw:
                assert b"PhoneMaker" not in raw.read()


def test_exif_orientation_is_applied_before_it_is_stripped(media_root):
    # Orientation 6: the camera was turned; the stored picture must stand upright.
    result = images.store_image(upload(picture(size=(600, 400), exif=gps_exif(6))), stem="x")
    with Image.open(default_storage.path(result.name)) as stored:
        assert stored.size == (400, 600)
        assert ExifTags.Base.Orientation not in stored.getexif()


def test_png_with_transparency_stays_png(media_root):
    result = images.store_image(
        upload(picture("PNG", mode="RGBA", size=(100, 100)), "logo.png"), stem="logo"
    )
    with Image.open(default_storage.path(result.name)) as stored:
        assert stored.format == "PNG" and stored.mode == "RGBA"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "a.svg",
         "not a JPEG, PNG or WebP image"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "a.gif", "not a JPEG, PNG or WebP image"),
        (b"%PDF-1.4 not a picture", "a.jpg", "not a JPEG, PNG or WebP image"),
        (b"", "empty.jpg", "not a JPEG, PNG or WebP image"),
    ],
)  # fmt: skip
def test_other_formats_are_refused(media_root, data, name, message):
    with pytest.raises(ValidationError, match=message):
        images.store_image(upload(data, name), stem="x")
    assert files_stored(media_root) == []


def test_wrong_extension_is_refused(media_root):
    with pytest.raises(ValidationError, match=r"ends in \.png but the file is a JPEG image"):
        images.store_image(upload(picture(), "photo.png"), stem="x")
    assert files_stored(media_root) == []


def test_truncated_jpeg_is_refused(media_root):
    data = picture(size=(800, 600))
    with pytest.raises(ValidationError, match="damaged or incomplete"):
        images.store_image(upload(data[: len(data) // 2]), stem="x")
    assert files_stored(media_root) == []


def test_image_over_the_pixel_limit_is_refused_before_decoding(media_root):
    big = picture("PNG", size=(9000, 5000), mode="1")
    with pytest.raises(ValidationError, match="9000 × 5000 pixels; the limit is 40 megapixels"):
        images.store_image(upload(big, "big.png"), stem="x")
    assert files_stored(media_root) == []


def test_decompression_bomb_is_refused_before_decoding(media_root):
    bomb = picture("PNG", size=(20_000, 20_000), mode="1")
    assert len(bomb) < 1_000_000  # a tiny file declaring 400 megapixels
    with pytest.raises(ValidationError, match="more than 178 megapixels; the limit is 40"):
        images.store_image(upload(bomb, "bomb.png"), stem="x")
    assert files_stored(media_root) == []


def test_oversize_message_names_the_real_limit(media_root):
    big = SimpleUploadedFile("big.jpg", b"\xff" * (images.MAX_UPLOAD_BYTES + 1))
    with pytest.raises(ValidationError, match=r"The file is 10\.00 MB, over the limit of 10 MB"):
        images.store_image(big, stem="x")
    assert files_stored(media_root) == []

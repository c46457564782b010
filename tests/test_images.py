import errno
import io
import logging
import os

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageFile

from news import images
from news.models import EditorProfile, FieldOfWork, NewsItem
from structures.models import Structure

from .factories import NewsItemFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def private_root(settings):
    return settings.PRIVATE_MEDIA_ROOT


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


def store(data, name="photo.jpg", stem="x"):
    """What the admin does with an upload: check (decode) it, then store that picture."""
    return images.store_image(images.open_checked(upload(data, name)), stem=stem)


def files_stored(root):
    return [p for p in root.rglob("*") if p.is_file()]


def multi_picture(first=(200, 30, 30), second=(30, 200, 30), size=(1200, 800)):
    """A JPEG with a multi-picture (MPO) header and a second picture, as some phones write."""
    buffer = io.BytesIO()
    Image.new("RGB", size, first).save(
        buffer, "MPO", save_all=True, append_images=[Image.new("RGB", size, second)]
    )
    return buffer.getvalue()


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
    result = store(picture(), stem="Tajik customs")
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
    result = store(picture(exif=gps_exif()))
    for path in [result.name] + [r["path"] for r in result.renditions.values()]:
        with Image.open(default_storage.path(path)) as stored:
            exif = stored.getexif()
            assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
            assert ExifTags.Base.Make not in exif and ExifTags.Base.Model not in exif
            with open(default_storage.path(path), "rb") as raw:
                assert b"PhoneMaker" not in raw.read()


def test_exif_orientation_is_applied_before_it_is_stripped(media_root):
    # Orientation 6: the camera was turned; the stored picture must stand upright.
    result = store(picture(size=(600, 400), exif=gps_exif(6)))
    with Image.open(default_storage.path(result.name)) as stored:
        assert stored.size == (400, 600)
        assert ExifTags.Base.Orientation not in stored.getexif()


def test_png_with_transparency_stays_png(media_root):
    result = store(picture("PNG", mode="RGBA", size=(100, 100)), "logo.png", stem="logo")
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
        (picture("TIFF"), "a.tif", "not a JPEG, PNG or WebP image"),
        (picture("GIF", mode="L"), "a.jpg", "not a JPEG, PNG or WebP image"),
    ],
)  # fmt: skip
def test_other_formats_are_refused(media_root, data, name, message):
    with pytest.raises(ValidationError, match=message):
        store(data, name)
    assert files_stored(media_root) == []


def test_wrong_extension_is_refused(media_root):
    with pytest.raises(ValidationError, match=r"ends in \.png but the file is a JPEG image"):
        store(picture(), "photo.png")
    assert files_stored(media_root) == []


def test_truncated_jpeg_is_refused(media_root):
    data = picture(size=(800, 600))
    with pytest.raises(ValidationError, match="damaged or incomplete"):
        store(data[: len(data) // 2])
    assert files_stored(media_root) == []


def test_image_over_the_pixel_limit_is_refused_before_decoding(media_root):
    big = picture("PNG", size=(9000, 5000), mode="1")
    with pytest.raises(ValidationError, match="9000 × 5000 pixels; the limit is 40 megapixels"):
        store(big, "big.png")
    assert files_stored(media_root) == []


def test_decompression_bomb_is_refused_before_decoding(media_root):
    bomb = picture("PNG", size=(20_000, 20_000), mode="1")
    assert len(bomb) < 1_000_000  # a tiny file declaring 400 megapixels
    with pytest.raises(ValidationError, match="more than 178 megapixels; the limit is 40"):
        store(bomb, "bomb.png")
    assert files_stored(media_root) == []


def test_oversize_message_names_the_real_limit(media_root):
    big = SimpleUploadedFile("big.jpg", b"\xff" * (images.MAX_UPLOAD_BYTES + 1))
    with pytest.raises(ValidationError, match=r"The file is 10\.00 MB, over the limit of 10 MB"):
        images.open_checked(big)
    assert files_stored(media_root) == []


def test_an_upload_is_still_accepted_and_checked_by_store_image(media_root):
    result = images.store_image(upload(picture()), stem="x")
    assert default_storage.exists(result.name)
    with pytest.raises(ValidationError, match="not a JPEG, PNG or WebP image"):
        images.store_image(upload(b"GIF89a"), stem="x")


# --- multi-picture JPEGs (MPO) ------------------------------------------------------------------


def test_multi_picture_jpeg_is_stored_as_its_first_picture_in_plain_jpeg(media_root):
    data = multi_picture(first=(200, 30, 30), second=(30, 200, 30))
    with Image.open(io.BytesIO(data)) as opened:
        assert opened.format == "MPO" and opened.n_frames == 2  # what Pillow makes of it
    result = store(data, "stereo.jpg")
    assert result.name.endswith(".jpg")
    for path in [result.name] + [r["path"] for r in result.renditions.values()]:
        with Image.open(default_storage.path(path)) as stored:
            assert stored.format == "JPEG" and getattr(stored, "n_frames", 1) == 1
            assert "mp" not in stored.info
            red, green, _blue = stored.convert("RGB").getpixel((5, 5))
            assert red > 150 and green < 80  # the first picture, not the second
    assert result.renditions["thumbnail"]["width"] == 320


def test_multi_picture_jpeg_with_another_extension_is_refused_as_a_jpeg(media_root):
    with pytest.raises(ValidationError, match=r"ends in \.png but the file is a JPEG image"):
        store(multi_picture(), "stereo.png")
    assert files_stored(media_root) == []


# --- through the admin --------------------------------------------------------------------------


ADD_URL = "/admin/news/newsitem/add/"


@pytest.fixture
def editor(reference_data):
    user = User.objects.create_user("dushanbe", password="pw", is_staff=True)
    user.groups.set(Group.objects.filter(name="Editor"))
    profile = EditorProfile.objects.create(user=user)
    profile.structures.set([Structure.objects.get(slug="programme-office-in-dushanbe")])
    return user


def add_form(photo):
    """What the admin's add form posts: a draft of the editor's own office, with a photo."""
    from .test_admin import form_data

    return form_data(
        bodies=["programme-office-in-dushanbe"], image=photo, image_alt="Officers in a classroom"
    )


@pytest.fixture
def decodes(monkeypatch):
    """The formats of the pictures Pillow decodes, one entry a decoding."""
    decoded = []
    load = ImageFile.ImageFile.load

    def counting_load(image):
        if image.tile:  # pixels still to decode; a decoded picture has none left
            decoded.append(image.format)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    return decoded


def test_multi_picture_jpeg_uploaded_in_the_admin_is_stored(client, editor, media_root):
    client.force_login(editor)
    photo = SimpleUploadedFile("stereo.jpg", multi_picture(), content_type="image/jpeg")
    response = client.post(ADD_URL, add_form(photo))
    assert response.status_code == 302
    item = NewsItem.objects.get()
    assert item.rendition("thumbnail")["width"] == 320
    with Image.open(media_root / item.image.name) as stored:
        assert stored.format == "JPEG" and getattr(stored, "n_frames", 1) == 1


def test_an_upload_saved_in_the_admin_is_decoded_once(client, editor, media_root, decodes):
    client.force_login(editor)
    photo = SimpleUploadedFile("photo.jpg", picture(), content_type="image/jpeg")
    response = client.post(ADD_URL, add_form(photo))
    assert response.status_code == 302
    assert NewsItem.objects.get().image_renditions
    assert decodes == ["JPEG"]


# --- public and hidden photo files --------------------------------------------------------------


def item_with_photo(color=(200, 30, 30), **fields):
    photo = store(coloured(color))
    return NewsItemFactory(
        image=photo.name, image_alt="A photo", image_renditions=photo.renditions, **fields
    )


def coloured(color):
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 600), color).save(buffer, "JPEG")
    return buffer.getvalue()


def where(names, media_root, private_root):
    """{"public", "private", "both" or "gone"} for the names."""
    places = set()
    for name in names:
        public, private = (media_root / name).is_file(), (private_root / name).is_file()
        places.add(
            {(True, False): "public", (False, True): "private", (True, True): "both"}.get(
                (public, private), "gone"
            )
        )
    return places


@pytest.mark.usefixtures("reference_data")
def test_photo_files_are_the_original_and_every_rendition_in_both_formats():
    item = item_with_photo()
    renditions = item.image_renditions.values()
    assert images.photo_files(item) == (
        {item.image.name} | {r["path"] for r in renditions} | {r["webp"] for r in renditions}
    )
    assert len(images.photo_files(item)) == 7
    assert images.photo_files(NewsItemFactory()) == set()


@pytest.mark.usefixtures("reference_data")
def test_withdrawn_items_photo_leaves_the_public_folder_and_comes_back_when_republished(
    media_root, private_root
):
    item = item_with_photo()
    files = images.photo_files(item)
    item.status = NewsItem.Status.WITHDRAWN
    item.save()
    images.sync_photo_files(item, files)
    assert where(files, media_root, private_root) == {"private"}

    item.status = NewsItem.Status.PUBLISHED
    item.save()
    images.sync_photo_files(item, files)
    assert where(files, media_root, private_root) == {"public"}


@pytest.mark.usefixtures("reference_data")
def test_replaced_photo_goes_private_and_the_new_one_stays_public(media_root, private_root):
    item = item_with_photo((200, 30, 30))
    before = images.photo_files(item)
    replacement = store(coloured((30, 30, 200)))
    item.image, item.image_renditions = replacement.name, replacement.renditions
    item.save()
    images.sync_photo_files(item, before)
    assert where(before, media_root, private_root) == {"private"}
    assert where(images.photo_files(item), media_root, private_root) == {"public"}


@pytest.mark.usefixtures("reference_data")
def test_an_earlier_photo_restored_from_the_history_comes_back(media_root, private_root):
    item = item_with_photo((200, 30, 30))
    first, first_files = (item.image.name, item.image_renditions), images.photo_files(item)
    replacement = store(coloured((30, 30, 200)))
    item.image, item.image_renditions = replacement.name, replacement.renditions
    item.save()
    images.sync_photo_files(item, first_files)
    assert where(first_files, media_root, private_root) == {"private"}

    replaced_files = images.photo_files(item)
    item.image, item.image_renditions = first  # what restoring the earlier revision writes
    item.save()
    images.sync_photo_files(item, replaced_files)
    assert where(first_files, media_root, private_root) == {"public"}
    assert where(replaced_files, media_root, private_root) == {"private"}


@pytest.mark.usefixtures("reference_data")
def test_a_file_another_live_item_uses_stays_public(media_root, private_root):
    item = item_with_photo()
    other = NewsItemFactory(
        image=item.image.name, image_alt="Same photo", image_renditions=item.image_renditions
    )
    files = images.photo_files(item)
    item.status = NewsItem.Status.WITHDRAWN
    item.save()
    images.sync_photo_files(item, files)
    assert where(files, media_root, private_root) == {"public"}

    other.status = NewsItem.Status.WITHDRAWN
    other.save()
    images.sync_photo_files(other, files)
    assert where(files, media_root, private_root) == {"private"}


@pytest.mark.usefixtures("reference_data")
def test_files_of_a_deleted_item_are_hidden(media_root, private_root):
    item = item_with_photo()
    files = images.photo_files(item)
    item.delete()
    images.hide_files(files)
    assert where(files, media_root, private_root) == {"private"}


@pytest.mark.usefixtures("reference_data")
def test_hiding_and_revealing_twice_changes_nothing_more(media_root, private_root):
    files = images.photo_files(item_with_photo(status=NewsItem.Status.WITHDRAWN))
    images.hide_files(files)
    images.hide_files(files)
    assert where(files, media_root, private_root) == {"private"}
    images.reveal_files(files)
    images.reveal_files(files)
    assert where(files, media_root, private_root) == {"public"}


@pytest.mark.usefixtures("reference_data")
def test_a_missing_file_is_skipped_with_a_warning(media_root, private_root, caplog):
    item = item_with_photo(status=NewsItem.Status.WITHDRAWN)
    files = images.photo_files(item)
    os.remove(media_root / item.image.name)
    with caplog.at_level(logging.WARNING, logger="news.images"):
        images.hide_files(files)
    assert f"Photo file {item.image.name} is in neither media folder" in caplog.text
    assert where(files - {item.image.name}, media_root, private_root) == {"private"}
    images.reveal_files(files)
    assert where(files - {item.image.name}, media_root, private_root) == {"public"}


@pytest.mark.usefixtures("reference_data")
def test_a_hidden_name_is_never_given_to_a_new_file(media_root, private_root):
    first = store(coloured((200, 30, 30)))
    images.hide_files({first.name})
    again = store(coloured((200, 30, 30)))  # the same photo: the same name, were it free
    assert again.name != first.name
    images.reveal_files({first.name})
    assert where({first.name, again.name}, media_root, private_root) == {"public"}


@pytest.mark.usefixtures("reference_data")
def test_files_move_between_filesystems_by_copying(media_root, private_root, monkeypatch):
    files = images.photo_files(item_with_photo(status=NewsItem.Status.WITHDRAWN))
    replace = os.replace

    def across_devices(source, target):
        if os.path.commonpath([source, target]) == str(media_root.parent):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        replace(source, target)

    monkeypatch.setattr(os, "replace", across_devices)
    images.hide_files(files)
    assert where(files, media_root, private_root) == {"private"}
    assert not [p for p in private_root.rglob("*") if p.name.endswith(".partial")]
    images.reveal_files(files)
    assert where(files, media_root, private_root) == {"public"}


@pytest.mark.parametrize(
    "name", ["../outside.jpg", "news/../../outside.jpg", "/etc/passwd", "news/\x00.jpg"]
)
def test_names_that_leave_the_media_folders_are_refused(name, media_root, tmp_path, db):
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(b"not for the public")
    for move in (images.hide_files, images.reveal_files):
        with pytest.raises(SuspiciousFileOperation):
            move({name})
    assert outside.read_bytes() == b"not for the public"
    assert files_stored(tmp_path) == [outside]


# --- the same rule through every door of the back office ----------------------------------------


@pytest.fixture
def publisher(reference_data):
    from .test_admin import make_editor

    return make_editor("publisher", bodies=["programme-office-in-dushanbe"], groups=("Publisher",))


def dushanbe_item_with_photo(color=(200, 30, 30), **fields):
    from .test_admin import structure

    return item_with_photo(
        color,
        issued_by=[structure("programme-office-in-dushanbe")],
        fields_of_work=[FieldOfWork.objects.get(slug="border-management")],
        **fields,
    )


def posted(item, **overrides):
    from .test_admin import form_data

    return form_data(item, **{"status": item.status, "image_alt": "A photo", **overrides})


def test_withdrawing_and_publishing_again_in_the_admin_move_the_photo(
    client, publisher, media_root, private_root, django_capture_on_commit_callbacks
):
    item = dushanbe_item_with_photo()
    files = images.photo_files(item)
    client.force_login(publisher)
    with django_capture_on_commit_callbacks(execute=True):
        data = posted(item, status="withdrawn", withdrawn_reason="Wrong date")
        assert client.post(f"/admin/news/newsitem/{item.pk}/change/", data).status_code == 302
    assert where(files, media_root, private_root) == {"private"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/news/newsitem/", {"action": "publish_selected", "_selected_action": [item.pk]}
        )
    item.refresh_from_db()
    assert item.status == "published"
    assert where(files, media_root, private_root) == {"public"}


def test_a_photo_replaced_in_the_admin_leaves_public_reach(
    client, publisher, media_root, private_root, django_capture_on_commit_callbacks
):
    item = dushanbe_item_with_photo()
    old = images.photo_files(item)
    client.force_login(publisher)
    new_photo = SimpleUploadedFile("new.jpg", coloured((10, 90, 160)), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/news/newsitem/{item.pk}/change/", posted(item, image=new_photo)
        )
    assert response.status_code == 302
    item.refresh_from_db()
    assert where(old, media_root, private_root) == {"private"}
    assert where(images.photo_files(item), media_root, private_root) == {"public"}


def test_deleting_in_the_admin_hides_the_photo(
    client, publisher, media_root, private_root, django_capture_on_commit_callbacks
):
    item = dushanbe_item_with_photo(status="draft")
    files = images.photo_files(item)
    client.force_login(publisher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/news/newsitem/{item.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert where(files, media_root, private_root) == {"private"}


def test_restoring_an_earlier_version_in_the_admin_brings_its_photo_back(
    client, publisher, media_root, private_root, django_capture_on_commit_callbacks
):
    import reversion
    from reversion.models import Version

    item = dushanbe_item_with_photo()
    with reversion.create_revision():
        item.save()
    first, first_files = Version.objects.get_for_object(item).get(), images.photo_files(item)
    client.force_login(publisher)
    new_photo = SimpleUploadedFile("new.jpg", coloured((10, 90, 160)), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/news/newsitem/{item.pk}/change/", posted(item, image=new_photo))
    item.refresh_from_db()
    second_files = images.photo_files(item)
    assert where(first_files, media_root, private_root) == {"private"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/news/newsitem/{item.pk}/history/{first.pk}/", posted(item))
    assert response.status_code == 302
    item.refresh_from_db()
    assert images.photo_files(item) == first_files
    assert where(first_files, media_root, private_root) == {"public"}
    assert where(second_files, media_root, private_root) == {"private"}

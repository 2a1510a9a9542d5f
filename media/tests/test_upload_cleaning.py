"""An upload is judged by its content and re-encoded: what a browser gets holds pixels, not secrets."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image as PILImage

from media.models import Image
from media.processing import Refused

from . import images

pytestmark = pytest.mark.django_db


def stored_bytes(name):
    with default_storage.open(name, "rb") as stored:
        return stored.read()


def test_it_strips_gps_serial_and_owner_and_turns_the_photo_upright(author):
    image = Image.objects.create_from_upload(
        images.upload(images.jpeg_with_gps_turned_sideways()), author, alt="A red and blue card"
    )

    data = stored_bytes(image.file.name)
    with PILImage.open(io.BytesIO(data)) as cleaned:
        assert cleaned.format == "JPEG"
        assert cleaned.size == (40, 80)  # stored 80x40 sideways: upright it is portrait
        assert (image.width, image.height) == (40, 80)
        assert not cleaned.getexif()  # no EXIF at all: no GPS, serial, owner, orientation
        assert "icc_profile" in cleaned.info  # the colour profile is kept
        red, _, blue = cleaned.convert("RGB").getpixel((30, 10))  # turned clockwise: red is top right
        assert red > 200 and blue < 60
    for secret in (images.SERIAL.encode(), images.OWNER.encode(), b"Blogsite Camera"):
        assert secret not in data


def test_it_stores_a_png_named_jpg_as_png(author):
    image = Image.objects.create_from_upload(
        images.upload(images.png(), name="holiday.jpg", content_type="image/jpeg"), author, alt="A card"
    )

    assert image.content_type == "image/png"
    assert image.file.name.endswith(".png")
    assert stored_bytes(image.file.name).startswith(b"\x89PNG")
    assert image.original_name == "holiday.jpg"


@pytest.mark.parametrize(
    ("content", "name", "status", "message"),
    [
        (b"just some words, not a picture\n", "notes.png", 415, "not an image we accept"),
        (images.svg_with_script(), "logo.svg", 415, "not an image we accept"),
        (b"", "empty.jpg", 400, "The file is empty."),
        (images.png_claiming_size(50_000, 50_000), "bomb.png", 400, "too many pixels"),
        (images.png_claiming_size(8_000, 8_000), "big.png", 400, "at most 30 megapixels"),
    ],
)
def test_it_refuses_what_is_not_an_accepted_image(author, content, name, status, message):
    with pytest.raises(Refused) as refused:
        Image.objects.create_from_upload(images.upload(content, name=name), author, alt="Something")

    assert refused.value.status == status
    assert message in refused.value.message
    assert not Image.objects.exists()
    assert not default_storage.listdir("")[1]


def test_it_makes_renditions_never_wider_than_the_original(author):
    image = Image.objects.create_from_upload(images.upload(images.jpeg(1200, 800)), author, alt="Wide")

    image.refresh_from_db()
    assert image.status == Image.Status.READY
    found = sorted((r.content_type, r.width, r.height) for r in image.renditions.all())
    assert found == [
        ("image/jpeg", 480, 320),
        ("image/jpeg", 960, 640),
        ("image/webp", 480, 320),
        ("image/webp", 960, 640),
    ]
    for rendition in image.renditions.all():
        with PILImage.open(io.BytesIO(stored_bytes(rendition.file.name))) as stored:
            assert stored.size == (rendition.width, rendition.height)
            assert stored.get_format_mimetype() == rendition.content_type


def test_it_names_files_by_their_content_so_the_same_picture_is_stored_once(author, editor):
    first = Image.objects.create_from_upload(images.upload(images.jpeg(600, 400)), author, alt="One")
    second = Image.objects.create_from_upload(images.upload(images.jpeg(600, 400)), editor, alt="Two")

    assert first.file.name == second.file.name
    assert first.file.name.startswith("images/") and len(first.file.name) == len("images/") + 32 + 4
    first.delete()
    assert default_storage.exists(second.file.name)  # still used by the other image
    second.delete()
    assert not default_storage.exists(second.file.name)


def test_it_keeps_an_animated_gif_animated_without_renditions(author):
    image = Image.objects.create_from_upload(
        images.upload(images.animated_gif(), name="a.gif"), author, alt="Moving"
    )

    image.refresh_from_db()
    assert image.status == Image.Status.READY and not image.renditions.exists()
    with PILImage.open(io.BytesIO(stored_bytes(image.file.name))) as stored:
        assert stored.format == "GIF" and stored.n_frames == 2


def test_it_asks_for_a_description_unless_the_image_is_decorative(author):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        Image.objects.create_from_upload(images.upload(images.jpeg()), author, alt="  ")
    assert "alt" in error.value.message_dict

    image = Image.objects.create_from_upload(images.upload(images.jpeg()), author, decorative=True)
    assert image.decorative and image.alt == ""

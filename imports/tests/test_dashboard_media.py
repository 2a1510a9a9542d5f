"""An admin uploads the old blog's images, as one zip, with a dashboard import."""

import io
import json
import stat
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from imports import archives
from imports.models import Run
from imports.tests import samples
from media.models import Image
from media.tests.images import jpeg, png
from posts.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def admin(admin_user, client):
    client.force_login(admin_user)
    return client


def a_zip(files: dict[str, bytes], *, links=(), compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def upload(client, export: bytes, media: bytes | None, *, kind="wordpress", name="site.xml"):
    data = {"kind": kind, "file": SimpleUploadedFile(name, export)}
    if media is not None:
        data["media"] = SimpleUploadedFile("images.zip", media, content_type="application/zip")
    return client.post("/dashboard/import/", data, follow=True)


def refused(response) -> str:
    """The images field's error on the form, which the admin sees instead of a started run."""
    assert response.status_code == 200
    assert not Run.objects.exists()
    return " ".join(response.context["form"].errors.get("media", []))


def test_a_wordpress_import_takes_its_images_from_a_zip_of_the_uploads_folder(admin):
    media = a_zip({"wp-content/uploads/2023/05/lake.jpg": jpeg(120, 90), "wp-content/uploads/": b""})
    response = upload(admin, samples.wordpress_blog().encode(), media)
    run = Run.objects.get()
    assert run.state == "done", run.report
    image = Image.objects.get()
    assert (image.original_name, image.alt, image.width) == ("lake.jpg", "The lake at dawn", 120)
    post = Post.objects.get(slug="grusse-aus-zurich")
    assert post.cover == image
    assert f"![The lake at dawn]({image.get_absolute_url()})" in post.body
    assert "created   image  “lake.jpg”" in response.content.decode()
    assert not run.file and not run.media  # neither upload is kept once read


def test_a_ghost_import_takes_its_images_from_a_zip_of_content_images(admin):
    media = a_zip({"content/images/2023/05/lake.jpg": png(80, 60)})
    upload(admin, json.dumps(samples.ghost_blog()).encode(), media, kind="ghost", name="ghost.json")
    run = Run.objects.get()
    assert run.state == "done", run.report
    assert Post.objects.get(slug="grusse-aus-zurich").cover == Image.objects.get()


def test_a_blogsite_archive_made_with_media_is_the_export_itself(admin, author, make_post, tmp_path):
    image = Image.objects.create_from_upload(SimpleUploadedFile("boat.png", png(40, 30)), author, alt="Boat")
    make_post(author, "With a boat", body=f"![Boat]({image.get_absolute_url()})")
    archive = tmp_path / "blog.zip"
    call_command("export_blog", "-o", str(archive), "--with-media")
    Post.objects.all().delete()
    Image.objects.all().delete()
    upload(admin, archive.read_bytes(), None, kind="blogsite", name="blog.zip")
    run = Run.objects.get()
    assert run.state == "done", run.report
    restored = Image.objects.get()
    assert restored.alt == "Boat"
    assert restored.get_absolute_url() in Post.objects.get(slug="with-a-boat").body


def test_a_blogsite_export_takes_no_separate_images_file(admin):
    media = a_zip({"2023/05/lake.jpg": jpeg()})
    assert "upload the .zip that export_blog --with-media made" in refused(
        upload(admin, b"{}", media, kind="blogsite", name="blog.json")
    )


def test_a_file_that_is_not_a_zip_is_refused(admin):
    assert "not a zip archive" in refused(upload(admin, samples.wordpress_blog().encode(), jpeg()))


def test_an_archive_larger_than_the_limit_is_refused(admin, settings):
    settings.BLOG_IMPORT_MEDIA_MAX_BYTES = 1000
    media = a_zip({"2023/05/lake.jpg": jpeg(200, 150)}, compression=zipfile.ZIP_STORED)
    assert "larger than" in refused(upload(admin, samples.wordpress_blog().encode(), media))


def test_an_archive_that_unpacks_to_more_than_the_limit_is_refused(admin, settings):
    settings.BLOG_IMPORT_MEDIA_MAX_BYTES = 1_000_000
    # A zip bomb in small: 20 kB of zip that would unpack to 4 MB.
    media = a_zip({f"2023/05/{n}.jpg": b"\0" * 1_000_000 for n in range(4)})
    assert len(media) < 20_000
    assert "unpacks to more than" in refused(upload(admin, samples.wordpress_blog().encode(), media))


@pytest.mark.parametrize("name", ["../../evil.jpg", "/etc/evil.jpg", "2023/../../evil.jpg", "C:/evil.jpg"])
def test_an_archive_naming_a_path_outside_its_folder_is_refused(admin, name):
    media = a_zip({"2023/05/lake.jpg": jpeg(), name: jpeg()})
    assert "outside its own folder" in refused(upload(admin, samples.wordpress_blog().encode(), media))


def test_an_archive_holding_a_link_is_refused(admin):
    media = a_zip({"2023/05/lake.jpg": jpeg()}, links=["2023/05/passwd.jpg"])
    assert "holds a link" in refused(upload(admin, samples.wordpress_blog().encode(), media))


def test_an_archive_with_too_many_entries_is_refused(admin, monkeypatch):
    monkeypatch.setattr(archives, "MAX_MEMBERS", 3)
    media = a_zip({f"2023/05/{n}.jpg": b"x" for n in range(4)})
    assert "4 entries; at most 3" in refused(upload(admin, samples.wordpress_blog().encode(), media))


def test_an_image_larger_than_the_library_takes_is_left_packed(admin, settings):
    settings.BLOG_MEDIA_MAX_BYTES = 2_000
    media = a_zip({"2023/05/lake.jpg": jpeg(400, 300) + b"\0" * 5_000}, compression=zipfile.ZIP_STORED)
    upload(admin, samples.wordpress_blog().encode(), media)
    run = Run.objects.get()
    assert run.state == "done", run.report
    assert not Image.objects.exists()
    assert "image lake.jpg stays at its old address: its file is not in" in run.report


def test_a_damaged_archive_fails_the_run_and_imports_nothing(admin, tmp_path):
    data = bytearray(a_zip({"2023/05/lake.jpg": jpeg(60, 40)}, compression=zipfile.ZIP_STORED))
    data[100] ^= 0xFF  # a byte of the picture: its checksum no longer matches
    upload(admin, samples.wordpress_blog().encode(), bytes(data))
    run = Run.objects.get()
    assert run.state == "failed"
    assert "The images archive is damaged" in run.report and "Nothing was imported." in run.report
    assert not Post.objects.exists()
    assert not run.file and not run.media


def test_the_import_page_offers_the_images_field(admin):
    page = admin.get("/dashboard/import/").content.decode()
    assert 'type="file" name="media"' in page
    assert "wp-content/uploads" in page

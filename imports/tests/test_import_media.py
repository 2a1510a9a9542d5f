"""Images of an imported blog come into the media library from a copy of its uploads folder."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from imports.tests import samples
from media.models import Image
from media.tests.images import jpeg, png
from posts.models import Post


@pytest.fixture
def uploads(tmp_path):
    """A copy of wp-content/uploads holding the sample blog's one attachment."""
    folder = tmp_path / "uploads"
    (folder / "2023" / "05").mkdir(parents=True)
    (folder / "2023" / "05" / "lake.jpg").write_bytes(jpeg(120, 90))
    return folder


def run(command, path, *args):
    out = StringIO()
    try:
        call_command(command, str(path), *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


@pytest.mark.django_db
def test_attachments_and_body_images_become_one_library_image(wxr_file, uploads, client):
    out, error = run("import_wordpress", wxr_file(), "--media-dir", str(uploads))
    assert error is None, out
    image = Image.objects.get()  # lake.jpg, lake-1024x768.jpg and lake-300x225.jpg are one picture
    assert (image.alt, image.owner.username, image.width) == ("The lake at dawn", "mara", 120)
    assert "  created   image  “lake.jpg”" in out
    post = Post.objects.get(slug="grusse-aus-zurich")
    assert post.cover == image
    assert f"![The lake at dawn]({image.get_absolute_url()})" in post.body
    assert "wp-content" not in post.body
    classic = Post.objects.get(slug="classic-post")
    assert classic.body.count(image.get_absolute_url()) == 2  # the [caption] and the [gallery]
    response = client.get("/2023/05/01/grusse-aus-zurich/lake/")  # the attachment page
    assert (response.status_code, response["Location"]) == (301, image.get_absolute_url())


@pytest.mark.django_db
def test_running_again_with_images_brings_nothing_in_twice(wxr_file, uploads):
    path = wxr_file()
    run("import_wordpress", path, "--media-dir", str(uploads))
    out, _ = run("import_wordpress", path, "--media-dir", str(uploads))
    assert Image.objects.count() == 1
    assert "created" not in out.split("\n", 2)[-1].replace("0 created", "")


@pytest.mark.django_db
def test_an_import_without_images_then_with_them_updates_the_posts(wxr_file, uploads):
    path = wxr_file()
    run("import_wordpress", path)
    assert "wp-content" in Post.objects.get(slug="classic-post").body
    out, _ = run("import_wordpress", path, "--media-dir", str(uploads))
    assert "wp-content" not in Post.objects.get(slug="classic-post").body
    assert "  updated   post   “Classic post”: changed body" in out


@pytest.mark.django_db
def test_a_missing_file_leaves_the_image_at_its_old_address_and_says_so(wxr_file, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    out, error = run("import_wordpress", wxr_file(), "--media-dir", str(empty))
    assert error is None
    assert Image.objects.count() == 0
    assert f"image lake.jpg stays at its old address: its file is not in {empty}" in out
    assert "wp-content/uploads/2023/05/lake" in Post.objects.get(slug="classic-post").body


@pytest.mark.django_db
def test_a_file_that_is_not_an_image_is_refused_by_the_library(wxr_file, uploads):
    (uploads / "2023" / "05" / "lake.jpg").write_bytes(b"<?php echo 'not a picture'; ?>")
    out, error = run("import_wordpress", wxr_file(), "--media-dir", str(uploads))
    assert error is None
    assert Image.objects.count() == 0
    assert "image lake.jpg stays at its old address:" in out


@pytest.mark.django_db
def test_a_dry_run_says_which_images_it_would_bring_in_and_stores_none(wxr_file, uploads, settings):
    out, _ = run("import_wordpress", wxr_file(), "--media-dir", str(uploads), "--dry-run")
    assert "  created   image  “lake.jpg”: would come into the media library" in out
    assert Image.objects.count() == 0
    assert not list((settings.MEDIA_ROOT).rglob("*.jpg"))


@pytest.mark.django_db
def test_ghost_images_come_from_content_images(ghost_file, tmp_path):
    folder = tmp_path / "images"
    (folder / "2023" / "05").mkdir(parents=True)
    (folder / "2023" / "05" / "lake.jpg").write_bytes(png(80, 60))
    out, error = run("import_ghost", ghost_file(), "--media-dir", str(folder))
    assert error is None, out
    image = Image.objects.get()
    post = Post.objects.get(slug="grusse-aus-zurich")
    assert post.cover == image
    assert f"![The lake]({image.get_absolute_url()})" in post.body


def test_a_media_dir_that_does_not_exist_is_refused(wxr_file, tmp_path):
    _, error = run("import_wordpress", wxr_file(), "--media-dir", str(tmp_path / "nope"))
    assert error == f"--media-dir {tmp_path / 'nope'}: there is no such folder."


@pytest.mark.django_db
def test_a_path_in_the_export_cannot_reach_outside_the_media_dir(tmp_path, wxr_file, uploads):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(jpeg())
    text = samples.wordpress_blog().replace("2023/05/lake.jpg]]", "../secret.jpg]]")
    run("import_wordpress", wxr_file(text), "--media-dir", str(uploads))
    assert list(Image.objects.values_list("original_name", flat=True)) == ["lake.jpg"]  # found by its URL

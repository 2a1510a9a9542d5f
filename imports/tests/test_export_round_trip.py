import json
import zipfile
from datetime import timedelta
from io import StringIO
from pathlib import Path

import jsonschema_rs
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from imports.models import ImportedItem
from media.models import Image
from media.tests.images import jpeg
from posts.models import Post, Revision, Tag
from posts.services import post_save

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "export-format.schema.json").read_text())


@pytest.fixture
def blog(author, editor, make_post):
    """A small blog with every kind of post, revisions by two people, and a Unicode title."""
    post = make_post(
        author, "Grüße aus Zürich — 日本語も", body="# Hi\n\n```python\nx = 1\n```", tags=["Travel"]
    )
    post_save(
        by=editor, post=post, title=post.title, body=post.body + "\n\nEdited.", tags=["Travel", "Python"]
    )
    make_post(author, "A draft", status=Post.Status.DRAFT)
    make_post(author, "In review", status=Post.Status.REVIEW)
    make_post(author, "Scheduled", published_at=timezone.now() + timedelta(days=3))
    make_post(editor, "A draft")  # a second title like the first: slug a-draft-2
    return post


def export(*args) -> str:
    out = StringIO()
    call_command("export_blog", *args, stdout=out)
    return out.getvalue()


def counts():
    return (Post.objects.count(), Revision.objects.count(), User.objects.count(), Tag.objects.count())


def empty_the_site():
    Revision.objects.all().delete()
    Post.objects.all().delete()
    Image.objects.all().delete()
    Tag.objects.all().delete()
    ImportedItem.objects.all().delete()
    User.objects.all().delete()


@pytest.mark.django_db
def test_export_then_import_into_an_empty_site_then_export_gives_the_same_file(blog, tmp_path, capsys):
    path = tmp_path / "blog.json"
    call_command("export_blog", "-o", str(path))
    first = path.read_text()
    empty_the_site()
    out = StringIO()
    call_command("import_blog", str(path), stdout=out)
    assert (
        "Blogsite import of blog.json: 7 created, 0 updated, 0 unchanged, 0 skipped, 0 failed"
        in out.getvalue()
    )
    call_command("export_blog", "-o", str(path))
    assert path.read_text() == first


@pytest.mark.django_db
def test_the_export_follows_its_schema_and_has_no_password_hashes(blog, tmp_path):
    path = tmp_path / "blog.json"
    call_command("export_blog", "-o", str(path))
    document = json.loads(path.read_text())
    errors = [e.message for e in jsonschema_rs.Draft202012Validator(SCHEMA).iter_errors(document)]
    assert errors == []
    assert "password" not in path.read_text()
    post = next(p for p in document["posts"] if p["slug"] == blog.slug)
    assert post["tags"] == ["python", "travel"]
    assert [(r["number"], r["created_by"]) for r in post["revisions"]] == [(1, "edith")]
    assert [p["slug"] for p in document["posts"]] == sorted(p["slug"] for p in document["posts"])


@pytest.mark.django_db
def test_importing_the_same_export_again_writes_nothing_new(blog, tmp_path):
    path = tmp_path / "blog.json"
    call_command("export_blog", "-o", str(path))
    empty_the_site()
    call_command("import_blog", str(path), stdout=StringIO())
    before = counts()
    out = StringIO()
    call_command("import_blog", str(path), stdout=out)
    assert "0 created, 0 updated, 7 unchanged" in out.getvalue()
    assert (
        Post.objects.count(),
        Revision.objects.count(),
        User.objects.count(),
        Tag.objects.count(),
    ) == before


@pytest.mark.django_db
def test_a_dry_run_writes_nothing(blog, tmp_path):
    path = tmp_path / "blog.json"
    call_command("export_blog", "-o", str(path))
    empty_the_site()
    out = StringIO()
    call_command("import_blog", str(path), "--dry-run", stdout=out)
    assert "7 created" in out.getvalue() and "(dry run: nothing was written)" in out.getvalue()
    assert (Post.objects.count(), User.objects.count(), Tag.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": "something-else", "version": 1, "posts": []}', "not a Blogsite export"),
        ('{"format": "blogsite-export", "version": 9, "posts": []}', "format version 9"),
        ('{"format": "blogsite-export", "version": 1, "posts": [{"slug"', "truncated"),
    ],
)
def test_a_file_that_is_not_our_export_is_refused_and_nothing_is_written(tmp_path, text, message, author):
    path = tmp_path / "x.json"
    path.write_text(text)
    with pytest.raises(CommandError, match=message):
        call_command("import_blog", str(path), stdout=StringIO())
    assert Post.objects.count() == 0


@pytest.mark.django_db
def test_without_a_file_the_export_goes_to_standard_output(blog):
    document = json.loads(export())
    assert document["format"] == "blogsite-export"
    assert len(document["posts"]) == 5


@pytest.fixture
def pictured(author):
    image = Image.objects.create_from_upload(
        SimpleUploadedFile("lake.jpg", jpeg(90, 60)), author, alt="The lake"
    )
    post = Post(
        title="With a picture", body=f"![The lake]({image.get_absolute_url()})", author=author, cover=image
    )
    post.publish()
    return image


@pytest.mark.django_db
def test_an_archive_made_with_media_brings_the_images_back(pictured, tmp_path):
    path = tmp_path / "blog.zip"
    call_command("export_blog", "-o", str(path), "--with-media", stdout=StringIO(), stderr=StringIO())
    with zipfile.ZipFile(path) as archive:
        document = json.loads(archive.read("blog.json"))
        assert archive.read(pictured.file.name)  # the image file itself travels in the archive
    assert [e.message for e in jsonschema_rs.Draft202012Validator(SCHEMA).iter_errors(document)] == []
    assert document["media"][0] | {"created_at": None} == {
        "file": pictured.file.name,
        "original_name": "lake.jpg",
        "alt": "The lake",
        "decorative": False,
        "owner": "asha",
        "content_type": "image/jpeg",
        "width": 90,
        "height": 60,
        "bytes": pictured.bytes,
        "created_at": None,
    }
    empty_the_site()
    out = StringIO()
    call_command("import_blog", str(path), stdout=out)
    restored, post = Image.objects.get(), Post.objects.get()
    assert (restored.alt, restored.owner.username, post.cover) == ("The lake", "asha", restored)
    assert f"![The lake]({restored.get_absolute_url()})" in post.body
    assert "  created   image  “lake.jpg”" in out.getvalue()


@pytest.mark.django_db
def test_a_plain_export_says_its_images_stay_behind(pictured, tmp_path):
    path = tmp_path / "blog.json"
    call_command("export_blog", "-o", str(path), stderr=StringIO())
    empty_the_site()
    out = StringIO()
    call_command("import_blog", str(path), stdout=out)
    assert "“lake.jpg”: its file is not in this export (export it --with-media)" in out.getvalue()
    assert Post.objects.get().cover is None


def test_an_archive_needs_a_file_name(db):
    with pytest.raises(CommandError, match="name it with -o"):
        call_command("export_blog", "--with-media", stdout=StringIO())


@pytest.mark.django_db
@pytest.mark.parametrize("damage", ["cut short", "not an image"])
def test_a_damaged_image_in_an_archive_is_reported_and_the_post_still_comes_in(pictured, tmp_path, damage):
    path, damaged = tmp_path / "blog.zip", tmp_path / "damaged.zip"
    call_command("export_blog", "-o", str(path), "--with-media", stdout=StringIO(), stderr=StringIO())
    with zipfile.ZipFile(path) as archive, zipfile.ZipFile(damaged, "w") as copy:
        for entry in archive.infolist():
            data = archive.read(entry)
            if entry.filename == pictured.file.name:
                data = data[: len(data) // 3] if damage == "cut short" else b"%PDF-1.7 not a picture"
            copy.writestr(entry, data)
    empty_the_site()
    out = StringIO()
    with pytest.raises(CommandError):  # an item failed: the exit status says so
        call_command("import_blog", str(damaged), stdout=out)
    assert "  failed    image  “lake.jpg”: " in out.getvalue()
    post = Post.objects.get()
    assert (post.title, post.cover, Image.objects.count()) == ("With a picture", None, 0)


@pytest.mark.django_db
def test_an_image_whose_bytes_the_archive_no_longer_matches_is_reported(pictured, tmp_path):
    path = tmp_path / "blog.zip"
    call_command("export_blog", "-o", str(path), "--with-media", stdout=StringIO(), stderr=StringIO())
    with zipfile.ZipFile(path) as archive:
        entry = archive.getinfo(pictured.file.name)
    raw = bytearray(path.read_bytes())
    start = entry.header_offset + 30 + len(entry.filename.encode()) + len(entry.extra)
    raw[start + entry.compress_size // 2] ^= 0xFF  # one byte flipped: its checksum no longer matches
    path.write_bytes(bytes(raw))
    empty_the_site()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_blog", str(path), stdout=out)
    assert "  failed    image  “lake.jpg”: " in out.getvalue()
    assert (Post.objects.get().cover, Image.objects.count()) == (None, 0)


@pytest.mark.django_db
def test_an_image_larger_than_an_upload_may_be_is_reported_not_unpacked(pictured, tmp_path, settings):
    path = tmp_path / "blog.zip"
    call_command("export_blog", "-o", str(path), "--with-media", stdout=StringIO(), stderr=StringIO())
    empty_the_site()
    settings.BLOG_MEDIA_MAX_BYTES = 100
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_blog", str(path), stdout=out)
    assert f"  failed    image  “lake.jpg”: its file is {pictured.bytes:,} bytes; an image may have 100" in (
        out.getvalue()
    )

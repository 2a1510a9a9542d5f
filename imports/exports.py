"""Blogsite's own export: the whole blog as one versioned JSON document (docs/export-format.schema.json).

Written as a stream, one user, tag or post at a time, so memory does not grow with the blog;
every list is in a fixed order and nothing in it depends on the moment or the machine, so
exporting, importing into an empty site and exporting again gives the same bytes.
"""

import json
import zipfile
from collections.abc import Iterator

from django.core.files.storage import default_storage
from django.db.models import Prefetch

from accounts.models import User
from media.models import Image
from posts.models import Post, Revision, Tag

FORMAT = "blogsite-export"
VERSION = 1
ARCHIVE_DOCUMENT = "blog.json"  # the document's name inside an archive made --with-media


def _dt(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def user_record(user: User) -> dict:
    """A user as exported: never the password hash, so an export can be shared with the host."""
    return {
        "username": user.username,
        "email": user.email,
        "display_name": user.display_name,
        "bio": user.bio,
        "role": user.role,
        "is_active": user.is_active,
        "date_joined": _dt(user.date_joined),
    }


def post_record(post: Post, revisions: list[Revision]) -> dict:
    return {
        "slug": post.slug,
        "title": post.title,
        "author": post.author.username,
        "status": post.status,
        "published_at": _dt(post.published_at),
        "created_at": _dt(post.created_at),
        "updated_at": _dt(post.updated_at),
        "excerpt": post.excerpt,
        "body": post.body,
        "tags": sorted(tag.slug for tag in post.tags.all()),
        "cover": post.cover.file.name if post.cover_id else None,
        "revisions": [
            {
                "number": r.number,
                "title": r.title,
                "body": r.body,
                "excerpt": r.excerpt,
                "tags": r.tags,
                "created_by": r.created_by.username if r.created_by else None,
                "created_at": _dt(r.created_at),
                "note": r.note,
                "is_autosave": r.is_autosave,
            }
            for r in revisions
        ],
    }


def image_record(image: Image) -> dict:
    """An image's metadata; its file travels beside the document in an archive made --with-media."""
    return {
        "file": image.file.name,
        "original_name": image.original_name,
        "alt": image.alt,
        "decorative": image.decorative,
        "owner": image.owner.username,
        "content_type": image.content_type,
        "width": image.width,
        "height": image.height,
        "bytes": image.bytes,
        "created_at": _dt(image.created_at),
    }


def export_lines() -> Iterator[str]:
    """The export document, piece by piece: one line per user, tag and post."""
    yield f'{{"format":"{FORMAT}","version":{VERSION},\n"users":[\n'
    yield from _joined(_dumps(user_record(u)) for u in User.objects.order_by("username").iterator())
    yield '],\n"tags":[\n'
    tags = Tag.objects.order_by("slug").values("name", "slug")
    yield from _joined(_dumps(dict(t)) for t in tags.iterator())
    yield '],\n"posts":[\n'
    posts = (
        Post.objects.select_related("author", "cover")
        .prefetch_related(
            "tags",
            Prefetch("revisions", queryset=Revision.objects.select_related("created_by").order_by("number")),
        )
        .order_by("slug")
    )
    yield from _joined(
        _dumps(post_record(p, list(p.revisions.all()))) for p in posts.iterator(chunk_size=200)
    )
    yield '],\n"media":[\n'
    images = Image.objects.select_related("owner").order_by("file")
    yield from _joined(_dumps(image_record(image)) for image in images.iterator(chunk_size=200))
    yield "]}\n"


def write_archive(target) -> None:
    """The export and every library image's file in one zip archive (``target``: a path or file)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(ARCHIVE_DOCUMENT, "w") as document:
            for line in export_lines():
                document.write(line.encode())
        for name in Image.objects.order_by("file").values_list("file", flat=True).iterator():
            with default_storage.open(name, "rb") as source, archive.open(name, "w") as copy:
                while chunk := source.read(1024 * 1024):
                    copy.write(chunk)


def _joined(items) -> Iterator[str]:
    first = True
    for item in items:
        yield item if first else ",\n" + item
        first = False
    if not first:
        yield "\n"

"""What every reader yields: one blog's authors, images and posts, in our own terms.

The WordPress and Ghost readers turn their platform's fields into these; the import service
only ever sees these, so a mapping rule (``pending`` means "in review") lives in one reader.
"""

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit


class ImportFileError(Exception):
    """The file as a whole cannot be read (not an export, truncated, unsafe): nothing is written."""


@dataclass
class SourceAuthor:
    source_id: str
    username: str
    email: str = ""
    display_name: str = ""
    bio: str = ""


@dataclass
class SourceImage:
    """An image the old blog stored: where its file is, relative to the uploads folder, and its URL."""

    source_id: str
    url: str
    path: str  # relative to the old blog's uploads folder (what --media-dir points at)
    title: str = ""
    alt_text: str = ""
    old_urls: list[str] = field(default_factory=list)  # e.g. WordPress's attachment page
    author_id: str = ""  # a SourceAuthor.source_id: who uploaded it


@dataclass
class SourcePost:
    """A post or a page, its body already in Markdown, its status already ours."""

    source_id: str
    title: str
    slug: str
    body: str  # Markdown
    status: str  # draft, review or published (a future published_at makes it scheduled)
    published_at: datetime | None  # aware, UTC
    author_id: str = ""  # a SourceAuthor.source_id
    is_page: bool = False
    excerpt: str = ""
    tags: list[str] = field(default_factory=list)
    cover_image_id: str = ""  # a SourceImage.source_id
    image_urls: list[str] = field(default_factory=list)  # images the body shows, as written
    old_urls: list[str] = field(default_factory=list)  # where it lived: permalinks, ?p=ID, …
    notes: list[str] = field(default_factory=list)  # what the reader changed and why
    comment_count: int = 0


@dataclass
class SourceSkip:
    """An item of the export that is not brought in (a menu entry, a trashed post), and why."""

    source_id: str
    title: str
    reason: str


def image_path_after(url: str, marker: str) -> str:
    """The part of an image URL after the uploads folder's ``marker``, or "" when it has none."""
    _, found, rest = url.partition(marker)
    return rest.split("?")[0].split("#")[0] if found else ""


def check_not_empty(path) -> None:
    """An empty file is the commonest wrong upload: say so rather than call it damaged."""
    try:
        empty = path.stat().st_size == 0
    except OSError as exc:
        raise ImportFileError(f"The file cannot be read: {exc.strerror or exc}.") from exc
    if empty:
        raise ImportFileError("The file is empty.")


def old_path(url: str) -> str:
    """The path and query of an old address: what a visitor's request for it carries."""
    parts = urlsplit(url)
    return ((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))[:500]

"""Reading Blogsite's own export back (exports.py writes it), as a stream like the other readers."""

import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import ijson
from django.conf import settings

from .exports import ARCHIVE_DOCUMENT, FORMAT, VERSION
from .items import ImportFileError, check_not_empty

TRUNCATED = "The file ends in the middle: it is truncated. Export it again."


class ImageFileRefused(Exception):
    """One image file of an archive cannot be taken (damaged, too large): its image fails, the rest go on."""


@dataclass
class Scan:
    users: list[dict] = field(default_factory=list)
    tags: list[dict] = field(default_factory=list)
    media: list[dict] = field(default_factory=list)
    item_count: int = 0


class BlogsiteExport:
    platform = "blogsite"

    def __init__(self, path):
        self.path = Path(path)
        self._scan: Scan | None = None

    def _events(self, f):
        try:
            yield from ijson.parse(f)
        except ijson.IncompleteJSONError as exc:
            if "Incomplete" in str(exc) or "premature EOF" in str(exc):
                raise ImportFileError(TRUNCATED) from exc
            raise ImportFileError(f"The file is not JSON ({exc}).") from exc
        except (ijson.JSONError, UnicodeDecodeError, ValueError) as exc:
            raise ImportFileError(f"The file is not JSON ({exc}).") from exc

    def _open(self):
        """The document: the file itself, or ``blog.json`` inside an archive made --with-media."""
        check_not_empty(self.path)
        if zipfile.is_zipfile(self.path):
            archive = zipfile.ZipFile(self.path)
            try:
                return archive.open(ARCHIVE_DOCUMENT)
            except KeyError as exc:
                raise ImportFileError(
                    f"This zip archive is not a Blogsite export (no {ARCHIVE_DOCUMENT})."
                ) from exc
        return self.path.open("rb")

    def image_file(self, name: str):
        """A copy of an image file the archive holds, or None (a plain export, or a file left out).

        Raises ``ImageFileRefused`` for a file larger than an upload may be, or one the archive
        can no longer give back whole (its bytes damaged since it was written).
        """
        if not zipfile.is_zipfile(self.path):
            return None
        with zipfile.ZipFile(self.path) as archive:
            try:
                info = archive.getinfo(name)
            except KeyError:
                return None
            if info.file_size > settings.BLOG_MEDIA_MAX_BYTES:  # never unpack more than an upload may be
                most = settings.BLOG_MEDIA_MAX_BYTES
                raise ImageFileRefused(f"its file is {info.file_size:,} bytes; an image may have {most:,}")
            copy = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 (the caller closes it)
            try:
                with archive.open(info) as member:
                    shutil.copyfileobj(member, copy)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                copy.close()
                raise ImageFileRefused(f"its file in the archive is damaged ({exc})") from exc
        copy.seek(0)
        return copy

    def scan(self) -> Scan:
        """Read the whole file once: check its format and version, keep its users and tags."""
        scan, header, builder, building = Scan(), {}, None, None
        with self._open() as f:
            for prefix, event, value in self._events(f):
                if builder is not None:
                    if prefix == building and event == "end_map":
                        getattr(scan, building.split(".")[0]).append(builder.value)
                        builder = building = None
                    else:
                        builder.event(event, value)
                    continue
                if prefix in ("format", "version") and event in ("string", "number"):
                    header[prefix] = value
                elif prefix == "posts.item" and event == "start_map":
                    scan.item_count += 1
                elif prefix in ("users.item", "tags.item", "media.item") and event == "start_map":
                    builder, building = ijson.ObjectBuilder(), prefix
                    builder.event(event, value)
        if header.get("format") != FORMAT:
            raise ImportFileError('This is not a Blogsite export (its "format" is not "blogsite-export").')
        if header.get("version") != VERSION:
            raise ImportFileError(
                f"This export is format version {header.get('version')}; this site reads version {VERSION}."
            )
        self._scan = scan
        return scan

    def posts(self):
        self._scan or self.scan()
        with self._open() as f:
            yield from ijson.items(f, "posts.item")

"""Finding an old blog's images and taking them into the media library (``Image.objects.create_from_upload``).

The files come from a copy of the old uploads folder (``--media-dir``: WordPress's
``wp-content/uploads``, Ghost's ``content/images``) or, with ``--fetch-media``, from their
URLs. Each image is taken in once per import source and remembered, so the same picture shown
by many posts, or in several sizes, becomes one library image.
"""

import re
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.error import URLError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File

from media.models import Image
from media.processing import Refused

# WordPress keeps resized copies beside the original: lake-300x225.jpg is lake.jpg made smaller.
WORDPRESS_SIZE = re.compile(r"-\d+x\d+(\.\w+)$")
FETCH_TIMEOUT = 20  # seconds for one image, all of it


class ImageNotTaken(Exception):
    """An image stays where it was (its old URL is kept in the body); the message says why."""


class MediaFiles:
    def __init__(self, reader, *, media_dir=None, fetch: bool = False):
        self.reader = reader
        self.media_dir = Path(media_dir).resolve() if media_dir else None
        self.fetch = fetch

    @property
    def enabled(self) -> bool:
        return self.media_dir is not None or self.fetch

    def find(self, url: str, path: str = "") -> Path | None:
        """The file under --media-dir for an image (``path`` if the export names it, else from its URL;
        the full-size one for a resized copy)."""
        paths = [p for p in (path, self.reader.image_path(url)) if p]
        if self.media_dir is None or not paths:
            return None
        for candidate in dict.fromkeys(c for p in paths for c in (p, WORDPRESS_SIZE.sub(r"\1", p))):
            file = (self.media_dir / candidate).resolve()
            if file.is_relative_to(self.media_dir) and file.is_file():  # never outside the folder given
                return file
        return None

    def take(self, url: str, *, owner, alt: str, path: str = "") -> Image:
        """The library image for ``url``, made from its file; raises ``ImageNotTaken`` saying why not."""
        file = self.find(url, path)
        try:
            if file is not None:
                with file.open("rb") as f:
                    return self._create(File(f, name=file.name), owner, alt)
            if self.fetch and url.startswith(("http://", "https://")):
                with _download(url) as f:
                    return self._create(File(f, name=url.rsplit("/", 1)[-1] or "image"), owner, alt)
        except Refused as exc:
            raise ImageNotTaken(exc.message) from exc
        except ValidationError as exc:
            raise ImageNotTaken("; ".join(exc.messages)) from exc
        except (OSError, URLError) as exc:
            raise ImageNotTaken(f"it could not be read ({exc})") from exc
        where = f"in {self.media_dir}" if self.media_dir else "anywhere (give --media-dir or --fetch-media)"
        raise ImageNotTaken(f"its file is not {where}")

    def _create(self, file, owner, alt: str) -> Image:
        alt = alt.strip()[:1000]
        return Image.objects.create_from_upload(file, owner, alt=alt, decorative=not alt)


def _download(url: str):
    """The image at ``url`` in a temporary file, refused past the largest upload the site takes.

    A server that never answers, or trickles bytes to keep the import waiting, is given up on
    after ``FETCH_TIMEOUT`` seconds in all; a file said or found to be too big, at once.
    """
    limit = settings.BLOG_MEDIA_MAX_BYTES
    too_big = Refused(413, f"it is larger than {limit / 1024 / 1024:g} MiB")
    deadline = time.monotonic() + FETCH_TIMEOUT
    request = urllib.request.Request(url, headers={"User-Agent": "Blogsite importer"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310 (http(s) only)
        if int(response.headers.get("Content-Length") or 0) > limit:
            raise too_big
        tmp = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 (returned open: the caller closes it)
        copied = 0
        while chunk := response.read1(64 * 1024):  # what has come: read() would wait for all of it
            copied += len(chunk)
            if copied > limit or time.monotonic() > deadline:
                tmp.close()
                if copied > limit:
                    raise too_big
                raise URLError(f"it took longer than {FETCH_TIMEOUT} seconds")
            tmp.write(chunk)
    tmp.seek(0)
    return tmp

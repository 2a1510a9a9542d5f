"""An old blog's images uploaded as one zip archive (from the dashboard), checked and unpacked safely.

An archive is read before anything is unpacked: it must be a zip, hold at most
``MAX_MEMBERS`` files of at most ``BLOG_MEDIA_MAX_BYTES`` each (larger ones the library would
refuse anyway), unpack to at most ``BLOG_IMPORT_MEDIA_MAX_BYTES`` in all, and name no path
outside its own folder (absolute, ``..``, a drive) nor a link. zipfile never reads past the
size a member declares, and a member whose bytes do not match its checksum stops the unpacking,
so a lying header cannot make it write more than was checked.
"""

import re
import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings

MAX_MEMBERS = 100_000
YEAR = re.compile(r"^\d{4}$")  # WordPress and Ghost file images under year/month folders


class ArchiveRefused(Exception):
    """The archive cannot be used; the message says why, in words an admin can act on."""


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MiB"


def _images(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The archive's files, each checked, or ``ArchiveRefused`` for the first rule broken."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ArchiveRefused(f"The archive holds {len(infos):,} entries; at most {MAX_MEMBERS:,} are read.")
    files, total = [], 0
    for info in infos:
        name = info.filename
        path = PurePosixPath(name.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", name):
            raise ArchiveRefused(f"The archive names a file outside its own folder ({name[:200]}).")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ArchiveRefused(f"The archive holds a link ({name[:200]}); only files and folders are read.")
        if info.is_dir():
            continue
        if info.file_size > settings.BLOG_MEDIA_MAX_BYTES:
            continue  # larger than the library takes: left packed, reported as a missing file
        total += info.file_size
        if total > settings.BLOG_IMPORT_MEDIA_MAX_BYTES:
            raise ArchiveRefused(
                f"The archive unpacks to more than {_mib(settings.BLOG_IMPORT_MEDIA_MAX_BYTES)}; "
                "upload the images in parts, or copy them to the server and use --media-dir."
            )
        files.append(info)
    return files


def check(file) -> None:
    """Raise ``ArchiveRefused`` unless ``file`` (a path or an open file) is a zip this module would unpack."""
    try:
        with zipfile.ZipFile(file) as archive:
            _images(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise ArchiveRefused("The images file is not a zip archive, or it is damaged.") from exc


def unpack(path: Path, into: Path) -> Path:
    """Unpack the archive's images under ``into`` and return the folder that holds them as the old
    uploads folder did (``2023/05/lake.jpg``), whatever folders the archive put around it."""
    into.mkdir(parents=True, exist_ok=True)
    root = into.resolve()
    try:
        with zipfile.ZipFile(path) as archive:
            for info in _images(archive):
                target = (root / info.filename.replace("\\", "/")).resolve()
                if not target.is_relative_to(root):  # checked above; kept as the last word
                    raise ArchiveRefused(f"The archive names a file outside its folder ({info.filename}).")
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as member, target.open("wb") as copy:
                    shutil.copyfileobj(member, copy)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise ArchiveRefused(f"The images archive is damaged ({exc}).") from exc
    return uploads_folder(root)


def uploads_folder(root: Path) -> Path:
    """Below folders that only wrap it (``wp-content/uploads``, ``content/images``): where the years start."""
    folder = root
    while True:
        entries = [entry for entry in folder.iterdir() if not entry.name.startswith((".", "__MACOSX"))]
        if len(entries) != 1 or not entries[0].is_dir() or YEAR.match(entries[0].name):
            return folder
        folder = entries[0]

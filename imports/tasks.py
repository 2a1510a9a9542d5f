"""The dashboard's imports and exports, run by the background worker (``manage.py db_worker``)."""

import shutil
import tempfile
from pathlib import Path

from django.core.files import File
from django.utils import timezone
from django_tasks import task

from . import archives
from .blogsite_reader import BlogsiteExport
from .exports import export_lines
from .ghost import GhostExport
from .items import ImportFileError
from .models import Run
from .services import import_blog_file, import_export_file
from .wordpress import WordPressExport

READERS = {
    Run.Kind.WORDPRESS: (WordPressExport, import_blog_file),
    Run.Kind.GHOST: (GhostExport, import_blog_file),
    Run.Kind.BLOGSITE: (BlogsiteExport, import_export_file),
}


def _progress(run_id: int):
    def show(done: int, total: int) -> None:
        if done % 25 == 0 or done == total:  # a write now and then, not one per item
            Run.objects.filter(pk=run_id).update(done=done, total=max(done, total))

    return show


def _finish(run: Run, state: str, report: str) -> None:
    run.state, run.report, run.finished_at = state, report, timezone.now()
    run.save(update_fields=["state", "report", "finished_at"])


@task()
def run_import(run_id: int) -> str:
    """Import the run's uploaded file (from any storage, through a local copy) and keep the report."""
    run = Run.objects.get(pk=run_id)
    Run.objects.filter(pk=run_id).update(state=Run.State.RUNNING)
    reader_class, function = READERS[run.kind]
    with tempfile.TemporaryDirectory() as tmp:
        path = _local_copy(run.file, Path(tmp))
        media = {}
        try:
            if run.media:
                media["media_dir"] = archives.unpack(_local_copy(run.media, Path(tmp)), Path(tmp) / "media")
            report = function(reader_class(path), dry_run=run.dry_run, progress=_progress(run_id), **media)
        except (ImportFileError, archives.ArchiveRefused) as exc:
            _finish(run, Run.State.FAILED, f"{exc} Nothing was imported.")
            _forget_uploads(run)
            return Run.State.FAILED
    run.refresh_from_db(fields=["done", "total"])
    _finish(run, Run.State.FAILED if report.failed else Run.State.DONE, report.as_text())
    _forget_uploads(run)
    return run.state


def _local_copy(file, folder: Path) -> Path:
    """A file from storage (local or object storage) copied into ``folder``, for readers that seek."""
    path = folder / Path(file.name).name
    with file.open("rb") as source, path.open("wb") as copy:
        shutil.copyfileobj(source, copy)
    return path


def _forget_uploads(run: Run) -> None:
    """The export holds the old blog's e-mail addresses, the archive its images: keep them no longer."""
    run.file.delete(save=False)
    run.media.delete(save=False)
    run.save(update_fields=["file", "media"])


@task()
def run_export(run_id: int) -> str:
    """Write the whole blog to a file in storage, for the admin to download."""
    run = Run.objects.get(pk=run_id)
    Run.objects.filter(pk=run_id).update(state=Run.State.RUNNING)
    with tempfile.TemporaryFile("w+b") as tmp:
        for line in export_lines():
            tmp.write(line.encode())
        tmp.seek(0)
        run.file.save(f"blog-export-{timezone.now():%Y-%m-%d}.json", File(tmp), save=False)
    run.save(update_fields=["file"])
    _finish(run, Run.State.DONE, "The export is ready.")
    return run.state

"""What import_wordpress and import_ghost share: options, progress, the report and the exit status."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.items import ImportFileError
from imports.services import import_blog_file


class ImportCommand(BaseCommand):
    reader_class: type
    import_function = staticmethod(import_blog_file)
    takes_media = True
    file_help = "the export file"

    def add_arguments(self, parser):
        parser.add_argument("file", help=self.file_help)
        parser.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")
        if self.takes_media:
            parser.add_argument(
                "--media-dir",
                help="a copy of the old blog's uploads folder (wp-content/uploads, content/images)",
            )
            parser.add_argument(
                "--fetch-media", action="store_true", help="download images not found there from their URLs"
            )

    def handle(self, *args, file, dry_run, media_dir=None, fetch_media=False, **options):
        reader = self.reader_class(file)
        media = {"media_dir": media_dir, "fetch_media": fetch_media} if self.takes_media else {}
        if media_dir and not Path(media_dir).is_dir():
            raise CommandError(f"--media-dir {media_dir}: there is no such folder.")
        try:
            report = self.import_function(reader, dry_run=dry_run, progress=self._progress(), **media)
        except ImportFileError as exc:
            raise CommandError(f"{file}: {exc} Nothing was imported.") from exc
        if self._on_terminal():
            self.stdout.write("")
        self.stdout.write(report.as_text())
        if report.failed:
            raise CommandError(f"{report.count('failed')} item(s) failed; see the report above.")

    def _on_terminal(self) -> bool:
        return hasattr(self.stdout, "isatty") and self.stdout.isatty()

    def _progress(self):
        """A bar redrawn in place on a terminal; a plain line every 100 items (and the last) elsewhere."""
        terminal = self._on_terminal()

        def show(done: int, total: int) -> None:
            total = max(total, done)
            if terminal:
                filled = int(30 * done / total) if total else 30
                sys.stdout.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} items")
                sys.stdout.flush()
            elif done % 100 == 0 or done == total:
                self.stdout.write(f"{done}/{total} items read")

        return show

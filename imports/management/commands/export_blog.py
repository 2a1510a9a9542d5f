import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.exports import export_lines, write_archive


class Command(BaseCommand):
    help = "Write the whole blog as one JSON document: users, tags, posts with their revisions."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="the file to write (default: standard output)")
        parser.add_argument(
            "--with-media", action="store_true", help="also pack the image files (one archive)"
        )

    def handle(self, *args, output, with_media, **options):
        if with_media and not output:
            raise CommandError("--with-media makes a zip archive: name it with -o FILE.zip.")
        if not output:
            for line in export_lines():
                self.stdout.write(line, ending="")
            return
        target = Path(output)
        # Written beside the target and renamed into place: a failed export never leaves half a file.
        fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                if with_media:
                    write_archive(f)
                else:
                    for line in export_lines():
                        f.write(line.encode())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.stderr.write(f"Wrote {target}.")

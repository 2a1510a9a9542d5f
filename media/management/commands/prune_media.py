from django.core.management.base import BaseCommand, CommandError

from media.models import Image, ImageInUse


class Command(BaseCommand):
    help = "List the images no post has used for --days days (default 30); delete them with --delete."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="Days without a use (default 30).")
        parser.add_argument("--delete", action="store_true", help="Delete them (without it, only list).")

    def handle(self, *args, days, delete, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        images = list(Image.objects.unused_since(days).select_related("owner").prefetch_related("renditions"))
        for image in images:
            self.stdout.write(
                f"{image.pk}\t{image.get_absolute_url()}\t{image.bytes} bytes\t{image.owner.username}\t"
                f"{image.original_name}"
            )
        freed = deleted = 0
        if delete:
            for image in images:
                try:
                    image.delete()
                except ImageInUse:
                    continue  # a post started using it since the list was made: keep it
                deleted += 1
                freed += image.bytes
        verb = "Deleted" if delete else "Would delete (run again with --delete)"
        total = freed if delete else sum(image.bytes for image in images)
        count = deleted if delete else len(images)
        self.stdout.write(f"{verb}: {count} image(s) unused for {days} days, {total / 1024 / 1024:.1f} MB.")

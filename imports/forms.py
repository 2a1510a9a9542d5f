from django import forms
from django.conf import settings

from . import archives
from .models import Run


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file is",
        choices=[(k.value, k.label) for k in (Run.Kind.WORDPRESS, Run.Kind.GHOST, Run.Kind.BLOGSITE)],
    )
    file = forms.FileField(label="Export file")
    media = forms.FileField(
        label="Images (optional)",
        required=False,
        help_text=(
            "A zip of the old blog's images: WordPress's wp-content/uploads folder, or Ghost's "
            "content/images. A Blogsite export brings its own: upload the .zip made with --with-media "
            "as the export file."
        ),
    )
    dry_run = forms.BooleanField(
        label="Dry run: report what would happen, write nothing", required=False, initial=True
    )

    def clean_media(self):
        """A zip the worker may unpack: not too big, no path outside its folder, no link (archives.py)."""
        media = self.cleaned_data.get("media")
        if not media:
            return media
        limit = settings.BLOG_IMPORT_MEDIA_MAX_BYTES
        if media.size > limit:
            raise forms.ValidationError(
                f"The images archive is larger than {limit / 1024 / 1024:,.0f} MiB: upload it in parts, "
                "or copy the folder to the server and run the import command with --media-dir."
            )
        try:
            archives.check(media)
        except archives.ArchiveRefused as exc:
            raise forms.ValidationError(str(exc)) from exc
        media.seek(0)
        return media

    def clean(self):
        data = super().clean()
        if data.get("media") and data.get("kind") == Run.Kind.BLOGSITE:
            self.add_error(
                "media",
                "A Blogsite export holds its own images: upload the .zip that export_blog --with-media "
                "made as the export file, and no images file.",
            )
        return data

from django import forms

from .models import Run


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file is",
        choices=[(k.value, k.label) for k in (Run.Kind.WORDPRESS, Run.Kind.GHOST, Run.Kind.BLOGSITE)],
    )
    file = forms.FileField(label="Export file")
    dry_run = forms.BooleanField(
        label="Dry run: report what would happen, write nothing", required=False, initial=True
    )

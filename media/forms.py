from django import forms

from .models import MAX_ALT_LENGTH, Image
from .processing import ACCEPTED

ACCEPT = "image/jpeg,image/png,image/webp,image/gif,image/avif"


class UploadForm(forms.Form):
    """The library page's plain upload form: works without JavaScript."""

    file = forms.FileField(
        label="Image",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=f"{ACCEPTED}. Judged by its content; location and camera details are removed.",
    )
    alt = forms.CharField(
        label="Description (alt text)",
        required=False,
        max_length=MAX_ALT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What the image shows, for people who cannot see it.",
    )
    decorative = forms.BooleanField(
        label="Decorative: it adds nothing to the text (no description)", required=False
    )


class DescribeForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ["alt", "decorative"]
        widgets = {"alt": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        data["alt"] = (data.get("alt") or "").strip()
        if not data["alt"] and not data.get("decorative"):
            self.add_error(
                "alt", "Describe the image for people who cannot see it, or mark it as decorative."
            )
        return data

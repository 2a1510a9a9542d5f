from datetime import datetime

from django import forms
from django.utils import timezone

from blogsite.dates import validate_date_in_range
from blogsite.text import validate_line, validate_text
from media.models import Image

from . import services
from .models import MAX_BODY_LENGTH, MAX_EXCERPT_LENGTH, MAX_TITLE_LENGTH, Tag

# The browser's <input type="datetime-local"> sends this; people typing by hand may add seconds.
DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class DateTimeLocalInput(forms.DateTimeInput):
    """``<input type="datetime-local">``, or a text input while it shows what the writer mistyped.

    A datetime-local input cannot hold "25/12/2031 10:00" (the W3C checker rejects the page,
    browsers empty the field); a text input keeps the writer's words in front of them to fix.
    """

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        shown = context["widget"]["value"]
        try:
            datetime.strptime(shown or "", self.format)  # only its shape matters here
        except ValueError:
            if shown:
                context["widget"]["type"] = "text"
        return context


class PostForm(forms.Form):
    """The editor page: a post's words, its tags and when to publish, in the site's time zone.

    ``action`` is the button the writer pressed; publishing and scheduling ask more of the
    input than saving a draft. The same rules are enforced again by ``posts.services``.
    """

    ACTIONS = ("preview", *services.ACTIONS)

    title = forms.CharField(max_length=MAX_TITLE_LENGTH, validators=[validate_line])
    body = forms.CharField(
        required=False,
        strip=False,
        max_length=MAX_BODY_LENGTH,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "true"}),
        help_text="Markdown: # headings, - lists, ``` code blocks, [links](https://…), tables.",
    )
    excerpt = forms.CharField(
        required=False,
        max_length=MAX_EXCERPT_LENGTH,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Leave empty to use the first words of the body.",
    )
    tags = forms.CharField(required=False, max_length=1000, help_text="Separated by commas.")
    published_at = forms.DateTimeField(
        required=False,
        label="Publish at",
        input_formats=DATETIME_INPUT_FORMATS,
        validators=[validate_date_in_range],
        widget=DateTimeLocalInput,
        help_text="For scheduling: a date and time in the site's time zone.",
    )
    cover = forms.ModelChoiceField(
        queryset=Image.objects.none(),
        required=False,
        label="Cover image",
        empty_label="No cover",
        help_text="Shown on the post's page, its card and when shared. Add images in the media library.",
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, action="save", user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["cover"].queryset = Image.objects.visible_to(user)
        self.action = action if action in self.ACTIONS else "save"
        zone = timezone.get_current_timezone_name()
        self.fields[
            "published_at"
        ].help_text = f"For scheduling: a date and time in the site's time zone ({zone})."

    def clean_tags(self):
        return Tag.clean_names(self.cleaned_data["tags"].split(","))

    def clean(self):
        data = super().clean()
        if self.action in ("publish", "schedule", "submit") and not data.get("body", "").strip():
            self.add_error("body", "A post needs a body before it is published or submitted.")
        if self.action == "schedule" and "published_at" not in self.errors:
            when = data.get("published_at")
            if when is None:
                self.add_error("published_at", "Choose the date and time to publish at.")
            elif when <= timezone.now():
                self.add_error("published_at", "Choose a time in the future to schedule the post.")
        return data

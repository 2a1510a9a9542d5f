from django import forms
from django.conf import settings
from django.contrib import admin, messages

from accounts.admin import EditorsOnlyAdmin

from . import processing
from .markup import picture
from .models import Image, ImageInUse, check_size


class ImageAddForm(forms.ModelForm):
    """Adding an image in the admin: the file is judged as on every other way in."""

    upload = forms.FileField(label="Image")

    class Meta:
        model = Image
        fields = ["alt", "decorative"]

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        try:
            check_size(upload.size, self.owner)
            processing.probe(upload, max_pixels=settings.BLOG_MEDIA_MAX_PIXELS)
        except processing.Refused as refused:
            raise forms.ValidationError(refused.message) from None
        return upload

    def clean(self):
        data = super().clean()
        if not (data.get("alt") or "").strip() and not data.get("decorative"):
            self.add_error(
                "alt", "Describe the image for people who cannot see it, or mark it as decorative."
            )
        return data


@admin.register(Image)
class ImageAdmin(EditorsOnlyAdmin):
    """Editors and admins see every image; uploads go through the same checks as the library."""

    list_display = ["preview", "original_name", "owner", "status", "bytes", "created_at"]
    list_filter = ["status", "decorative"]
    search_fields = ["original_name", "alt", "owner__username"]
    list_select_related = ["owner"]
    readonly_fields = [
        "preview",
        "owner",
        "file",
        "content_type",
        "width",
        "height",
        "bytes",
        "status",
        "attempts",
        "error",
    ]
    actions = ["retry_renditions"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            form = super().get_form(request, obj, form=ImageAddForm, fields=["upload", "alt", "decorative"])
            form.owner = request.user
            return form
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = Image.objects.create_from_upload(
            form.cleaned_data["upload"], request.user, alt=obj.alt, decorative=obj.decorative
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        return None

    def delete_model(self, request, obj):
        obj.delete()  # removes the files too

    def delete_queryset(self, request, queryset):
        for image in queryset:
            try:
                image.delete()
            except ImageInUse as in_use:
                messages.error(request, f"{image}: {in_use}")

    @admin.display(description="Image")
    def preview(self, image):
        return picture(image, sizes="6rem") if image.pk else ""

    @admin.action(description="Make the sizes again (failed or missing renditions)")
    def retry_renditions(self, request, queryset):
        for image in queryset:
            image.status = Image.Status.PROCESSING
            image.save(update_fields=["status"])
            image.queue_renditions()
        messages.success(request, f"Queued {queryset.count()} image(s).")

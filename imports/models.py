from django.db import models


class ImportedItem(models.Model):
    """Where an imported author, post or image came from, so running the import again updates it."""

    class Kind(models.TextChoices):
        AUTHOR = "author", "Author"
        POST = "post", "Post or page"
        IMAGE = "image", "Image"

    source = models.CharField(
        max_length=200, help_text="The platform and the old site, e.g. wordpress:https://…"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source_id = models.CharField(max_length=200)
    object_id = models.PositiveBigIntegerField(help_text="The user, post or image it became.")
    fingerprint = models.CharField(max_length=64, blank=True, help_text="A hash of what was last brought in.")
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "source_id"], name="imported_item_unique"),
        ]

    def __str__(self):
        return f"{self.source} {self.kind} {self.source_id}"

from django.db import models

from posts.models import Post


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


class OldLinkQuerySet(models.QuerySet):
    def target_for(self, full_path: str) -> str:
        """Where a request for an old address goes now, or "" when it is not one (or leads nowhere public)."""
        path, _, query = full_path.partition("?")
        candidates = [full_path, path]
        if not query:
            candidates.append(path[:-1] if path.endswith("/") else path + "/")
        link = self.filter(old_path__in=candidates).select_related("post").first()
        if link is None:
            return ""
        if link.post_id is not None:
            # An old link never reveals a post that visitors may not read yet.
            return link.post.get_absolute_url() if link.post.is_public else ""
        return link.new_path


class OldLink(models.Model):
    """An address of the old blog that answers 301 to where its post, page or image is now."""

    old_path = models.CharField(
        max_length=500, unique=True, help_text="As visitors request it: /2019/05/hello/ or /?p=12"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, help_text="The post it leads to, if any."
    )
    new_path = models.CharField(max_length=500, blank=True, help_text="Where it leads when it has no post.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OldLinkQuerySet.as_manager()

    class Meta:
        ordering = ["old_path"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(post=None, new_path=""), name="old_link_leads_somewhere"
            ),
        ]

    def __str__(self):
        return f"{self.old_path} → {self.post.get_absolute_url() if self.post_id else self.new_path}"

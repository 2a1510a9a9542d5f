from django.conf import settings
from django.db import models
from django.urls import reverse

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


class Run(models.Model):
    """An import or an export an admin started from the dashboard, done by the background worker."""

    class Kind(models.TextChoices):
        WORDPRESS = "wordpress", "WordPress export (.xml)"
        GHOST = "ghost", "Ghost export (.json)"
        BLOGSITE = "blogsite", "Blogsite export (.json)"
        EXPORT = "export", "Export of this blog"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for the worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    dry_run = models.BooleanField(default=False)
    file = models.FileField(
        upload_to="imports/", blank=True, help_text="The uploaded export, or the export made."
    )
    media = models.FileField(
        upload_to="imports/", blank=True, help_text="A zip of the old blog's images, sent with the export."
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    report = models.TextField(blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self):
        return reverse("imports:run", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

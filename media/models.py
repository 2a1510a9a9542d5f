"""The media library: images writers upload, cleaned at once, with renditions made in the background.

An upload is judged by its content (``processing.probe``), then decoded, turned upright and
re-encoded without identifying metadata *in the upload request*, so the raw bytes never reach
storage and the image has its final, immutable address the moment the upload answers (even
with no worker running). Smaller renditions are made by the background worker
(``media.tasks.make_renditions``); until they exist, pages use the cleaned original.
See docs/decisions/0040-media-library.md.

Where images are used is recorded by the posts app (``posts.PostImage``, ``related_name="uses"``,
``on_delete=PROTECT``), so this app needs no import of posts and a used image cannot be deleted.
"""

import hashlib
import json
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections, models, transaction
from django.db.models import Q, Sum
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from blogsite.rows import json_array_sql, json_list_sql
from blogsite.text import printable

from . import processing, signals, tasks

MAX_ALT_LENGTH = 1000
NEEDS_ALT = "Describe the image for people who cannot see it, or mark it as decorative."
# The names we give stored files: a content hash, a width for renditions, our own extension.
STORED_NAME = re.compile(r"^images/[0-9a-f]{32}(-[0-9]+)?\.(jpg|png|webp|gif|avif)$")


def store(encoded: processing.Encoded, *, suffix: str = "") -> str:
    """Save an encoded image under the hash of its content; the same bytes are stored once."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: encoded.file.read(64 * 1024), b""):
        digest.update(chunk)
    name = f"images/{digest.hexdigest()[:32]}{suffix}.{encoded.extension}"
    encoded.file.seek(0)
    if not default_storage.exists(name):
        name = default_storage.save(name, File(encoded.file, name=name))
    return name


def size_of(encoded: processing.Encoded) -> int:
    encoded.file.seek(0, 2)
    size = encoded.file.tell()
    encoded.file.seek(0)
    return size


class ImageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Writers see their own images; editors and admins see every image."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.all() if user.is_editor else self.filter(owner=user)

    def search(self, query: str):
        """Images whose file name or description contains ``query`` (its printable characters)."""
        query = printable(query).strip()
        if not query:
            return self
        return self.filter(Q(original_name__icontains=query) | Q(alt__icontains=query))

    def unused(self):
        """Images no post uses, as cover or in its body."""
        return self.filter(uses__isnull=True)

    def unused_since(self, days: int):
        """Unused images whose last use (or upload, if never used) is more than ``days`` days ago."""
        cutoff = timezone.now() - timezone.timedelta(days=days)
        return self.unused().filter(
            Q(last_used_at__lt=cutoff) | Q(last_used_at__isnull=True, created_at__lt=cutoff)
        )

    def for_listing(self):
        """What a library page or API list shows, in a constant number of queries."""
        return self.select_related("owner").prefetch_related("renditions", "uses")

    def bytes_used_by(self, user) -> int:
        """How many bytes of storage ``user``'s images take (their quota counts this)."""
        return self.filter(owner=user).aggregate(total=Sum("bytes"))["total"] or 0

    def by_urls(self, urls):
        """The images whose cleaned original is at one of these ``/media/…`` addresses."""
        names = {url.removeprefix(settings.MEDIA_URL) for url in urls if url.startswith(settings.MEDIA_URL)}
        return self.filter(file__in=[name for name in names if STORED_NAME.match(name)])


class ImageManager(models.Manager.from_queryset(ImageQuerySet)):
    def create_from_upload(self, file, owner, alt: str = "", decorative: bool = False) -> "Image":
        """Take an uploaded file into ``owner``'s library: the one way an image is created.

        Checks the description, the size, the quota and the content; stores the cleaned original
        and queues its renditions. Raises ``processing.Refused`` (with an HTTP status) or a
        ``ValidationError`` (a missing description); on any refusal nothing is stored.
        """
        alt = (alt or "").strip()
        if "\x00" in alt:
            raise ValidationError({"alt": ["A description cannot hold NUL characters."]})
        if not alt and not decorative:
            raise ValidationError({"alt": [NEEDS_ALT]})
        if len(alt) > MAX_ALT_LENGTH:
            raise ValidationError({"alt": [f"A description has at most {MAX_ALT_LENGTH} characters."]})
        check_size(file.size, owner)
        probe = processing.probe(file, max_pixels=settings.BLOG_MEDIA_MAX_PIXELS)
        cleaned = processing.clean_original(file)
        try:
            name = store(cleaned)
            image = self.create(
                owner=owner,
                original_name=(getattr(file, "name", "") or "image")[-255:],
                alt="" if decorative else alt,
                decorative=decorative,
                file=name,
                content_type=probe.content_type,
                width=cleaned.width,
                height=cleaned.height,
                bytes=size_of(cleaned),
            )
        finally:
            cleaned.file.close()
        image.queue_renditions()
        return image


class ImageInUse(Exception):
    """The image cannot be deleted: posts use it (their titles are in ``posts``)."""

    def __init__(self, posts: list[str]):
        self.posts = posts
        named = ", ".join(f"“{title}”" for title in posts)
        count = f"{len(posts)} post" + ("s" if len(posts) != 1 else "")
        super().__init__(f"This image is used by {count}: {named}. Remove it from them first.")


def check_size(size: int, owner) -> None:
    """Refuse (413) a file over ``BLOG_MEDIA_MAX_BYTES`` or one that would pass the writer's quota."""
    limit = settings.BLOG_MEDIA_MAX_BYTES
    if size > limit:
        raise processing.Refused(413, f"The file is too large: at most {limit / 1024 / 1024:g} MiB.")
    quota = settings.BLOG_MEDIA_QUOTA_MB * 1024 * 1024
    used = Image.objects.bytes_used_by(owner)
    if used + size > quota:
        raise processing.Refused(
            413,
            f"This upload would pass your storage quota of {settings.BLOG_MEDIA_QUOTA_MB} MB "
            f"({used / 1024 / 1024:.1f} MB used): delete images you no longer need.",
        )


class Image(models.Model):
    class Status(models.TextChoices):
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="images")
    original_name = models.CharField("file name", max_length=255)
    alt = models.TextField("description", max_length=MAX_ALT_LENGTH, blank=True)
    decorative = models.BooleanField(default=False, help_text="Adds nothing to the text: no description.")
    file = models.FileField(max_length=255, editable=False)
    content_type = models.CharField(max_length=30, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    bytes = models.PositiveBigIntegerField(editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROCESSING)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    error = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ImageManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="image_owner_idx")]

    def __str__(self):
        return self.original_name

    def save(self, *args, **kwargs):
        if self.decorative:
            self.alt = ""  # a decorative image is skipped by screen readers: alt=""
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """The cleaned original's address: immutable, so browsers keep it for a year."""
        return settings.MEDIA_URL + self.file.name

    def clean(self):
        if not self.alt.strip() and not self.decorative:
            raise ValidationError({"alt": [NEEDS_ALT]})

    def delete(self, *args, **kwargs):
        """Delete the image and its files; raises ``ImageInUse`` (and deletes nothing) while posts use it."""
        try:
            with transaction.atomic():
                renditions = list(self.renditions.all())
                result = super().delete(*args, **kwargs)
        except ProtectedError as error:
            raise ImageInUse(sorted({str(obj) for obj in error.protected_objects})) from None
        self.delete_files(renditions)
        return result

    def describe(self, *, alt: str | None = None, decorative: bool | None = None) -> None:
        """Change the description; an image keeps one unless it is marked decorative."""
        if decorative is not None:
            self.decorative = decorative
        if alt is not None:
            self.alt = alt.strip()
        if len(self.alt) > MAX_ALT_LENGTH:
            raise ValidationError({"alt": [f"A description has at most {MAX_ALT_LENGTH} characters."]})
        self.clean()
        self.save(update_fields=["alt", "decorative"])

    def queue_renditions(self) -> None:
        """Ask the background worker for this image's renditions."""
        tasks.make_renditions.enqueue(image_id=self.pk)

    def make_renditions(self) -> None:
        """Make and store the smaller copies, replacing any earlier ones; the image is then ready."""
        with default_storage.open(self.file.name, "rb") as source:
            encoded = processing.renditions(source)
        rows = []
        try:
            for item in encoded:
                name = store(item, suffix=f"-{item.width}")
                rows.append(
                    Rendition(
                        image=self,
                        file=name,
                        width=item.width,
                        height=item.height,
                        content_type=item.content_type,
                        bytes=size_of(item),
                    )
                )
        finally:
            for item in encoded:
                item.file.close()
        with transaction.atomic():
            self.renditions.all().delete()
            Rendition.objects.bulk_create(rows)
            self.status, self.error = self.Status.READY, ""
            self.save(update_fields=["status", "error"])
        signals.renditions_ready.send(sender=Image, image=self)

    @property
    def url(self) -> str:
        return self.get_absolute_url()

    def for_sharing(self):
        """What other sites show (Open Graph, feeds): the widest rendition in its own format, else itself."""
        same = [r for r in self.renditions.all() if r.content_type == self.content_type]
        return max(same, key=lambda r: r.width) if same else self

    def used_by_post_ids(self) -> list[int]:
        """The posts that use this image (as cover or in the body), by id (prefetch ``uses`` for lists)."""
        return sorted({use.post_id for use in self.uses.all()})

    def delete_files(self, renditions) -> None:
        """Remove the stored files of a deleted image that no other image shares (same bytes, one file)."""
        names = [self.file.name, *(r.file.name for r in renditions)]
        shared = set(Image.objects.filter(file__in=names).values_list("file", flat=True))
        shared |= set(Rendition.objects.filter(file__in=names).values_list("file", flat=True))
        for name in set(names) - shared:
            default_storage.delete(name)

    def srcset(self, content_type: str, renditions=None) -> str:
        """``srcset`` of the renditions of one type, with the original as the widest candidate;
        ``renditions``, the image's, when the caller has read them already."""
        renditions = self.renditions.all() if renditions is None else renditions
        items = [r for r in renditions if r.content_type == content_type]
        candidates = [f"{r.get_absolute_url()} {r.width}w" for r in sorted(items, key=lambda r: r.width)]
        if content_type == self.content_type:
            candidates.append(f"{self.get_absolute_url()} {self.width}w")
        return ", ".join(candidates)


class Rendition(models.Model):
    """A smaller copy of an image, at one width, in one format."""

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="renditions")
    file = models.FileField(max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    content_type = models.CharField(max_length=30)
    bytes = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["content_type", "width"]

    def __str__(self):
        return f"{self.image} at {self.width}px ({self.content_type})"

    def get_absolute_url(self):
        return settings.MEDIA_URL + self.file.name

    @property
    def url(self) -> str:
        return self.get_absolute_url()


# The renditions of a page's images, in Rendition's order, one written-out query: the ORM's
# prefetch cost 0.5 ms of CPU for a page with one cover, six times reading them this way.
_RENDITIONS_SQL = """
    SELECT {columns} FROM media_rendition WHERE image_id IN ({ids}) ORDER BY content_type, width
"""
_RENDITION_FIELDS = tuple(field.attname for field in Rendition._meta.concrete_fields)
_IMAGE_ID = _RENDITION_FIELDS.index("image_id")


def prefetch_renditions(images, using: str) -> None:
    """Give each of ``images`` its renditions as ``prefetch_related_objects(images, "renditions")``
    does: ``image.renditions.all()`` then asks the database nothing, and a query built on it is
    still narrowed to the image."""
    images = [i for i in images if "renditions" not in i.__dict__.get("_prefetched_objects_cache", {})]
    if not images:
        return
    ids = sorted({image.pk for image in images})
    sql = _RENDITIONS_SQL.format(columns=", ".join(_RENDITION_FIELDS), ids=", ".join(["%s"] * len(ids)))
    found = {pk: [] for pk in ids}
    with connections[using].cursor() as cursor:
        cursor.execute(sql, ids)
        for row in cursor.fetchall():
            found[row[_IMAGE_ID]].append(Rendition.from_db(using, _RENDITION_FIELDS, row))
    for image in images:
        _give_renditions(image, found[image.pk])


# An image's renditions as one column of a written-out query, JSON text: each rendition's fields
# in the model's order. A page of cards reads its covers' renditions with them, not in a query
# of their own (a round trip: 0.1 ms of the worker's CPU and as much of the database's).
_RENDITIONS_JSON_SQL = "(SELECT {list} FROM media_rendition r WHERE r.image_id = {image})"


def renditions_json_sql(image_id: str, vendor: str) -> str:
    """The renditions of the image whose id is the SQL ``image_id`` (e.g. ``i.id``), as a column
    for ``give_renditions()`` to read."""
    rendition = json_array_sql([f"r.{field}" for field in _RENDITION_FIELDS], vendor)
    return _RENDITIONS_JSON_SQL.replace("{list}", json_list_sql(rendition, vendor)).replace(
        "{image}", image_id
    )


def give_renditions(image, column: str | None, using: str) -> None:
    """Give ``image`` the renditions read in a ``renditions_json_sql()`` column, as
    ``prefetch_renditions()`` gives them (PostgreSQL says NULL for none, SQLite "[]")."""
    renditions = [Rendition.from_db(using, _RENDITION_FIELDS, row) for row in json.loads(column or "[]")]
    renditions.sort(key=lambda rendition: (rendition.content_type, rendition.width))  # Meta.ordering
    _give_renditions(image, renditions)


def _give_renditions(image, renditions: list) -> None:
    queryset = image.renditions.get_queryset()  # filtered to the image, as the ORM's prefetch keeps it
    queryset._result_cache, queryset._prefetch_done = renditions, True
    image.__dict__.setdefault("_prefetched_objects_cache", {})["renditions"] = queryset

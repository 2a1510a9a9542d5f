import difflib
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import Count, Q
from django.db.models.functions import Cast, Coalesce, Concat, RowNumber
from django.urls import get_resolver, reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from blogsite import pagecache
from blogsite.dates import validate_date_in_range
from blogsite.health import PROBES
from blogsite.links import cached_reverse
from blogsite.rows import from_column, from_columns, sql_params
from blogsite.text import validate_line, validate_text
from media import markup
from media.models import Image

from . import pagekeys, rendering, search

# LIMITS: the sizes of a post's fields, written once. The model, the editor form, the
# services and the API schemas (and so the OpenAPI document) all take them from here.
MAX_TITLE_LENGTH = 200
MAX_BODY_LENGTH = 200_000
MAX_EXCERPT_LENGTH = 500
MAX_TAG_NAME_LENGTH = 50
MAX_TAGS_PER_POST = 20


def unique_slug(model, text: str, *, exclude_pk=None, max_length: int = 220, reserved=frozenset()) -> str:
    """A slug from ``text`` that no other row of ``model`` has, nor ``reserved``: ``slug``, ``slug-2``, …

    For posts it counts only settled slugs (a provisional one, ``idea--k3x9q2``, never matches):
    so only posts that went public, or are scheduled to, number a new one.
    """
    base = slugify(text)[: max_length - 10].strip("-") or model._meta.model_name
    taken = reserved | set(
        model.objects.filter(slug__regex=rf"^{base}(-[0-9]+)?$")
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


# slugify() never makes two hyphens in a row: a slug holding them is a provisional one.
PROVISIONAL_MARK = "--"
PROVISIONAL_TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


def provisional_slug(text: str, *, current: str = "", max_length: int = 220) -> str:
    """The address of a post nobody else may see yet: its title's slug and a random token, ``idea--k3x9q2``.

    The token alone makes it unique, so it never collides with (and so never reveals) anyone
    else's hidden post (issue 13, finding 9; docs/decisions/0021). It is kept from ``current``
    while the title changes, so a writer's preview link stays put.
    """
    base = slugify(text)[: max_length - 10].strip("-") or "post"
    _base, mark, token = current.rpartition(PROVISIONAL_MARK)
    if not mark or not token:
        token = get_random_string(6, PROVISIONAL_TOKEN_CHARS)
    return f"{base}{PROVISIONAL_MARK}{token}"


@functools.cache
def reserved_slugs() -> frozenset[str]:
    """The first path segments the site itself answers: a page (at ``/<slug>/``) may take none of them.

    Read from the URLconf, the probes and the file URLs, so a new section of the site is
    reserved the moment its URL exists.
    """
    names = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^")
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, route)
                continue
            first = route.lstrip("/").split("/")[0].rstrip("$")
            if first and "<" not in first and "(" not in first:
                names.add(first)

    walk(get_resolver().url_patterns, "")
    for url in (settings.STATIC_URL, settings.MEDIA_URL, *PROBES):
        if url and url.strip("/"):
            names.add(url.strip("/").split("/")[0])
    return frozenset(names)


class Tag(models.Model):
    name = models.CharField(max_length=MAX_TAG_NAME_LENGTH, unique=True, validators=[validate_line])
    slug = models.SlugField(max_length=60, unique=True)
    # Who made the tag by using it first, and when: non-editors may make only so many a day.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Tag, self.name, exclude_pk=self.pk, max_length=60)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return cached_reverse("posts:tag", self.slug)

    url = property(get_absolute_url, doc="The tag's page, for templates (as ``User.url``).")

    # Written out, as a tag page reads its tag on every uncached read: the ORM building this
    # look-up cost more than the page's cards' query (docs/decisions/0085).
    AT_SLUG_SQL = "SELECT {} FROM posts_tag WHERE slug = %s"

    @classmethod
    def at_slug(cls, slug: str) -> "Tag | None":
        """The tag whose address is ``slug``, or None: one query."""
        fields = cls._meta.concrete_fields
        db = router.db_for_read(cls)
        with connections[db].cursor() as cursor:
            cursor.execute(cls.AT_SLUG_SQL.format(", ".join(field.column for field in fields)), [slug])
            row = cursor.fetchone()
        return None if row is None else from_columns(cls, fields, row, db)

    @classmethod
    def in_use(cls):
        """Tags of at least one public post, each with ``post_count``: how many, from their kept
        counts (one query). Counting every tag's rows took 247 ms at 100,000 posts (the tag
        index), and 66 ms to find that the busiest tag has a feed."""
        counted = cls.objects.annotate(
            post_count=ListCount.objects.public_posts_of(tag=models.OuterRef("pk"))
        )
        return counted.filter(post_count__gt=0)

    # Written out: post.tags.all() cost 0.5 ms of CPU on every post page, four times reading it
    # this way, and a page of cards' tags as much again (docs/decisions/0082). {} holds a %s a post.
    OF_POSTS_SQL = """
        SELECT t.id, t.name, t.slug, pt.post_id FROM posts_tag t JOIN posts_post_tags pt ON pt.tag_id = t.id
        WHERE pt.post_id IN ({}) ORDER BY t.name
    """

    @classmethod
    def of_posts(cls, post_ids: list[int], *, using=None) -> dict[int, list["TagLink"]]:
        """The tags of each of these posts, by name, each with its name and slug: one query.

        Read as rows, not instances: ``raw()`` building a page's thirty tags cost twice the query."""
        if not post_ids:
            return {}
        found = {}
        sql = cls.OF_POSTS_SQL.format(", ".join(["%s"] * len(post_ids)))
        with connections[using or router.db_for_read(cls)].cursor() as cursor:
            cursor.execute(sql, post_ids)
            for pk, name, slug, post_id in cursor.fetchall():
                found.setdefault(post_id, []).append(TagLink(pk, name, slug))
        return found

    @staticmethod
    def clean_names(names) -> list[str]:
        """The tag names a writer gave, trimmed and without repeats; ``ValidationError`` for a broken rule.

        The rules of every way in (editor, API, admin, services): at most MAX_TAGS_PER_POST
        tags, each a single line of at most MAX_TAG_NAME_LENGTH characters.
        """
        names = list(dict.fromkeys(name.strip() for name in names if name.strip()))
        if len(names) > MAX_TAGS_PER_POST:
            raise ValidationError(f"A post has at most {MAX_TAGS_PER_POST} tags.", code="max_tags")
        if too_long := [name for name in names if len(name) > MAX_TAG_NAME_LENGTH]:
            message = f"A tag has at most {MAX_TAG_NAME_LENGTH} characters: “{too_long[0][:60]}…”."
            raise ValidationError(message, code="max_length")
        for name in names:
            validate_line(name)
        return names

    @classmethod
    def new_names(cls, names) -> list[str]:
        """Which of these names no tag has yet (ignoring case)."""
        return [name for name in names if not cls.objects.filter(name__iexact=name).exists()]

    @classmethod
    def created_recently_by(cls, user) -> int:
        """How many tags ``user`` created in the last 24 hours."""
        return cls.objects.filter(created_by=user, created_at__gte=timezone.now() - timedelta(days=1)).count()

    @classmethod
    def from_names(cls, names, *, by=None):
        """The tags with these names (case-insensitive), creating the missing ones (made ``by``)."""
        tags = []
        for name in dict.fromkeys(n.strip() for n in names if n.strip()):
            tag = cls.objects.filter(name__iexact=name).first() or cls.objects.create(
                name=name, created_by=by
            )
            tags.append(tag)
        return tags


class TagLink(NamedTuple):
    """A tag as a page links to it, with Tag's own rules borrowed, not restated."""

    pk: int
    name: str
    slug: str

    __str__ = Tag.__str__
    get_absolute_url = Tag.get_absolute_url
    url = Tag.url


class PostQuerySet(models.QuerySet):
    def live(self):
        """Posts and pages every visitor may read: published, and their time has come."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__lte=timezone.now())

    def public(self):
        """The public posts that lists, feeds, tag pages, search and the sitemap show: no pages."""
        return self.live().filter(is_page=False)

    def posts(self):
        return self.filter(is_page=False)

    def published_before(self, at, pk):
        """Public posts published before the one at (``at``, ``pk``), nearest first.

        Either may be an ``OuterRef``, so one query can find the neighbours of many posts.
        """
        return (
            self.public()
            # The plain range lets the database walk the date index from this post on.
            .filter(published_at__lte=at)
            .filter(Q(published_at__lt=at) | Q(id__lt=pk))
            .order_by("-published_at", "-id")
        )

    def published_after(self, at, pk):
        """Public posts published after the one at (``at``, ``pk``), nearest first."""
        return (
            self.public()
            .filter(published_at__gte=at)
            .filter(Q(published_at__gt=at) | Q(id__gt=pk))
            .order_by("published_at", "id")
        )

    def neighbour_ids(self, posts) -> set[int]:
        """The ids of the public posts published just before and just after each of ``posts``: one query."""
        at, pk = models.OuterRef("published_at"), models.OuterRef("pk")
        found = (
            Post.objects.filter(pk__in=[post.pk for post in posts])
            .annotate(
                before=models.Subquery(Post.objects.published_before(at, pk).values("pk")[:1]),
                after=models.Subquery(Post.objects.published_after(at, pk).values("pk")[:1]),
            )
            .values_list("before", "after")
        )
        return {pk for pair in found for pk in pair if pk is not None}

    def pages(self):
        return self.filter(is_page=True)

    def navigation(self):
        """The live pages an admin put in the site's navigation, in their order: (title, URL) pairs."""
        pages = self.live().pages().filter(nav_order__isnull=False).order_by("nav_order", "title")
        return [
            (title, cached_reverse("posts:page", slug)) for title, slug in pages.values_list("title", "slug")
        ]

    def scheduled(self):
        """Published with a time still to come: they go live by themselves."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__gt=timezone.now())

    def next_publication(self):
        """When the next scheduled post goes live, or None when none is scheduled."""
        return self.scheduled().order_by("published_at").values_list("published_at", flat=True).first()

    def visible_to(self, user):
        """Public posts, plus every post its author or an editor may see."""
        if not user.is_authenticated:
            return self.live()
        if user.is_editor:
            return self.all()
        return self.filter(Q(status=Post.Status.PUBLISHED, published_at__lte=timezone.now()) | Q(author=user))

    # What the API's list shows of a post and its writer: nothing else is read. (The site's
    # cards are read as columns: posts/cards.py.)
    LISTED_FIELDS = (
        *("title", "slug", "is_page", "status", "summary", "reading_time_minutes", "cover"),
        *("published_at", "created_at", "updated_at", "author__username", "author__display_name"),
    )

    def for_listing(self):
        """What the API's list shows, in a constant number of queries: only the fields shown."""
        return (
            self.select_related("author", "cover")
            .prefetch_related(
                models.Prefetch("tags", queryset=Tag.objects.order_by("name").only("name", "slug"))
            )
            .prefetch_related("cover__renditions")
            .only(*self.LISTED_FIELDS)
        )

    def newest_first(self):
        return self.order_by("-published_at", "-id")

    def in_review(self):
        """Submissions waiting for an editor, oldest first (first come, first served)."""
        return self.filter(status=Post.Status.REVIEW).order_by("updated_at", "id")

    def in_status(self, status: str):
        """Posts in a status as writers see it (``display_status``): scheduled ones apart from live ones."""
        if status == "scheduled":
            return self.scheduled()
        if status == Post.Status.PUBLISHED:
            return self.live()
        return self.filter(status=status)

    def search(self, query: str):
        """Posts matching a reader's query, best match first.

        Visibility is the caller's: chain it after ``public()`` or ``visible_to(user)``. An
        empty query finds nothing; a long one is cut to 200 characters. Keep its order (do
        not call ``newest_first()`` after it). The page of results shown gets its snippets
        from ``search.add_snippets``; the search page reads its results as ``cards.SearchResults``.
        """
        return search.apply(self, query)


class PostManager(models.Manager.from_queryset(PostQuerySet)):
    def get_queryset(self):
        """The search vector is only for the database to search: never load it into Python."""
        return super().get_queryset().defer("search_vector")


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=MAX_TITLE_LENGTH, validators=[validate_line])
    slug = models.SlugField(max_length=220, unique=True, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts")
    body = models.TextField(blank=True, validators=[MaxLengthValidator(MAX_BODY_LENGTH), validate_text])
    body_html = models.TextField(blank=True, editable=False)
    excerpt = models.TextField(
        max_length=MAX_EXCERPT_LENGTH,
        blank=True,
        validators=[MaxLengthValidator(MAX_EXCERPT_LENGTH), validate_text],
        help_text="Leave empty to use the first words of the body.",
    )
    summary = models.TextField(blank=True, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, db_index=True, validators=[validate_date_in_range]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    reading_time_minutes = models.PositiveIntegerField(default=1, editable=False)
    # PostgreSQL's full-text search vector, kept up to date by save() and GIN-indexed by
    # migration 0002 (on PostgreSQL only); always empty on other databases.
    search_vector = SearchVectorField(null=True, editable=False)
    cover = models.ForeignKey(
        Image,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cover_of",
        verbose_name="cover image",
    )
    is_page = models.BooleanField(
        default=False,
        help_text=(
            "A page (About, Contact) lives at the top of the site, at /its-slug/, "
            "and stays out of lists, feeds and search."
        ),
    )
    nav_order = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="For a page: its place in the site's navigation (1 comes first). Empty: not shown there.",
    )

    objects = PostManager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="post_public_idx"),
            # The public lists' pages, picked from the index alone, however deep (decision 0067).
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(status="published", is_page=False),
                name="post_public_list_idx",
            ),
            models.Index(
                fields=["author", "-published_at", "-id"],
                condition=Q(status="published", is_page=False),
                name="post_author_list_idx",
            ),
            models.Index(fields=["author", "status", "-published_at"], name="post_author_idx"),
            # The navigation's pages, read on every page the cache misses: without it, a scan of every post.
            models.Index(
                fields=["nav_order", "title"], condition=Q(is_page=True), name="post_navigation_idx"
            ),
            models.Index(fields=["-updated_at"], name="post_updated_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Render the body once, and give the post its address (``_save_with_slug``)."""
        images = self.fill_made_fields(using=kwargs.get("using"))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"title", "body", "body_html"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_vector"}
        adding = self._state.adding  # documented: a new post has no image uses to read yet
        self._save_with_slug(*args, **kwargs)
        self._record_image_uses(
            [self.cover_id, *(image.pk for image in images)], had=set() if adding else None
        )

    def get_absolute_url(self, links=cached_reverse):
        """The post's page; a list passes ``links``, the ``cached_reverse`` of ``cached_reverser()``."""
        return links("posts:page" if self.is_page else "posts:detail", self.slug)

    url = property(get_absolute_url, doc="The post's page, for templates (as ``User.url``).")

    def clean(self):
        """A page's address is /<slug>/: one of the site's own paths cannot be a page's."""
        super().clean()
        if self.is_page and self.slug in reserved_slugs():
            raise ValidationError(
                {"is_page": f"/{self.slug}/ is one of the site's own addresses: it cannot be a page."}
            )

    def _save_with_slug(self, *args, **kwargs):
        """Save with the right address: provisional while no one else may see the post, settled
        (``title``, ``title-2``, … counted only against posts that went public) once it is
        published or scheduled, and kept from then on."""
        if self.keeps_its_slug:
            return super().save(*args, **kwargs)
        reserved = reserved_slugs() if self.is_page else frozenset()
        for attempt in range(5):
            if self.status == self.Status.PUBLISHED:
                self.slug = unique_slug(Post, self.title, exclude_pk=self.pk, reserved=reserved)
            else:
                self.slug = provisional_slug(self.title, current="" if attempt else self.slug)
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                if not Post.objects.filter(slug=self.slug).exclude(pk=self.pk).exists():
                    raise  # not a slug race
        raise IntegrityError("Could not find a free slug for this title.")

    @staticmethod
    def render_body(text: str, *, has_cover: bool = False) -> tuple[str, list[Image]]:
        """A body's Markdown as safe HTML, library images as responsive markup; and the images used."""
        return markup.responsive_body(rendering.render_markdown(text), first_eager=not has_cover)

    @property
    def images_without_description(self) -> int:
        """How many images in the body have no alt text: the writer is warned when saving."""
        return rendering.images_without_description(self.body_html)

    @classmethod
    def from_db(cls, db, field_names, values):
        """Remember what related-posts rankings depend on, so a save can tell if it changed."""
        post = super().from_db(db, field_names, values)
        post.ranked_as = post.ranking_inputs()
        return post

    def ranking_inputs(self):
        """The status and date (None while deferred): what related-posts rankings depend on."""
        return (self.__dict__.get("status"), self.__dict__.get("published_at"))

    def get_edit_url(self, links=cached_reverse):
        return links("posts:post_edit", self.pk)

    def _record_image_uses(self, image_ids, had: set | None = None) -> None:
        """Keep ``PostImage`` rows in step with the cover and body, so used images cannot be deleted."""
        wanted = {pk for pk in image_ids if pk is not None}
        if had is None:
            had = set(self.image_uses.values_list("image_id", flat=True))
        if wanted == had:
            return
        self.image_uses.filter(image_id__in=had - wanted).delete()
        PostImage.objects.bulk_create([PostImage(post=self, image_id=pk) for pk in wanted - had])
        # An image a post stops using was last used now: prune_media counts its idle days from here.
        Image.objects.filter(pk__in=had | wanted).update(last_used_at=timezone.now())

    def rerender(self) -> None:
        """Render the body again (its images' renditions arrived) without touching the post's version."""
        html, _images = self.render_body(self.body, has_cover=self.cover_id is not None)
        if html != self.body_html:
            Post.objects.filter(pk=self.pk).update(body_html=html)
            pagecache.retire_pages([pagekeys.post_key(self.pk)])  # a bulk update sends no signal

    @classmethod
    def check_words(cls, **values) -> None:
        """Raise ``ValidationError`` (per field) for words their fields refuse, e.g. too long."""
        errors = {}
        for name, value in values.items():
            try:
                cls._meta.get_field(name).run_validators(value)
            except ValidationError as error:
                errors[name] = error.messages
        if errors:
            raise ValidationError(errors)

    @property
    def version(self) -> str:
        """A token that changes on every save: an editor sends it back so a stale save is refused."""
        return self.updated_at.isoformat() if self.updated_at else ""

    def fill_made_fields(self, *, using=None) -> list[Image]:
        """Fill what is made from the words (rendered body, summary, reading time, search
        vector) and a published post's missing time; return the library images the body shows.

        ``save()`` calls it, and so does ``posts.services.create_posts`` for posts created in bulk.
        """
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()  # without a time a "published" post would never show
        self.body_html, images = self.render_body(self.body, has_cover=self.cover_id is not None)
        self.summary = self.excerpt.strip() or rendering.make_excerpt(self.body_html)
        self.reading_time_minutes = rendering.reading_time_minutes(self.body_html)
        # Made from the values being saved (not the columns), in the same INSERT or UPDATE.
        using = using or router.db_for_write(Post, instance=self)
        if connections[using].vendor == "postgresql":
            self.search_vector = search.search_vector(self.title, self.body_html)
        else:
            self.search_vector = None
        return images

    @property
    def slug_is_settled(self) -> bool:
        """A settled slug is the post's public address, made when it was first published or scheduled."""
        return bool(self.slug) and PROVISIONAL_MARK not in self.slug

    @property
    def keeps_its_slug(self) -> bool:
        """A settled address never changes while the post is published or scheduled, nor once it went out.

        A post that never went live (a draft, one in review, a schedule called off) gets a
        provisional slug again, so its title reserves nothing anyone else could notice.
        """
        if not self.slug_is_settled:
            return False
        went_out = self.published_at is not None and self.published_at <= timezone.now()
        return self.status == self.Status.PUBLISHED or went_out

    @property
    def is_public(self):
        """True when every visitor may read this post now."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        """Published with a future time: it goes live by itself when that time comes."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def display_status(self):
        """The status a writer sees, with "scheduled" told apart from "published"."""
        return "scheduled" if self.is_scheduled else self.status

    DASHBOARD_GROUPS = (
        ("draft", "Drafts"),
        ("review", "In review"),
        ("scheduled", "Scheduled"),
        ("published", "Published"),
    )

    def publish(self, at=None):
        """Publish now, or schedule for ``at``; a post that went live keeps its first date."""
        self.status = self.Status.PUBLISHED
        if at is not None:
            self.published_at = at
        elif self.published_at is None or self.published_at > timezone.now():
            self.published_at = timezone.now()
        self.save()

    def unpublish(self):
        """Take the post off the site; it goes back to being a draft. A scheduled one never went
        live: it forgets its date, and its address, which no visitor ever saw."""
        if self.is_scheduled:
            self.published_at = None
        self.status = self.Status.DRAFT
        self.save()

    def tags_by_name(self) -> list[TagLink]:
        """The post's tags in their order (by name), each with its name and slug: one query."""
        return Tag.of_posts([self.pk]).get(self.pk, [])

    def page_links(self) -> tuple[list[TagLink], tuple, list["PostLink"]]:
        """What a public post's page links to: its tags (by name), its ``neighbours()`` and its
        kept related-posts ranking (as ``RelatedPost.objects.of()`` reads it, for
        ``related_public()``), in one query: as three, their round trips cost a post page
        more than their SQL."""
        db = router.db_for_read(Post)
        params = {"now": timezone.now(), "at": self.published_at, "id": self.pk}
        with connections[db].cursor() as cursor:
            cursor.execute(PAGE_LINKS_SQL, sql_params(params, connections[db]))
            rows = cursor.fetchall()
        tags = [TagLink(*row[2:5]) for row in rows if row[0] == 0]
        near, ranked = ([_link(row[2:]) for row in rows if row[0] == part] for part in (1, 2))
        return tags, self._before_and_after(near), ranked

    def related_public(self, tags, limit=3, exclude=(), ranked=None):
        """Public posts sharing the most of ``tags`` with this one, newest first among equals, as
        ``PostLink``.

        Read from the post's kept ranking (``RelatedPost``, or ``ranked`` as ``page_links()``
        read it) in one query; a post whose ranking was never made, or was retired by a change,
        is ranked here, once.
        """
        if not tags:
            return []
        if ranked is None:
            ranked = RelatedPost.objects.of(self)
        ranked = ranked or RelatedPost.objects.rank(self)
        skip = {self.pk, *(post.pk for post in exclude if post)}
        return [post for post in ranked if post.pk not in skip and post.is_public][:limit]

    def previous_public(self):
        """The public post published just before this one."""
        return self._published_before().only("title", "slug", "is_page").first()

    def next_public(self):
        """The public post published just after this one."""
        return self._published_after().only("title", "slug", "is_page").first()

    def neighbours(self):
        """The public posts published just before and just after this one (or None), in one query."""
        params = {"now": timezone.now(), "at": self.published_at, "id": self.pk}
        return self._before_and_after(links_from_sql(NEIGHBOURS_SQL, params))

    def _before_and_after(self, neighbours) -> tuple:
        before = after = None
        for post in neighbours:
            if (post.published_at, post.pk) < (self.published_at, self.pk):
                before = post
            else:
                after = post
        return before, after

    def _published_before(self):
        return Post.objects.published_before(self.published_at, self.id)

    def _published_after(self):
        return Post.objects.published_after(self.published_at, self.id)


class PostLink(NamedTuple):
    """A post as another post's page links to it (its neighbours and related posts), with
    Post's own rules borrowed, not restated: as ``Post`` instances, the nine related posts a
    page reads cost twice their query."""

    pk: int
    title: str
    slug: str
    is_page: bool
    status: str
    published_at: datetime | None

    Status = Post.Status
    is_public = Post.is_public
    get_absolute_url = Post.get_absolute_url
    url = Post.url

    @classmethod
    def to(cls, post: Post) -> "PostLink":
        return cls(post.pk, post.title, post.slug, post.is_page, post.status, post.published_at)


_LINK_TIME = Post._meta.get_field("published_at")


def public_sql(alias: str, *, now: str = "%(now)s") -> str:
    """``PostQuerySet.public()`` as SQL, for the statements written out, on the posts table as
    ``alias``, at the time ``now`` (SQL: the ``%(now)s`` parameter unless told). The status is
    written in, not a parameter: the one plan PostgreSQL keeps for a prepared statement can then
    use the public lists' partial indexes (their predicate names the status), and it estimates
    the statement as it does its own plans, which it would otherwise redo on every run
    (docs/decisions/0095)."""
    return _published_posts_sql(alias, "<=", now)


def scheduled_sql(alias: str) -> str:
    """The posts (not pages) ``PostQuerySet.scheduled()`` holds, as ``public_sql()`` writes its rule.

    Bounded above too, which changes no answer: a plan made without the time (the one plan of a
    prepared statement) takes "after a time" for a third of the posts, "between a time and the
    end of time" for a two-hundredth. Counting a third of a writer's 5,000 posts, the API list's
    plan cost more than planning it afresh, and PostgreSQL planned it on every read at 100,000
    posts (0.6 ms of its CPU a request); scheduled posts are few."""
    return _published_posts_sql(alias, ">") + f" AND {alias}.published_at < 'infinity'"


def _published_posts_sql(alias: str, compared: str, now: str = "%(now)s") -> str:
    published = f"{alias}.status = '{Post.Status.PUBLISHED.value}'"
    return f"{published} AND {alias}.published_at {compared} {now} AND NOT {alias}.is_page"


# Each neighbour picked by its key from the date index, as _published_before() and
# _published_after() pick them. Written out because building it with the ORM (two subqueries
# of four filters) cost 1.7 ms of CPU on every post page, six times reading it this way
# (docs/decisions/0082). public_sql() writes public()'s rule; test_reading holds the two together.
_NEIGHBOURS_WHERE = """
    id = (
        SELECT id FROM posts_post q
        WHERE {public}
          AND published_at <= %(at)s AND (published_at < %(at)s OR id < %(id)s)
        ORDER BY published_at DESC, id DESC LIMIT 1
    ) OR id = (
        SELECT id FROM posts_post q
        WHERE {public}
          AND published_at >= %(at)s AND (published_at > %(at)s OR id > %(id)s)
        ORDER BY published_at, id LIMIT 1
    )
""".replace("{public}", public_sql("q"))
_LINK_COLUMNS = "id, title, slug, is_page, status, published_at"  # a PostLink's
NEIGHBOURS_SQL = "SELECT {columns} FROM posts_post WHERE {neighbours}".replace(
    "{columns}", _LINK_COLUMNS
).replace("{neighbours}", _NEIGHBOURS_WHERE)
# A post's kept related posts as PostLink's columns, and their order, best first
# (RelatedPost.objects.of(), Post.page_links()).
_RANKED = """
    p.id, p.title, p.slug, p.is_page, p.status, p.published_at
    FROM posts_relatedpost r JOIN posts_post p ON p.id = r.related_id WHERE r.post_id = %(id)s
"""
_RANKING_ORDER = "r.shared_tags DESC, r.published_at DESC, r.related_id DESC"
# Post.page_links(): a post's tags (part 0, by name, as Tag.of_posts() orders them), its
# neighbours (part 1) and its kept ranking (part 2), each row a PostLink's columns after its part
# and place (a tag's three, then NULLs).
PAGE_LINKS_SQL = """
    SELECT 0 AS part, ROW_NUMBER() OVER (ORDER BY t.name) AS place, t.id, t.name, t.slug,
        NULL AS is_page, NULL AS status, NULL AS published_at
    FROM posts_tag t JOIN posts_post_tags pt ON pt.tag_id = t.id WHERE pt.post_id = %(id)s
    UNION ALL
    SELECT 1, 0, {columns} FROM posts_post WHERE {neighbours}
    UNION ALL
    SELECT 2, ROW_NUMBER() OVER (ORDER BY {ranking}), {ranked}
    ORDER BY part, place
"""
PAGE_LINKS_SQL = (
    PAGE_LINKS_SQL.replace("{columns}", _LINK_COLUMNS)
    .replace("{neighbours}", _NEIGHBOURS_WHERE)
    .replace("{ranking}", _RANKING_ORDER)
    .replace("{ranked}", _RANKED)
)


def links_from_sql(sql: str, params, *, using=None) -> list[PostLink]:
    """The posts of a written-out query whose columns are PostLink's, in its order."""
    db = using or router.db_for_read(Post)
    with connections[db].cursor() as cursor:
        cursor.execute(sql, sql_params(params, connections[db]))
        rows = cursor.fetchall()
    return [_link(row) for row in rows]


def _link(row) -> PostLink:
    pk, title, slug, is_page, status, at = row
    return PostLink(pk, title, slug, bool(is_page), status, from_column(_LINK_TIME, at))


# A kept count less the list's posts still scheduled (ListCountQuerySet.public_posts), for a list
# given by id. Written out: built by the ORM, it cost 0.8 ms of CPU on every uncached home page and
# 1.3 ms on a tag's, five to ten times reading it this way (docs/decisions/0082).
_KEPT_COUNT_SQL = """
    SELECT "key", published - (
        SELECT COUNT(*) FROM posts_post p {join}
        WHERE {scheduled} {list}
    ) AS public FROM posts_listcount WHERE "key" = %(key)s
""".replace("{scheduled}", scheduled_sql("p"))
KEPT_COUNT_SQL = {
    "site": _KEPT_COUNT_SQL.format(join="", list=""),
    "tag": _KEPT_COUNT_SQL.format(
        join="JOIN posts_post_tags t ON t.post_id = p.id", list="AND t.tag_id = %(id)s"
    ),
    "author": _KEPT_COUNT_SQL.format(join="", list="AND p.author_id = %(id)s"),
}


def kept_count_sql(*, tag: int | None = None, author: int | None = None) -> tuple[str, str]:
    """The statement of ``KEPT_COUNT_SQL`` for the site's list, or a tag's or a writer's by id
    (``%(id)s``), and its list's key (``%(key)s``)."""
    if tag is not None:
        return KEPT_COUNT_SQL["tag"], pagekeys.tag_posts_key(tag)
    if author is not None:
        return KEPT_COUNT_SQL["author"], pagekeys.author_posts_key(author)
    return KEPT_COUNT_SQL["site"], pagekeys.POSTS


# A writer's number of public posts beside their row ({user}): their list's kept count ({kept},
# joined by its key as pagekeys.author_posts_key() names it) less their posts scheduled for later,
# as ListCountQuerySet.public_posts_of() counts them. For writers read in written-out SQL.
_WRITER_PUBLIC_POSTS_SQL = """COALESCE({kept}.published, 0) - (
            SELECT COUNT(*) FROM posts_post s WHERE {scheduled} AND s.author_id = {user}.id
        )""".replace("{scheduled}", scheduled_sql("s"))
_WRITER_KEPT_COUNT_JOIN = """
    LEFT JOIN posts_listcount {kept} ON {kept}."key" = 'author-' || {user}.id || '-posts'"""


def writer_public_posts_sql(user: str, kept: str) -> tuple[str, str]:
    """A writer's number of public posts as a column of written-out SQL, and the join it reads:
    ``user`` is the alias of the writer's row, ``kept`` the alias the join gives their kept count."""
    return tuple(
        sql.replace("{user}", user).replace("{kept}", kept)
        for sql in (_WRITER_PUBLIC_POSTS_SQL, _WRITER_KEPT_COUNT_JOIN)
    )


class ListCountQuerySet(models.QuerySet):
    def public_posts(self, *, tag=None, author=None) -> int:
        """How many public posts the site's list holds (or a tag's, or a writer's, given by id or
        as a queryset of one): one query, whatever their number.

        The database keeps each list's count of published posts, scheduled ones included
        (``ListCount``); the few scheduled for later are counted here and left out.
        """
        if all(x is None or isinstance(x, int) for x in (tag, author)):  # not a subquery or expression
            return self._public_posts_by_id(tag=tag, author=author)
        key, scheduled = self._list(tag=tag, author=author)
        counts = self.filter(key=key).values_list(models.F("published") - scheduled, flat=True)
        return max(0, next(iter(counts), 0))

    def public_posts_of(self, *, tag=None, author=None) -> models.Expression:
        """A tag's or a writer's number of public posts as SQL (``tag`` or ``author`` e.g.
        ``OuterRef("pk")``): many counted in one query, from their kept counts, without reading
        their posts."""
        key, scheduled = self._list(tag=tag, author=author)
        kept = models.Subquery(self.filter(key=key).values("published")[:1])
        return Coalesce(kept, 0) - scheduled

    def _list(self, *, tag=None, author=None) -> tuple:
        """The list's key, and the number of its posts scheduled for later, both as SQL."""
        tag, author = (
            models.Subquery(x.values("pk")[:1]) if isinstance(x, models.QuerySet) else x
            for x in (tag, author)
        )
        scheduled = Post.objects.posts().scheduled()
        if tag is not None:
            scheduled, key = scheduled.filter(tags=tag), self.list_key("tag-", tag)
        elif author is not None:
            scheduled, key = scheduled.filter(author=author), self.list_key("author-", author)
        else:
            key = models.Value(pagekeys.POSTS)
        # COUNT(*) as a plain function, so the subquery has no GROUP BY and always one row.
        scheduled = (
            scheduled.order_by().annotate(n=models.Func(models.Value(1), function="COUNT")).values("n")
        )
        return key, models.Subquery(scheduled)

    def _public_posts_by_id(self, *, tag, author) -> int:
        sql, key = kept_count_sql(tag=tag, author=author)
        params = {"now": timezone.now(), "key": key, "id": tag if tag is not None else author}
        with connections[self.db].cursor() as cursor:  # a row, not raw()'s instance: a third of the cost
            cursor.execute(sql, sql_params(params, connections[self.db]))
            row = cursor.fetchone()
        return max(0, row[1] if row else 0)

    @staticmethod
    def list_key(prefix: str, pk):
        """A list's key, ``tag-<id>-posts`` or ``author-<id>-posts``, as SQL (``pk`` may be a subquery)."""
        return Concat(models.Value(prefix), Cast(pk, models.CharField()), models.Value("-posts"))


class ListCount(models.Model):
    """How many published posts (not pages) one public list holds, scheduled ones included.

    Counting a list on every read grew with it: 10-15 ms for the home page at 100,000 posts,
    80 ms for a tag on a quarter of them (docs/decisions/0066-list-counts-kept.md). The
    database keeps these rows itself, by triggers on the posts and their tags (migration
    0014), so every write path, bulk updates and raw SQL included, keeps them exact. Keys
    name the lists as the page cache does (``posts/pagekeys.py``): ``posts``,
    ``tag-<id>-posts``, ``author-<id>-posts``.
    """

    key = models.CharField(max_length=40, primary_key=True)
    published = models.IntegerField(default=0)

    objects = ListCountQuerySet.as_manager()

    def __str__(self):
        return f"{self.key}: {self.published}"


RANKINGS_LOCK = 16_0062  # a PostgreSQL advisory lock key: related-posts rankings being changed
# Inside ``RelatedPost.objects.refreshing_once()``: the posts whose rankings wait for its end.
_refresh_waiting: ContextVar[set | None] = ContextVar("related_posts_waiting", default=None)


class RelatedPostQuerySet(models.QuerySet):
    # Written out: built by the ORM, this join cost 0.9 ms of CPU on every post page, three
    # times reading it this way (docs/decisions/0082).
    RANKED_SQL = "SELECT {ranked} ORDER BY {ranking}".replace("{ranked}", _RANKED).replace(
        "{ranking}", _RANKING_ORDER
    )

    def of(self, post) -> list[PostLink]:
        """The posts of ``post``'s kept ranking, best first (one query); empty when it keeps none.
        The post itself marks a ranking made, and comes last."""
        return links_from_sql(self.RANKED_SQL, {"id": post.pk}, using=self.db)

    def rank(self, post) -> list[PostLink]:
        """Rank and keep the published posts sharing the most tags with ``post``; the posts as
        ``of()`` reads them."""
        tag_ids = post.tags.values("pk")
        best = list(
            Post.objects.filter(status=Post.Status.PUBLISHED, is_page=False, tags__in=tag_ids)
            .exclude(pk=post.pk)
            .annotate(shared_tags=Count("tags"))
            .only("title", "slug", "is_page", "status", "published_at")
            .order_by("-shared_tags", "-published_at", "-id")[: RelatedPost.KEPT]
        )
        rows = [
            RelatedPost(post=post, related=p, shared_tags=p.shared_tags, published_at=p.published_at)
            for p in best
        ]
        rows.append(RelatedPost(post=post, related=post, shared_tags=0, published_at=None))
        self.bulk_create(rows, ignore_conflicts=True)  # two first readers may rank at once
        return [PostLink.to(p) for p in [*best, post]]

    def refresh(self, post, *, leaving: bool = False) -> None:
        """``post`` was published, changed its tags or date, or is ``leaving`` (deleted): keep
        every kept ranking exact.

        Rankings that held it are retired (ranked again when next read); its own is made
        again; and it joins every kept ranking it now belongs in, each cut back to its best.
        Inside ``refreshing_once()`` a post still there waits for the end of the block.
        """
        if (waiting := _refresh_waiting.get()) is not None and not leaving:
            waiting.add(post.pk)
            return
        with transaction.atomic(using=self.db):
            self._refresh(post, leaving=leaving)

    def _refresh(self, post, *, leaving: bool) -> None:
        connection = connections[self.db]
        if connection.vendor == "postgresql":
            # One refresh at a time: two publishes touching each other's rankings in
            # opposite orders would deadlock (SQLite writes one at a time anyway).
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RANKINGS_LOCK])
        holders = self.filter(related=post).exclude(post=post).values_list("post_id", flat=True)
        self.filter(post__in=list(holders)).delete()
        self.filter(post=post).delete()
        if (
            leaving or post.status != Post.Status.PUBLISHED or post.is_page
        ):  # pages are nobody's related posts
            return
        self.rank(post)
        through = Post.tags.through
        sharing = (
            through.objects.filter(tag__in=post.tags.values("pk"))
            .exclude(post=post)
            # Only rankings already kept: the others are made, whole, when first read.
            .filter(post__in=self.filter(related_id=models.F("post_id")).values("post_id"))
            .values("post_id")
            .annotate(shared=Count("tag_id"))
        )
        joined = [
            RelatedPost(
                post_id=row["post_id"],
                related=post,
                shared_tags=row["shared"],
                published_at=post.published_at,
            )
            for row in sharing
        ]
        if not joined:
            return
        self.bulk_create(joined, ignore_conflicts=True)
        ranked = self.filter(post__in=[row.post_id for row in joined], shared_tags__gt=0).annotate(
            position=models.Window(
                RowNumber(),
                partition_by=[models.F("post_id")],
                order_by=[
                    models.F("shared_tags").desc(),
                    models.F("published_at").desc(),
                    models.F("related_id").desc(),
                ],
            )
        )
        surplus = [row.pk for row in ranked.filter(position__gt=RelatedPost.KEPT)]
        self.filter(pk__in=surplus).delete()

    def retire_all(self) -> None:
        """Forget every ranking (after bulk changes no signal saw): each is made again when read."""
        self.all().delete()

    def retire_around(self, post_ids) -> None:
        """Forget every ranking a change of these posts may have altered: their own, those holding
        them, and those of every post sharing a tag with them. Each is made again when read."""
        through = Post.tags.through
        ids = sorted(set(post_ids))
        for start in range(0, len(ids), 500):  # SQLite takes only so many parameters
            part = ids[start : start + 500]
            sharing = through.objects.filter(
                tag__in=through.objects.filter(post__in=part).values("tag")
            ).values("post")
            self.filter(Q(post__in=part) | Q(related__in=part) | Q(post__in=sharing)).delete()

    @contextmanager
    def refreshing_once(self) -> Iterator[None]:
        """Keep the rankings of posts written inside exact once, at the end (a bulk write).

        Refreshing after each of 10,000 imported posts ranks each of them against all the
        others; retiring, at the end, every ranking they may have altered costs one query per
        500 posts, and each ranking is made when first read, the same as ``refresh()`` makes
        it (decision 0062). A deleted post is refreshed at once: which rankings held it is
        gone once it is. Nested blocks refresh with the outermost one.
        """
        if _refresh_waiting.get() is not None:
            yield
            return
        waiting: set[int] = set()
        token = _refresh_waiting.set(waiting)
        try:
            yield
        finally:
            _refresh_waiting.reset(token)
            if waiting:
                with transaction.atomic(using=self.db):
                    self.retire_around(waiting)


class RelatedPost(models.Model):
    """One place in a post's related-posts ranking: a published post sharing tags with it.

    Ranking every post that shares a tag on every read cost 86 ms of SQL at 100,000 posts
    (docs/decisions/0062-related-posts-kept.md); a post keeps its best ``KEPT`` instead,
    made when first read and kept exact by ``refresh()`` whenever a post is published,
    retagged, moved in time, unpublished or deleted.
    """

    KEPT = 8  # three are shown, after the previous and next posts and hidden ones are left out

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    related = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    shared_tags = models.PositiveSmallIntegerField()
    published_at = models.DateTimeField(null=True)  # the related post's, for the order

    objects = RelatedPostQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "related"], name="related_post_unique")]

    def __str__(self):
        return f"{self.related_id} for {self.post_id}"


def rerender_posts_showing(sender, image, **kwargs):
    """Bodies are rendered when saved: once an image's renditions exist, the posts showing it use them."""
    for post in Post.objects.filter(image_uses__image=image).only("body", "body_html", "cover"):
        post.rerender()


class PostImage(models.Model):
    """One library image a post uses, as its cover or in its body: while it is used it cannot be deleted.

    The media library reads these rows (``Image.uses``) to say where each image is used.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="image_uses")
    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="uses")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "image"], name="post_image_unique")]

    def __str__(self):
        return self.post.title


class Revision(models.Model):
    """One saved state of a post's words, kept on every save so a writer can compare and go back."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=MAX_TITLE_LENGTH)
    body = models.TextField(blank=True)
    excerpt = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="revisions"
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=100, blank=True)
    is_autosave = models.BooleanField(default=False)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["post", "number"], name="revision_number_unique")]

    def __str__(self):
        return f"#{self.number} of {self.post_id}"

    def get_absolute_url(self):
        return reverse("posts:revision_diff", args=[self.post_id]) + f"?b={self.number}"

    @property
    def tag_list(self) -> str:
        return ", ".join(self.tags)

    def diff_from(self, older: "Revision") -> list[dict]:
        """What changed from ``older`` to this revision, field by field, as unified-diff lines."""
        changes = []
        for field, label in (("title", "Title"), ("excerpt", "Excerpt"), ("tags", "Tags"), ("body", "Body")):
            before, after = getattr(older, field), getattr(self, field)
            if field == "tags":
                before, after = ", ".join(before), ", ".join(after)
            lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=2))[2:]
            if lines:
                kinds = {"+": "added", "-": "removed", "@": "hunk"}
                changes.append(
                    {"label": label, "lines": [(kinds.get(line[:1], "same"), line) for line in lines]}
                )
        return changes

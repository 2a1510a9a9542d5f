"""The post cards of the home, tag and author pages (and the rows of the API's public lists),
read as columns rather than model instances.

Read as ``for_listing()`` reads posts (model instances with their writers and covers, the tags
and the covers' renditions prefetched), a page of ten cards cost 3.5 ms of the worker's CPU,
most of it the ORM building three queries and the instances. Here the page's posts and the
page's tags are each one written-out query, and a card a named tuple (docs/decisions/0082).
The same queries, so a page's query count does not change: the page's posts with their writers
and covers (picked by key from the public lists' index, as ``blogsite.paging`` picks them),
their tags, and the covers' renditions when a post on the page has a cover.
"""

from datetime import UTC, datetime
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import User
from media.models import Image

from .models import Post, Tag

# A card's cover in full, in the model's order as from_db() takes them: the pages show a few of
# its fields (media.markup.picture), the API's list all of them (posts/api.py).
_COVER_FIELDS = tuple(field.attname for field in Image._meta.concrete_fields)

# One page of a public list, newest first: the rows are picked by key in a subquery the list's
# index answers alone (decision 0061), then read in full. ``{list}`` narrows it to a tag's or a
# writer's posts, named by id (the site's pages) or by slug and username (the API's list). It
# repeats PostQuerySet.public()'s rule; test_cards holds the two together.
_CARDS_SQL = """
    SELECT p.id, p.title, p.slug, p.is_page, p.summary, p.reading_time_minutes, p.published_at,
        p.created_at, p.updated_at,
        p.author_id, u.username AS author_username, u.display_name AS author_display_name,
        {cover_columns}
    FROM posts_post p
    JOIN accounts_user u ON u.id = p.author_id
    LEFT JOIN media_image i ON i.id = p.cover_id
    WHERE p.id IN (
        SELECT q.id FROM posts_post q {join}
        WHERE q.status = %(published)s AND q.published_at <= %(now)s AND NOT q.is_page {list}
        ORDER BY q.published_at DESC, q.id DESC LIMIT %(limit)s OFFSET %(offset)s
    )
    ORDER BY p.published_at DESC, p.id DESC
"""
_CARDS_SQL = _CARDS_SQL.replace("{cover_columns}", ", ".join(f"i.{f} AS cover_{f}" for f in _COVER_FIELDS))
CARDS_SQL = {
    "site": _CARDS_SQL.format(join="", list=""),
    "tag": _CARDS_SQL.format(join="JOIN posts_post_tags t ON t.post_id = q.id", list="AND t.tag_id = %(id)s"),
    "author": _CARDS_SQL.format(join="", list="AND q.author_id = %(id)s"),
    "tag slug": _CARDS_SQL.format(
        join="JOIN posts_post_tags t ON t.post_id = q.id",
        list="AND t.tag_id = (SELECT id FROM posts_tag WHERE slug = %(id)s)",
    ),
    "author username": _CARDS_SQL.format(
        join="", list="AND q.author_id = (SELECT id FROM accounts_user WHERE username = %(id)s)"
    ),
}


def _cover_of(post) -> Image:
    """A card's cover from its columns, each read as the ORM reads it: SQLite gives a raw query's
    columns of another model as stored (a time as text in UTC, a flag as 0 or 1)."""
    values = []
    for field in Image._meta.concrete_fields:
        value = field.to_python(getattr(post, f"cover_{field.attname}"))
        if settings.USE_TZ and isinstance(value, datetime) and timezone.is_naive(value):
            value = timezone.make_aware(value, UTC)
        values.append(value)
    return Image.from_db(Post.objects.db, _COVER_FIELDS, values)


class _Author(NamedTuple):
    """A card's writer, with User's own rules borrowed, not restated."""

    pk: int
    username: str
    display_name: str

    name = User.name
    get_absolute_url = User.get_absolute_url


class PostCard(NamedTuple):
    """A post as a card shows it, with Post's own rules borrowed, not restated."""

    pk: int
    title: str
    slug: str
    is_page: bool
    summary: str
    reading_time_minutes: int
    published_at: datetime
    created_at: datetime
    updated_at: datetime
    author_id: int
    author: _Author
    cover: Image | None
    tags: list[Tag]  # by name

    get_absolute_url = Post.get_absolute_url
    # Post.display_status of every post a public list shows: they are all live.
    display_status = Post.Status.PUBLISHED.value

    @classmethod
    def page_of(cls, start: int, stop: int, *, tag: int | str | None = None, author: int | str | None = None):
        """Cards ``start:stop`` of the site's public posts, or a tag's or a writer's (by id, or by
        slug and username), newest first."""
        if stop <= start:
            return []
        kind, pk = (
            ("tag", tag) if tag is not None else ("author", author) if author is not None else ("site", None)
        )
        if isinstance(pk, str):
            kind += " slug" if kind == "tag" else " username"
        params = {
            **{"published": Post.Status.PUBLISHED.value, "now": timezone.now(), "id": pk},
            **{"limit": stop - start, "offset": start},
        }
        # The cover's id comes back as the post's cover_id: None when it has none.
        posts = list(Post.objects.raw(CARDS_SQL[kind], params))
        tags = Tag.of_posts([post.pk for post in posts], using=Post.objects.db)
        cards = []
        for post in posts:
            cover = None
            if post.cover_id is not None:
                cover = _cover_of(post)
            writer = _Author(post.author_id, post.author_username, post.author_display_name)
            own = (post.pk, post.title, post.slug, post.is_page, post.summary, post.reading_time_minutes)
            times = (post.published_at, post.created_at, post.updated_at)
            cards.append(cls(*own, *times, post.author_id, writer, cover, tags.get(post.pk, [])))
        covers = [card.cover for card in cards if card.cover is not None]
        if covers:
            models.prefetch_related_objects(covers, "renditions")
        return cards


class PublicCards:
    """The cards of a public list (the site's, a tag's or a writer's, by id or by slug and
    username) of ``count`` posts, as Django's ``Paginator`` pages through a list: each page one
    query for its posts."""

    def __init__(self, count: int, *, tag: int | str | None = None, author: int | str | None = None):
        self._count, self.tag, self.author = count, tag, author

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, window: slice) -> list[PostCard]:
        start, stop, _step = window.indices(self._count)
        return PostCard.page_of(start, stop, tag=self.tag, author=self.author)

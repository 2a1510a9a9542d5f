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

from datetime import datetime
from typing import NamedTuple

from django.db import connections, models, router
from django.utils import timezone

from accounts.models import User
from media.models import Image

from .models import Post, Tag, TagLink, from_column, sql_params

# A card's cover in full, in the model's order as from_db() takes them: the pages show a few of
# its fields (media.markup.picture), the API's list all of them (posts/api.py).
_COVER_FIELDS = tuple(field.attname for field in Image._meta.concrete_fields)
_TIME = Post._meta.get_field("published_at")  # a card's three times are read alike

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


def _instance(model, fields, columns, db):
    """An instance of ``model`` from its ``fields``' columns, each read as the ORM reads it."""
    values = [from_column(field, value) for field, value in zip(fields, columns, strict=True)]
    return model.from_db(db, [field.attname for field in fields], values)


def _cover_of(columns, db) -> Image:
    """A card's cover from its columns, in the model's order."""
    return _instance(Image, Image._meta.concrete_fields, columns, db)


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
    tags: list[TagLink]  # by name

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
        # Read as rows: raw() building ten Post instances cost twice the query they came from.
        db = router.db_for_read(Post)
        with connections[db].cursor() as cursor:
            cursor.execute(CARDS_SQL[kind], sql_params(params, connections[db]))
            rows = cursor.fetchall()
        tags = Tag.of_posts([row[0] for row in rows], using=db)
        cards = []
        for row in rows:
            pk, title, slug, is_page, summary, minutes = row[:6]
            times = [from_column(_TIME, value) for value in row[6:9]]
            author_id, username, display_name, *cover = row[9:]
            # The cover's id is its first column: None when the post has none.
            cover = None if cover[0] is None else _cover_of(cover, db)
            writer = _Author(author_id, username, display_name)
            own = (pk, title, slug, bool(is_page), summary, minutes)
            cards.append(cls(*own, *times, author_id, writer, cover, tags.get(pk, [])))
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


# A post page's post as a visitor may read it (``Post.objects.posts().live()``), with its writer
# and cover, in one written-out query: built by the ORM it cost more CPU than the page's other
# three queries together (docs/decisions/0085). It repeats public()'s rule; test_cards holds the
# two together. The search vector is left out, as the manager leaves it out.
_POST_FIELDS = tuple(field for field in Post._meta.concrete_fields if field.attname != "search_vector")
_USER_FIELDS = tuple(User._meta.concrete_fields)
_PUBLIC_POST_SQL = """
    SELECT {columns}
    FROM posts_post p
    JOIN accounts_user u ON u.id = p.author_id
    LEFT JOIN media_image i ON i.id = p.cover_id
    WHERE p.slug = %(slug)s AND p.status = %(published)s AND p.published_at <= %(now)s AND NOT p.is_page
"""
_PUBLIC_POST_SQL = _PUBLIC_POST_SQL.replace(
    "{columns}",
    ", ".join(
        [f"p.{field.column}" for field in _POST_FIELDS]
        + [f"u.{field.column}" for field in _USER_FIELDS]
        + [f"i.{field.column}" for field in Image._meta.concrete_fields]
    ),
)


def public_post(slug: str) -> Post | None:
    """The public post at ``slug`` with its writer and its cover (renditions prefetched), or None."""
    db = router.db_for_read(Post)
    params = {"slug": slug, "published": Post.Status.PUBLISHED.value, "now": timezone.now()}
    with connections[db].cursor() as cursor:
        cursor.execute(_PUBLIC_POST_SQL, sql_params(params, connections[db]))
        row = cursor.fetchone()
    if row is None:
        return None
    posts, users = len(_POST_FIELDS), len(_POST_FIELDS) + len(_USER_FIELDS)
    post = _instance(Post, _POST_FIELDS, row[:posts], db)
    post.author = _instance(User, _USER_FIELDS, row[posts:users], db)
    post.cover = None if row[users] is None else _cover_of(row[users:], db)
    if post.cover is not None:
        models.prefetch_related_objects([post.cover], "renditions")
    return post

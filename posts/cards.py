"""The post cards of the home, tag and author pages, read as columns rather than model instances.

Read as ``for_listing()`` reads posts (model instances with their writers and covers, the tags
and the covers' renditions prefetched), a page of ten cards cost 3.5 ms of the worker's CPU,
most of it the ORM building three queries and the instances; read here as columns, with the
tags in one written-out query, 1.5 ms (docs/decisions/0082). The same queries, so a page's
query count does not change: the page's posts, their tags, and the covers' renditions when a
post on the page has a cover.
"""

from datetime import datetime
from typing import NamedTuple

from django.db import models

from accounts.models import User
from media.models import Image

from .models import Post, Tag

_COVER_FIELDS = tuple(field.attname for field in Image._meta.concrete_fields)

# The tags of a page's posts, by name, each row saying whose it is ({} holds one %s per post).
_TAGS_SQL = """
    SELECT t.id, t.name, t.slug, pt.post_id FROM posts_tag t JOIN posts_post_tags pt ON pt.tag_id = t.id
    WHERE pt.post_id IN ({}) ORDER BY t.name
"""


class _Author(NamedTuple):
    """A card's writer, with User's own rules borrowed, not restated."""

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
    author_id: int
    author: _Author
    cover: Image | None
    tags: list[Tag]  # by name

    get_absolute_url = Post.get_absolute_url

    @classmethod
    def listing(cls, posts: models.QuerySet) -> list["PostCard"]:
        """The cards of ``posts`` (an ordered queryset of posts), in its order."""
        own = cls._fields[: cls._fields.index("author")]
        columns = (*own, "author__username", "author__display_name", *(f"cover__{f}" for f in _COVER_FIELDS))
        rows = list(posts.values_list(*columns))
        tags = cls._tags_of([row[0] for row in rows], using=posts.db)
        cards = []
        for row in rows:
            post, author, cover = row[: len(own)], row[len(own) : len(own) + 2], row[len(own) + 2 :]
            cover = None if cover[0] is None else Image.from_db(posts.db, _COVER_FIELDS, cover)
            cards.append(cls(*post, _Author(*author), cover, tags.get(row[0], [])))
        covers = [card.cover for card in cards if card.cover is not None]
        if covers:
            models.prefetch_related_objects(covers, "renditions")
        return cards

    @staticmethod
    def _tags_of(post_ids: list[int], *, using: str) -> dict[int, list[Tag]]:
        if not post_ids:
            return {}
        found = {}
        sql = _TAGS_SQL.format(", ".join(["%s"] * len(post_ids)))
        for tag in Tag.objects.raw(sql, post_ids, using=using):
            found.setdefault(tag.post_id, []).append(tag)
        return found

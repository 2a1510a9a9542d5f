"""The post cards of the home, tag and author pages (and the rows of the API's public lists),
and the search page's results, read as columns rather than model instances.

Read as ``for_listing()`` reads posts (model instances with their writers and covers, the tags
and the covers' renditions prefetched), a page of ten cards cost 3.5 ms of the worker's CPU,
most of it the ORM building three queries and the instances. Here a page is one written-out
query, and a card a named tuple (docs/decisions/0082): the page's posts (picked by key from the
public lists' index, as ``blogsite.paging`` picks them) with their writers, their covers and
the covers' renditions, a row for each of their tags.
"""

import functools
import json
from datetime import UTC, datetime
from typing import NamedTuple, Self

from django.core.paginator import Paginator
from django.db import connections, router
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.models import User
from blogsite import pagecache
from blogsite.database import PLANNED_EACH_RUN
from blogsite.rows import from_column, from_columns, json_list_sql, sql_params
from media.models import Image, give_renditions, renditions_json_sql

from . import search
from .models import (
    KEPT_COUNT_SQL,
    ListCount,
    Post,
    Tag,
    TagLink,
    kept_count_sql,
    public_sql,
    writer_public_posts_sql,
)

# A card's cover in full, in the model's order as from_db() takes them: the pages show a few of
# its fields (media.markup.picture), the API's list all of them (posts/api.py).
_COVER_FIELDS = tuple(field.attname for field in Image._meta.concrete_fields)
_TIME = Post._meta.get_field("published_at")  # a card's three times are read alike

# One page of a public list, newest first: the rows are picked by key in a subquery the list's
# index answers alone (decision 0061), then read in full. ``{rows}`` are the list's (``_LISTS``),
# ``{list}`` narrows them to a tag's or a writer's, named by id.
_CARDS_SQL = """
    SELECT p.id, p.title, p.slug, p.is_page, p.summary, p.reading_time_minutes, p.published_at,
        p.created_at, p.updated_at,
        p.author_id, u.username AS author_username, u.display_name AS author_display_name,
        {cover_columns}
    FROM posts_post p
    JOIN accounts_user u ON u.id = p.author_id
    LEFT JOIN media_image i ON i.id = p.cover_id
    WHERE p.id IN (
        SELECT {id} FROM {rows} {list}
        {pick} LIMIT %(limit)s OFFSET %(offset)s
    )
    ORDER BY p.published_at DESC, p.id DESC
"""
# The cover's fields, then its renditions (media.models.renditions_json_sql(), for the database
# that runs the statement: written_for() writes them in).
_COVER_COLUMNS = [f"i.{f} AS cover_{f}" for f in _COVER_FIELDS] + ["{{renditions}} AS cover_renditions"]
_CARDS_SQL = _CARDS_SQL.replace("{cover_columns}", ", ".join(_COVER_COLUMNS))
CARD_WIDTH = 12 + len(_COVER_COLUMNS)  # the columns of a row of CARDS_SQL
_NEWEST_FIRST = "ORDER BY {at} DESC, {id} DESC"
# Deep pages: the oldest posts first from an anchor on, a short walk (see ListAnchors).
_FROM_ANCHOR = "AND ({at}, {id}) >= (%(anchor_at)s, %(anchor_id)s) ORDER BY {at}, {id}"
# A list's rows and their key (publication time, post): the site's and a writer's are the public
# posts, as PostQuerySet.public() holds them (public_sql(); test_cards holds the two together);
# a tag's are its rows that keep their post's time, which the database sets for a public post's
# rows alone (migration 0021), so that the tag's own index answers its pages.
_POSTS = {"rows": "posts_post q WHERE " + public_sql("q"), "at": "q.published_at", "id": "q.id"}
_TAG_ROWS = {"rows": "posts_post_tags q WHERE q.listed_at <= %(now)s", "at": "q.listed_at", "id": "q.post_id"}
_LISTS = {
    "site": {**_POSTS, "list": ""},
    "tag": {**_TAG_ROWS, "list": "AND q.tag_id = %(id)s"},
    "author": {**_POSTS, "list": "AND q.author_id = %(id)s"},
}
# A tag's or a writer's list named by slug or username, as the API names them (``PublicCards.named``).
_ID_OF_NAME = {
    "tag": "SELECT id FROM posts_tag WHERE slug = %s",
    "author": "SELECT id FROM accounts_user WHERE username = %s",
}


def _list_sql(sql: str, kind: str, pick: str = "") -> str:
    """``sql`` with the ``kind`` of list's rows, key and ``pick`` written in."""
    parts = _LISTS[kind]
    return sql.format(pick=pick.format(**parts), **parts)


CARDS_SQL = {kind: _list_sql(_CARDS_SQL, kind, _NEWEST_FIRST) for kind in _LISTS}
CARDS_SQL |= {f"{kind} from anchor": _list_sql(_CARDS_SQL, kind, _FROM_ANCHOR) for kind in _LISTS}


@functools.cache
def written_for(sql: str, vendor: str) -> str:
    """A statement of this module (``CARDS_SQL``, those made of it, a post page's) with what differs
    between databases (the covers' renditions and uses, read as JSON) written for ``vendor``'s;
    written once for each."""
    uses = _COVER_USES_SQL.replace("{list}", json_list_sql("pu.post_id", vendor))
    return sql.replace("{renditions}", renditions_json_sql("i.id", vendor)).replace("{cover_uses}", uses)


# The ids of the posts that use an API card's cover, as JSON text (the API's Media shows them).
_COVER_USES_SQL = "(SELECT {list} FROM posts_postimage pu WHERE pu.image_id = c.cover_id)"


def _cover_of(columns, db) -> Image:
    """A card's cover from its columns, in the model's order, then its renditions."""
    *fields, renditions = columns
    cover = from_columns(Image, Image._meta.concrete_fields, fields, db)
    give_renditions(cover, renditions, db)
    return cover


# Where a cover's id and uploader are among its columns (the model's order, as _cover_of reads them).
_IMAGE_COLUMNS = [field.attname for field in Image._meta.concrete_fields]
_COVER_PK_AT, _COVER_OWNER_AT = _IMAGE_COLUMNS.index(Image._meta.pk.attname), _IMAGE_COLUMNS.index("owner_id")


class _CoverColumns:
    """A card's cover as read, made an ``Image`` when first asked for: a card whose markup is
    remembered (docs/decisions/0103) shows its cover without one, and making it (an image and
    its renditions) cost more than the rest of a card."""

    __slots__ = ("columns", "db", "image")

    def __init__(self, columns: tuple, db: str):
        self.columns, self.db, self.image = columns, db, None

    @property
    def pk(self) -> int:
        return self.columns[_COVER_PK_AT]

    @property
    def owner_id(self) -> int:
        return self.columns[_COVER_OWNER_AT]

    def made(self) -> Image:
        if self.image is None:
            self.image = _cover_of(self.columns, self.db)
        return self.image

    def __eq__(self, other):
        return isinstance(other, _CoverColumns) and self.columns == other.columns


class _Author(NamedTuple):
    """A card's writer, with User's own rules borrowed, not restated."""

    pk: int
    username: str
    display_name: str

    name = User.name
    get_absolute_url = User.get_absolute_url
    url = User.url


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
    cover_columns: _CoverColumns | None
    tags: list[TagLink]  # by name
    columns: tuple  # the columns it was read from: with its tags, all a card shows

    get_absolute_url = Post.get_absolute_url
    url = Post.url
    # Post.display_status of every post a public list shows: they are all live.
    display_status = Post.Status.PUBLISHED.value

    @property
    def cover(self) -> Image | None:
        return None if self.cover_columns is None else self.cover_columns.made()

    @property
    def cover_id(self) -> int | None:
        return None if self.cover_columns is None else self.cover_columns.pk

    def markup_key(self) -> tuple:
        """All the card's markup is made of, for ``remembered()``: the columns it was read from
        (its writer's and its cover's too) and its tags."""
        return self.columns, *self.tags

    @classmethod
    def page_of(cls, start: int, stop: int, *, count: int | None = None, tag=None, author=None):
        """Cards ``start:stop`` of the site's public posts, or a tag's or a writer's (by id), newest
        first; ``count``, the list's length, lets deep pages be read from an anchor."""
        if stop <= start:
            return []
        # Read as rows: raw() building ten Post instances cost twice the query they came from.
        rows, db = _list_rows(TAGGED_CARDS_SQL, start, stop, count=count, tag=tag, author=author)
        return _tagged_cards(rows, db)


def _list_named(tag: int | None, author: int | None) -> tuple[str, int | None]:
    """The kind of list (``_LISTS``) a ``tag`` or an ``author`` (by id) names, else the site's;
    and its id."""
    return ("tag", tag) if tag is not None else ("author", author) if author is not None else ("site", None)


def _list_rows(
    sqls: dict, start: int, stop: int, *, count: int | None, tag, author, counted: bool = False
) -> tuple[list, str]:
    """The rows of ``sqls``' statement for the list of ``count`` posts asked for (a tag's or a
    writer's by id, else the site's), rows ``start:stop``; and the database read. Deep in a
    list, they are read from an anchor.
    ``counted``: each row also holds the list's count (read without an anchor)."""
    kind, pk = _list_named(tag, author)
    params = {"now": timezone.now(), "id": pk, "limit": stop - start, "offset": start}
    if counted:
        kind += " counted"
        params["key"] = kept_count_sql(tag=tag, author=author)[1]
    db = router.db_for_read(Post)
    if count is not None and ListAnchors.EVERY <= start < stop <= count:
        anchor = ListAnchors(db, tag=tag, author=author).anchor_for(count - stop)
        if anchor is not None:
            kind += " from anchor"
            params |= dict(zip(("anchor_at", "anchor_id", "offset"), anchor, strict=True))
    # The window and a list's id are written into the statement: PostgreSQL plans a LIMIT it
    # is not told as a tenth of the list, and a tag it is not told as any tag, too dear for a
    # plan kept for every request, and would plan each one afresh (docs/decisions/0091).
    written = {
        name: str(int(params.pop(name))) for name in ("limit", "offset", "id") if params[name] is not None
    }
    sql = written_for(sqls[kind], connections[db].vendor)
    for name, value in written.items():
        sql = sql.replace(f"%({name})s", value)
    with connections[db].cursor() as cursor:
        cursor.execute(sql, sql_params(params, connections[db]))
        return cursor.fetchall(), db


class ListAnchors:
    """Where a public list (the site's, a tag's or a writer's) starts its deep pages, and how long
    it is: the key (publication time, id) of every ``EVERY``-th post, counted from the oldest, so
    posts published later do not move them.

    A page ``OFFSET`` rows down walks that many entries of the list's index: page 5,000 of the
    home page at 100,000 posts walked 50,000 of them on every read. From its nearest anchor it
    walks at most ``EVERY``. The anchors take one walk of the whole index to find, which counts
    the list too; both are kept (``pagecache.kept_while_current``) until a change to the list
    retires its pages, or a scheduled post's time comes, so a deep page reads no count.
    """

    EVERY = 1000
    # Each EVERY-th post from the oldest, and the newest, whose position + 1 is the list's length.
    SQL = """
        SELECT at, id, position FROM (
            SELECT {at} AS at, {id} AS id,
                row_number() OVER (ORDER BY {at}, {id}) - 1 AS position,
                lead({id}) OVER (ORDER BY {at}, {id}) IS NULL AS newest
            FROM {rows} {list}
        ) listed
        WHERE position %% {every} = 0 OR newest
        ORDER BY position
    """

    def __init__(self, db: str, *, tag: int | None = None, author: int | None = None):
        """The anchors of the site's list, or of the tag ``tag``'s or the writer ``author``'s (by id)."""
        self.kind, pk = _list_named(tag, author)
        self.params, self.db = {"now": timezone.now(), "id": pk}, db
        self.key = kept_count_sql(tag=tag, author=author)[1]

    def count(self) -> int:
        """How many public posts the list holds."""
        return self._kept()[0]

    def anchor_for(self, oldest_first: int) -> tuple[datetime, int, int] | None:
        """The anchor at or before position ``oldest_first`` (counted from the oldest post), and
        how many posts past it that position is; None for a list with no posts."""
        anchors = self._kept()[1]
        if not anchors:
            return None
        index = min(oldest_first // self.EVERY, len(anchors) - 1)
        anchor_at, anchor_id = anchors[index]
        return from_column(_TIME, anchor_at), anchor_id, oldest_first - index * self.EVERY

    def _kept(self) -> tuple[int, list[tuple]]:
        return pagecache.kept_while_current(f"anchors:{self.EVERY}:{self.key}", [self.key], self._find)

    def _find(self) -> tuple[int, list[tuple]]:
        sql = self.SQL.format(every=self.EVERY, **_LISTS[self.kind])
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, sql_params(self.params, connections[self.db]))
            rows = cursor.fetchall()
        count = rows[-1][2] + 1 if rows else 0
        return count, [(at, pk) for at, pk, position in rows if position % self.EVERY == 0]


def _card(row: tuple, db: str, tags: list) -> PostCard:
    """A card from the first ``CARD_WIDTH`` columns of a row of ``CARDS_SQL``."""
    pk, title, slug, is_page, summary, minutes = row[:6]
    times = [from_column(_TIME, value) for value in row[6:9]]
    author_id, username, display_name, *cover = row[9:CARD_WIDTH]
    # The cover's id is its first column: None when the post has none.
    cover = None if cover[0] is None else _CoverColumns(tuple(cover), db)
    writer = _Author(author_id, username, display_name)
    own = (pk, title, slug, bool(is_page), summary, minutes)
    return PostCard(*own, *times, author_id, writer, cover, tags, row[:CARD_WIDTH])


class PublicCards:
    """The cards of a public list (the site's, a tag's or a writer's, by id) of ``count`` posts,
    as Django's ``Paginator`` pages through a list: each page one query for its posts. A count
    not given is read with a first page, or kept with a deep page's anchors (``counted_page()``),
    or on its own when first asked for."""

    def __init__(self, count: int | None = None, *, tag: int | None = None, author: int | None = None):
        self._count, self.tag, self.author = count, tag, author

    @classmethod
    def named(cls, *, tag: str | None = None, author: str | None = None) -> Self:
        """The list of the tag whose slug is ``tag``, or of the writer whose username is ``author``
        (else the site's), as the API names them: one query finds its id, so that its pages read
        as a tag's page reads them, deep ones from anchors. An unknown name's list is empty."""
        if tag is not None and author is not None:
            raise ValueError("A public list is a tag's or a writer's, not both.")
        kind, name = ("tag", tag) if tag is not None else ("author", author)
        if name is None:
            return cls()
        with connections[router.db_for_read(Post)].cursor() as cursor:
            cursor.execute(_ID_OF_NAME[kind], [name])
            found = cursor.fetchone()
        return cls(0) if found is None else cls(**{kind: found[0]})

    def count(self) -> int:
        if self._count is None:
            self._count = ListCount.objects.public_posts(tag=self.tag, author=self.author)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[PostCard]:
        start, stop, _step = window.indices(self.count())
        return PostCard.page_of(start, stop, count=self._count, tag=self.tag, author=self.author)

    def counted_page(self, start: int, stop: int) -> list[PostCard] | None:
        """Cards ``start:stop`` of a list whose count is not known yet, with no query for the
        count: a page among the first reads it in the page's statement; a deep page has it kept
        with the list's anchors. None for any other, or for a page past the list's end, which its
        count alone decides."""
        if self._count is not None or not 0 <= start < stop:
            return None
        if start >= ListAnchors.EVERY:
            anchors = ListAnchors(router.db_for_read(Post), tag=self.tag, author=self.author)
            self._count = anchors.count()
            return self[start:stop] if start < self._count else None
        of = {"tag": self.tag, "author": self.author}
        rows, db = _list_rows(self._sqls(), start, stop, count=None, counted=True, **of)
        count = rows[0][CARD_WIDTH] if rows else None
        if count is None or count <= start:
            return None
        self._count = count
        return self._cards(rows, db, counted=True)

    def _sqls(self) -> dict[str, str]:
        return TAGGED_CARDS_SQL

    def _cards(self, rows: list, db: str, *, counted: bool) -> list[PostCard]:
        return _tagged_cards(rows, db)


class PublicListPaginator(Paginator):
    """Django's ``Paginator`` over ``PublicCards`` that may not know their count: a page among
    the first is read with the count, one query rather than a count and then the page. Any
    other page, or a number Django would not take, goes Django's way."""

    def get_page(self, number):
        asked = 1 if number is None else _whole_number(number)
        if asked is not None and asked >= 1 and not self.orphans:
            start = (asked - 1) * self.per_page
            cards = self.object_list.counted_page(start, start + self.per_page)
            if cards is not None:
                return self._get_page(cards, asked, self)
        return super().get_page(number)


class ResultsPaginator(PublicListPaginator):
    """Pages of ``SearchResults``, counting at most ``search.MAX_COUNTED`` matches: past that, the
    best ``MAX_COUNTED`` are paged and ``more`` says there were more."""

    @property
    def more(self) -> bool:
        """More posts match than were counted: the page says "more than"."""
        return self.object_list.more

    @property
    def newest(self) -> bool:
        """The matches counted and ranked are the newest: the page says so when there are more."""
        return self.object_list.newest

    @property
    def since(self):
        """The matches counted and ranked were published after this time (or None): the page says so."""
        return self.object_list.since


def _whole_number(number) -> int | None:
    """``number`` as ``Paginator.validate_number()`` reads a page number, or None if it would refuse it."""
    if isinstance(number, float) and not number.is_integer():
        return None
    try:
        return int(number)
    except (TypeError, ValueError):
        return None


# LISTS WITH THEIR TAGS: THE SITE'S AND THE API'S
# ------------------------------------------------------------------------------
# One page of a public list with a row for each of its posts' tags, by name (as Tag.of_posts()
# orders them), in one query: the cards (CARDS_SQL), then ``{columns}``, then the tag. The site's
# lists read it as it is (the tags' own query cost a list page a round trip); the API's adds
# each cover's uploader with their public posts (the kept count less those scheduled for later,
# as ListCountQuerySet.public_posts_of() counts them, the list's key as
# pagekeys.author_posts_key() names it). Read as columns: raw() building each post as a
# ``Post`` cost 1.3 ms of the API's list (docs/decisions/0086).
_TAGGED_CARDS_SQL = """
    SELECT c.*{columns}, tg.id AS tag_id, tg.name AS tag_name, tg.slug AS tag_slug
    FROM ({cards}) c{joins}
    LEFT JOIN posts_post_tags pt ON pt.post_id = c.id
    LEFT JOIN posts_tag tg ON tg.id = pt.tag_id
    ORDER BY c.published_at DESC, c.id DESC, tg.name
"""
_UPLOADER_POSTS, _UPLOADER_KEPT_COUNT = writer_public_posts_sql("o", "k")
_UPLOADER_COLUMNS = """, o.username AS uploader_username, o.display_name AS uploader_display_name,
        o.bio AS uploader_bio, CASE WHEN o.id IS NOT NULL THEN {posts} END AS uploader_post_count,
        {cover_uses} AS cover_used_by"""
_UPLOADER_COLUMNS = _UPLOADER_COLUMNS.replace("{posts}", _UPLOADER_POSTS)
_UPLOADER_JOINS = "\n    LEFT JOIN accounts_user o ON o.id = c.cover_owner_id" + _UPLOADER_KEPT_COUNT


# A first page (read without an anchor) of the site's list, or a tag's or a writer's by id, may
# also read the list's count (ListCountQuerySet.public_posts()'s statement): the first of
# ``{columns}``, in the kinds named "<kind> counted".
_LIST_COUNT_COLUMN = ", (SELECT public FROM ({kept}) kept) AS list_count"


def _tagged(columns: str = "", joins: str = "") -> dict[str, str]:
    tagged = _TAGGED_CARDS_SQL.replace("{joins}", joins)

    def written(kind: str, first: str = "") -> str:
        return tagged.replace("{columns}", first + columns).replace("{cards}", CARDS_SQL[kind])

    sqls = {kind: written(kind) for kind in CARDS_SQL}
    for kind in ("site", "tag", "author"):
        sqls[f"{kind} counted"] = written(kind, _LIST_COUNT_COLUMN.replace("{kept}", KEPT_COUNT_SQL[kind]))
    return sqls


TAGGED_CARDS_SQL = _tagged()
API_CARDS_SQL = _tagged(_UPLOADER_COLUMNS, _UPLOADER_JOINS)


def _tagged_cards(rows: list[tuple], db: str, each_new=None) -> list[PostCard]:
    """The cards of a page read with its tags (``_TAGGED_CARDS_SQL``), each with its tags;
    ``each_new(card, row)`` sees each card's first row."""
    cards: dict[int, PostCard] = {}
    for row in rows:  # a card's columns, any others, then one of its tags
        card = cards.get(row[0])
        if card is None:
            card = cards[row[0]] = _card(row, db, [])
            if each_new is not None:
                each_new(card, row)
        if row[-3] is not None:
            card.tags.append(TagLink(*row[-3:]))
    return list(cards.values())


class Uploader(NamedTuple):
    """A card's cover's uploader as the API shows them, with User's own rules borrowed."""

    pk: int
    username: str
    display_name: str
    bio: str
    post_count: int

    name = User.name
    get_absolute_url = User.get_absolute_url


class ApiCards(PublicCards):
    """A public list's cards as the API's list reads them (``API_CARDS_SQL``): each a ``PostCard``
    with its tags as ``TagLink`` and its cover's renditions, and, through ``uploader_of()`` and
    ``uses_of()``, its cover's uploader and the posts that use it."""

    def __init__(self, count: int | None = None, *, tag: int | None = None, author: int | None = None):
        super().__init__(count, tag=tag, author=author)
        self.uploaders: dict[int, Uploader] = {}
        self.uses: dict[int, list[int]] = {}

    def __getitem__(self, window: slice) -> list[PostCard]:
        start, stop, _step = window.indices(self.count())
        if stop <= start:
            return []
        rows, db = _list_rows(API_CARDS_SQL, start, stop, count=self._count, tag=self.tag, author=self.author)
        return self._cards(rows, db, counted=False)

    def _sqls(self) -> dict[str, str]:
        return API_CARDS_SQL

    def _cards(self, rows: list, db: str, *, counted: bool) -> list[PostCard]:
        """The cards of ``rows``; each cover's uploader and uses come after the count, if read."""
        keep = functools.partial(self._keep_cover_details, first=CARD_WIDTH + counted)
        return _tagged_cards(rows, db, keep)

    def _keep_cover_details(self, card: PostCard, row: tuple, *, first: int) -> None:
        cover = card.cover_columns  # its image is not made for this
        if cover is not None:
            *uploader, uses = row[first:-3]
            self.uploaders[cover.owner_id] = Uploader(cover.owner_id, *uploader)
            self.uses[cover.pk] = sorted(json.loads(uses or "[]"))  # PostgreSQL: NULL for none

    def uploader_of(self, cover: Image | _CoverColumns) -> Uploader:
        """The uploader of a cover on a page read here, with their number of public posts."""
        return self.uploaders[cover.owner_id]

    def uses_of(self, cover: Image | _CoverColumns) -> list[int]:
        """The ids of the posts that use a cover on a page read here, in order."""
        return self.uses[cover.pk]


# SEARCH RESULTS
# ------------------------------------------------------------------------------
# On PostgreSQL the search page's count and results are written out too (docs/decisions/0071):
# they repeat PostQuerySet.public() and search.apply()'s match and order, which test_search_sql
# holds together. ``{query}`` is search.postgres_query_sql() in the count, and the tsquery the
# count made of it in the page; the order is the RUM index's distance alone (a second key would
# make PostgreSQL rank every match, and equal matches come in the order of the plan, which is
# why that statement is planned each run) or, without RUM, ts_rank. What the results show is read
# by a function whose statement is planned once per connection (docs/decisions/0106). A query of
# common words (search.ranks_newest_matches) ranks its newest matches only: the newest posts are
# read until enough match, and those are ranked with ts_rank (docs/decisions/0098). A query with
# more than MAX_COUNTED matches among the posts of the recent index (search.renew_recent_index)
# ranks those: ``{recent}`` writes out its time, as the index does, so that PostgreSQL uses it
# (docs/decisions/0099).
_SEARCH_MATCH = " AND p.search_vector @@ {query}{recent}"
_SEARCH_WHERE = public_sql("p") + _SEARCH_MATCH
_SINCE_RECENT = " AND p.published_at > '{since}'::timestamptz " + PLANNED_EACH_RUN
_MATCHES_NEWEST_FIRST = " ORDER BY p.published_at DESC, p.id DESC"
# At most ``limit`` matches counted, and the stems the query looks for, for the snippets.
_SEARCH_COUNT = """
    SELECT count(*), ({query})::text
    FROM (SELECT 1 FROM posts_post p WHERE {where}{order} LIMIT %(limit)s) m
"""
SEARCH_COUNT_SQL = _SEARCH_COUNT.replace("{where}", _SEARCH_WHERE)
# The count among the newest posts, prepared: its one plan, made without the reader's words, reads
# the recent index where the public rule's time is the database's ``now()``, which the planner
# reads, and not a parameter, which it cannot. With a parameter it took the posts published between
# ``since`` and some time for a two-hundredth of them and joined the date index with the whole RUM
# index (1.4 to 1.7 ms at 100,000 posts, against 0.1 to 0.2 and no planning; docs/decisions/0118). The
# page's time is ``SearchResults.now``, a moment earlier: a post that became public in between is
# counted and not yet shown.
SEARCH_RECENT_COUNT_SQL = (
    _SEARCH_COUNT.replace("{where}", public_sql("p", now="now()") + _SEARCH_MATCH)
    .replace("{recent}", " AND p.published_at > '{since}'::timestamptz")
    .replace("{order}", "")  # the newest matches of common words are counted among every post
)
# A large blog's query with few matches among the newest posts (``since`` is None there) ranks
# all of them once, ``limit`` ids best first, and reads its page by id: a count and a page
# would intersect the query's entries in the whole index twice.
SEARCH_RANKED_SQL = """
    SELECT ({query})::text,
        ARRAY(SELECT p.id FROM posts_post p WHERE {where} ORDER BY {order} LIMIT %(limit)s)
""".replace("{where}", _SEARCH_WHERE)
# The page's ids, ranked, handed to the function that reads what a result shows, in their order
# (migration 0019).
SEARCH_PAGE_SQL = """
    SELECT * FROM posts_search_cards(ARRAY(
        SELECT p.id FROM (SELECT * FROM posts_post p WHERE {where}{newest}) p
        ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s
    ))
""".replace("{where}", _SEARCH_WHERE)
SEARCH_CARDS_SQL = "SELECT * FROM posts_search_cards(%(ids)s::bigint[])"
# The every-match ranking with the cards of the page asked for (``first`` to ``last`` of the ids
# ranked, counted from 1) beside it: one round trip where it was two (docs/decisions/0114). The
# ranking is materialized: written into the function's argument, it would be ranked twice.
SEARCH_RANKED_PAGE_SQL = """
    WITH r(tsquery, ids) AS MATERIALIZED ({ranked})
    SELECT r.*, c.* FROM r LEFT JOIN LATERAL posts_search_cards(r.ids[%(first)s:%(last)s]) c ON true
"""
SEARCH_NEWEST = _MATCHES_NEWEST_FIRST + " LIMIT %(newest)s"
SEARCH_TSQUERY = "%(tsquery)s::tsquery"
SEARCH_ORDER = {  # by the RUM index, or not (no RUM, or the newest matches of common words)
    True: "p.search_vector <=> {query} " + PLANNED_EACH_RUN,
    False: "ts_rank(p.search_vector, {query}) DESC, p.published_at DESC, p.id DESC",
}


def _since(time: datetime) -> str:
    """The recent index's condition, its time written out as the index has it, in a statement
    planned for its own query (a page ranked by the RUM index, whose order of equal matches is
    its plan's)."""
    return _SINCE_RECENT.replace("{since}", _written(time))


def _written(time: datetime) -> str:
    """A time as the recent index's condition writes it, so that PostgreSQL sees the index serves it."""
    return time.astimezone(UTC).isoformat()


def _with_snippets(rows: list[tuple], tsquery: str) -> list[tuple]:
    """Search rows with each body (the seventh column) made the snippet of ``tsquery``'s words."""
    pattern = search.stem_pattern(tsquery)
    return [(*row[:6], search.snippet(row[6], pattern), *row[7:]) for row in rows]


class _Tag(NamedTuple):
    """A search result's tag, with Tag's own rule for its address borrowed."""

    name: str
    slug: str

    get_absolute_url = Tag.get_absolute_url
    url = Tag.url


class SearchCard(NamedTuple):
    """A search result as the page shows it: a card without its cover, a snippet for its summary."""

    pk: int
    title: str
    slug: str
    summary: str
    reading_time_minutes: int
    published_at: datetime
    author: _Author
    tags: list[_Tag]  # by name
    snippet: str  # safe HTML: escaped text, matches in <mark>

    get_absolute_url = Post.get_absolute_url
    url = Post.url
    is_page = False  # search finds public posts only

    def markup_key(self) -> tuple:
        """What the result's title, meta and tags are made of, for ``remembered()``: all but
        its snippet, which depends on the words searched for."""
        return self[:-2], *self.tags


class SearchResults:
    """The public posts matching a reader's ``text``, best first, as ``ResultsPaginator`` pages
    through them: at most ``search.MAX_COUNTED`` of them counted (one query), and a page read as
    cards (one query for the posts with their writers, bodies and tags; two elsewhere). A large
    blog counts among its newest posts first (``since``), and ranks a query with few matches
    there once, over every post, with the page asked for beside the ranking (``counted_page``):
    two queries.

    On PostgreSQL the queries are written out, as the cards of the other lists are; elsewhere
    they come from ``Post.objects.public().search(text)``.
    """

    def __init__(self, text: str):
        self.text = search.clean_query(text)
        self.using = Post.objects.db
        self.postgres = connections[self.using].vendor == "postgresql"
        self.now = timezone.now()  # one moment for the count and the page

    @cached_property
    def _counted(self) -> tuple[int, str, datetime | None, list[int] | None]:
        """How many posts match, up to one past ``MAX_COUNTED``; on PostgreSQL, the query's stems,
        the time after which the matches counted and ranked were published (``since``), and the
        ids of the matches where they were ranked already (``SEARCH_RANKED_SQL``)."""
        return self._count(0, 0)[0]

    def counted_page(self, start: int, stop: int) -> list[SearchCard] | None:
        """Results ``start:stop``, their count not known yet: where every match is ranked, the
        page's cards come with the ranking. None for a page past the last result counted, which
        its count alone decides."""
        if "_counted" in self.__dict__ or not 0 <= start < stop:
            return None
        self._counted, rows = self._count(start, stop)
        if rows is None:
            return self[start:stop] if start < self.count() else None
        return self._cards(rows) if rows else None

    def _count(self, start: int, stop: int) -> tuple[tuple, list[tuple] | None]:
        """What ``_counted`` keeps, and the rows of results ``start:stop`` where every match was
        ranked (None where the page is read on its own)."""
        if not self.text:
            return (0, "", None, None), None
        if not self.postgres:
            matches = Post.objects.public().search(self.text).order_by().values("pk")
            return (matches[: search.MAX_COUNTED + 1].count(), "", None, None), None
        index = search.search_index(self.using)
        query, params = search.postgres_query_sql(self.text, index)
        order = _MATCHES_NEWEST_FIRST if self.newest else ""  # the matches the page ranks
        params = {**self._public(), **params, "limit": search.MAX_COUNTED + 1}
        since = None if self.newest else index.recent_since
        with connections[self.using].cursor() as cursor:
            if since is None:
                count_sql = SEARCH_COUNT_SQL.replace("{query}", query).replace("{order}", order)
                cursor.execute(count_sql.replace("{recent}", ""), params)
                return (*cursor.fetchone(), None, None), None
            count_sql = SEARCH_RECENT_COUNT_SQL.replace("{query}", query).replace("{since}", _written(since))
            cursor.execute(count_sql, params)
            found = cursor.fetchone()
            if found[0] > search.MAX_COUNTED:
                return (*found, since, None), None
            rank = SEARCH_ORDER[search.ranks_by_rum_index(self.using)].format(query=query)
            ranked_sql = SEARCH_RANKED_SQL.replace("{query}", query).replace("{order}", rank)
            sql = SEARCH_RANKED_PAGE_SQL.replace("{ranked}", ranked_sql.replace("{recent}", PLANNED_EACH_RUN))
            window = {"first": start + 1, "last": min(stop, search.MAX_COUNTED)}  # none past those counted
            cursor.execute(sql, {**params, **window})  # planned for its query
            rows = cursor.fetchall()
        tsquery, ranked = rows[0][:2]
        page = [row[2:] for row in rows if row[2] is not None]  # a post deleted since is left out
        return (len(ranked), tsquery, None, ranked), _with_snippets(page, tsquery)

    @property
    def since(self) -> datetime | None:
        """More than ``MAX_COUNTED`` posts published after this time match: the best of those are
        the ones counted and ranked, and the page says so; None when all posts are searched."""
        return self._counted[2]

    def count(self) -> int:
        return min(self._counted[0], search.MAX_COUNTED)

    def __len__(self) -> int:
        return self.count()

    @property
    def more(self) -> bool:
        """More posts match than were counted: the page says "more than"."""
        return self._counted[0] > search.MAX_COUNTED

    @cached_property
    def newest(self) -> bool:
        """The query's words are common: its newest ``MAX_COUNTED`` matches are the ones ranked."""
        if not self.postgres:
            return False
        return search.ranks_newest_matches(self.text, search.search_index(self.using).common)

    def __getitem__(self, window: slice) -> list[SearchCard]:
        start, stop, _step = window.indices(self.count())
        if stop <= start:
            return []
        return self._cards(self._postgres_rows(start, stop) if self.postgres else self._orm_rows(start, stop))

    @staticmethod
    def _cards(rows: list[tuple]) -> list[SearchCard]:
        return [
            SearchCard(
                pk, title, slug, summary, minutes, at, _Author(*writer), [_Tag(*t) for t in tags], snippet
            )
            for pk, title, slug, summary, minutes, at, snippet, tags, *writer in rows
        ]

    def _public(self) -> dict:
        return {"now": self.now}

    def _postgres_rows(self, start: int, stop: int) -> list[tuple]:
        # The query as the count's statement made it: a tsquery's text reads back as the same
        # tsquery, and PostgreSQL need not parse the reader's words again (0.2 ms of planning).
        _count, tsquery, since, ranked = self._counted
        if ranked is not None:
            return self._ranked_rows(ranked[start:stop], tsquery)
        order = SEARCH_ORDER[not self.newest and search.ranks_by_rum_index(self.using)]
        sql = SEARCH_PAGE_SQL.format(
            query=SEARCH_TSQUERY,
            recent=_since(since) if since else "",
            newest=SEARCH_NEWEST if self.newest else "",
            order=order.format(query=SEARCH_TSQUERY),
        )
        page = {"limit": stop - start, "offset": start, "newest": search.MAX_COUNTED}
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, {**self._public(), "tsquery": tsquery, **page})
            return _with_snippets(cursor.fetchall(), tsquery)

    def _ranked_rows(self, ids: list[int], tsquery: str) -> list[tuple]:
        """The cards of ``ids``, in their order (a post deleted since it was ranked is left out)."""
        with connections[self.using].cursor() as cursor:
            cursor.execute(SEARCH_CARDS_SQL, {"ids": ids})
            return _with_snippets(cursor.fetchall(), tsquery)

    def _orm_rows(self, start: int, stop: int) -> list[tuple]:
        posts = search.add_snippets(
            Post.objects.public().search(self.text).select_related("author")[start:stop], self.text
        )
        tags = Tag.of_posts([post.pk for post in posts], using=self.using)
        return [
            (
                *(post.pk, post.title, post.slug, post.summary, post.reading_time_minutes, post.published_at),
                *(post.snippet, [(tag.name, tag.slug) for tag in tags.get(post.pk, [])]),
                *(post.author_id, post.author.username, post.author.display_name),
            )
            for post in posts
        ]


# A post page's post as a visitor may read it (``Post.objects.posts().live()``), with its writer,
# its cover and the cover's renditions, in one written-out query: built by the ORM it cost more
# CPU than the page's other three queries together (docs/decisions/0085). public_sql() writes
# public()'s rule; test_cards holds the two together. The search vector is left out, as the
# manager leaves it out.
_POST_FIELDS = tuple(field for field in Post._meta.concrete_fields if field.attname != "search_vector")
_USER_FIELDS = tuple(User._meta.concrete_fields)
_PUBLIC_POST_SQL = """
    SELECT {columns}
    FROM posts_post p
    JOIN accounts_user u ON u.id = p.author_id
    LEFT JOIN media_image i ON i.id = p.cover_id
    WHERE p.slug = %(slug)s AND {public}
""".replace("{public}", public_sql("p"))
_PUBLIC_POST_SQL = _PUBLIC_POST_SQL.replace(
    "{columns}",
    ", ".join(
        [f"p.{field.column}" for field in _POST_FIELDS]
        + [f"u.{field.column}" for field in _USER_FIELDS]
        + [f"i.{field.column}" for field in Image._meta.concrete_fields]
        + ["{renditions}"]
    ),
)


def public_post(slug: str) -> Post | None:
    """The public post at ``slug`` with its writer and its cover (renditions prefetched), or None."""
    db = router.db_for_read(Post)
    params = {"slug": slug, "now": timezone.now()}
    with connections[db].cursor() as cursor:
        sql = written_for(_PUBLIC_POST_SQL, connections[db].vendor)
        cursor.execute(sql, sql_params(params, connections[db]))
        row = cursor.fetchone()
    if row is None:
        return None
    posts, users = len(_POST_FIELDS), len(_POST_FIELDS) + len(_USER_FIELDS)
    post = from_columns(Post, _POST_FIELDS, row[:posts], db)
    post.author = from_columns(User, _USER_FIELDS, row[posts:users], db)
    post.cover = None if row[users] is None else _cover_of(row[users:], db)
    return post

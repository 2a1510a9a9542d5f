"""The JSON API for posts: list, read, create, replace, change and delete (see API.md); and for
the people who write them: sign-in, writers' public profiles and the caller's own profile, each
with the number of posts they published."""

import functools
from datetime import datetime
from typing import Annotated, Literal

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F, OuterRef, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router
from ninja.responses import Status
from pydantic import ConfigDict

from accounts import backends, permissions, tokens
from accounts.api import ANYONE, SIGNED_IN, UserRef, user_ref
from accounts.models import WRITERS_KEY, Role
from blogsite import pagecache
from blogsite.api import (
    NO_NUL,
    ApiError,
    Moment,
    Page,
    PageParams,
    Schema,
    absolute_uri,
    check_if_match,
    errors,
    etag_of,
    paginate,
    text,
    written,
    written_page,
)
from blogsite.conditional import is_not_modified
from blogsite.jinja2 import Remembered, localised
from media import api as media_api
from media.api import MediaOut
from media.models import Image

from . import pagekeys, search, services
from .cards import ApiCards
from .models import (
    MAX_BODY_LENGTH,
    MAX_EXCERPT_LENGTH,
    MAX_TAG_NAME_LENGTH,
    MAX_TAGS_PER_POST,
    MAX_TITLE_LENGTH,
    ListCount,
    Post,
    writer_public_posts_sql,
)

router = Router(tags=["posts"], auth=ANYONE)

StatusName = Literal["draft", "review", "published", "scheduled"]
Title = text(MAX_TITLE_LENGTH, min_length=1, strip=True)
Body = text(MAX_BODY_LENGTH, multiline=True)
Excerpt = text(MAX_EXCERPT_LENGTH, multiline=True)
Tags = Annotated[
    list[text(MAX_TAG_NAME_LENGTH, min_length=1, strip=True)], Field(max_length=MAX_TAGS_PER_POST)
]


class PostBase(Schema):
    id: int
    title: str
    slug: str = Field(
        description="The post's address for good once it is published or scheduled; until then a "
        "provisional one only its writer and editors see, its title and a random token (`idea--k3x9q2`)."
    )
    url: str
    status: StatusName
    author: UserRef
    tags: list[str]
    excerpt: str
    reading_time_minutes: int
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    cover: MediaOut | None


class PostSummaryOut(PostBase):
    """A post in a list: no body; with `q`, a snippet of the matching text."""

    snippet: str = Field(None, description="Only with `q`: the matching text, matches in `<mark>`.")


class PostOut(PostBase):
    body: str
    body_html: str


class PostFilters(PageParams):
    tag: str = Field(None, max_length=60, pattern=NO_NUL, description="A tag's slug.")
    author: str = Field(None, max_length=150, pattern=NO_NUL, description="A username.")
    q: str = Field(None, max_length=200, pattern=NO_NUL, description="Full-text search: best match first.")
    status: StatusName = Field(None, description="The caller's own posts (all, for editors) in that status.")
    mine: bool = Field(False, description="Only the caller's own posts, in every status.")


class PostIn(Schema):
    """A new post; only these fields can be written, anything else in the body is refused."""

    model_config = ConfigDict(extra="forbid")
    title: Title
    body: Body = ""
    excerpt: Excerpt = ""
    tags: Tags = []
    status: StatusName = "draft"
    published_at: Moment | None = None
    cover: int | None = Field(None, description="The id of a library image the caller may use, or null.")


class PostReplaceIn(PostIn):
    """Every writable field, as PUT replaces them all."""

    body: Body
    excerpt: Excerpt
    tags: Tags
    status: StatusName
    published_at: Moment | None


class PostPatchIn(Schema):
    """Some writable fields; the others keep their values."""

    model_config = ConfigDict(extra="forbid")
    title: Title = None
    body: Body = None
    excerpt: Excerpt = None
    tags: Tags = None
    status: StatusName = None
    published_at: Moment | None = None
    cover: int | None = None


def post_data(request, post, *, full=True, covers=None) -> dict:
    """A post as the API shows it; lists leave out the body and its HTML, and give their covers,
    read once for the page, by id (``covers_data``). ``post`` may be a list's ``PostCard``."""
    tags = post.tags if isinstance(post.tags, list) else post.tags.all()
    data = {
        "id": post.pk,
        "title": post.title,
        "slug": post.slug,
        "url": absolute_uri(request, post.get_absolute_url()),
        "status": post.display_status,
        "author": user_ref(request, post.author),
        "tags": [tag.name for tag in tags],
        "excerpt": post.summary,
        "reading_time_minutes": post.reading_time_minutes,
        "published_at": post.published_at,
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "cover": _cover_data(request, post, covers),
    }
    if full:
        data |= {"body": post.body, "body_html": post.body_html}
    if hasattr(post, "snippet"):
        data["snippet"] = post.snippet
    return data


def _cover_data(request, post, covers) -> dict | None:
    """The post's cover as a Media: from a list's ``covers``, or read here, its uploader's posts counted."""
    if covers is not None:  # by id: a list's card does not make its cover's image for this
        return None if post.cover_id is None else covers[post.cover_id]
    if post.cover is None:
        return None
    return media_api.media_data(request, post.cover, media_api.public_post_counts([post.cover.owner_id]))


def covers_data(request, posts) -> dict[int, dict]:
    """The covers of a page of posts as Media, by id: their uses and uploaders read for them all."""
    counts = read_covers(posts)
    return {post.cover.pk: media_api.media_data(request, post.cover, counts) for post in posts if post.cover}


# A public list's posts, each checked and written as JSON once for everything it shows, then
# given again (docs/decisions/0109): made, checked and written field by field on every read, a
# page of ten posts cost a fifth of an uncached `GET /api/posts`, and the same posts are on
# every list.
_remembered_summaries = Remembered(keep=True, limit=2048)  # some 1 KB a post, 2.5 KB with a cover


def written_summary(request, card, read: ApiCards) -> bytes:
    """A public list's ``card`` as ``PostSummaryOut`` JSON, remembered by all it is made of: the
    card's columns and tags, its cover's with the cover's uploader and uses, and the site's
    address. A changed title, name or cover is another key, so nothing goes stale."""
    cover = card.cover_columns
    cover_key = None if cover is None else (cover.columns, read.uploader_of(cover), *read.uses_of(cover))
    key = (absolute_uri(request, "/"), card.markup_key(), cover_key)
    return _remembered_summaries(key, _written_summary, request, card, read)


def _written_summary(request, card, read: ApiCards) -> bytes:
    covers = {}
    if (cover := card.cover_columns) is not None:  # with what the list read of it
        uploader = read.uploader_of(cover)
        counts = {uploader.pk: uploader.post_count}
        covers[cover.pk] = media_api.media_data(
            request, card.cover, counts, owner=uploader, used_by=read.uses_of(cover)
        )
    data = post_data(request, card, full=False, covers=covers)
    return written(request, PostSummaryOut, data, exclude_unset=True)


# A page's covers' uploaders, each with their number of public posts (writer_public_posts_sql());
# {ids} names each uploader. Built by the ORM it cost 1 ms of an uncached list with a cover;
# test_cover_images compares the two.
_UPLOADER_POSTS, _UPLOADER_KEPT_COUNT = writer_public_posts_sql("u", "c")
_UPLOADERS_SQL = """
    SELECT u.*, {posts} AS post_count
    FROM accounts_user u {kept_count}
    WHERE u.id IN ({ids})
""".replace("{posts}", _UPLOADER_POSTS).replace("{kept_count}", _UPLOADER_KEPT_COUNT)


def read_covers(posts) -> dict[int, int]:
    """Read the uses of a page's covers (unless prefetched with the posts) and their uploaders with
    their numbers of public posts: two queries, none without covers. The numbers, by uploader."""
    covers = [post.cover for post in posts if post.cover is not None]
    if not covers:
        return {}
    prefetch_related_objects(covers, "uses")
    ids = sorted({cover.owner_id for cover in covers})
    sql = _UPLOADERS_SQL.format(ids=", ".join(f"%(uploader_{n})s" for n in range(len(ids))))
    params = {"now": timezone.now(), **{f"uploader_{n}": pk for n, pk in enumerate(ids)}}
    uploaders = {user.pk: user for user in get_user_model().objects.raw(sql, params)}
    for cover in covers:
        cover.owner = uploaders[cover.owner_id]
    return {pk: uploader.post_count for pk, uploader in uploaders.items()}


def _filtered_posts(user, filters: PostFilters):
    """The posts a list shows: public ones, unless the caller asks for their own (or, as an editor, any)."""
    posts = Post.objects.posts().visible_to(user)
    if filters.mine:
        if not user.is_authenticated:
            raise ApiError(401, "Sign in to list your own posts.", headers={"WWW-Authenticate": "Bearer"})
        posts = posts.filter(author=user)
    if filters.status and user.is_authenticated:
        posts = posts.in_status(filters.status)
        if not user.is_editor:
            posts = posts.filter(author=user)
    elif not filters.mine:
        posts = posts.public()
    if filters.tag:
        posts = posts.filter(tags__slug=filters.tag)
    if filters.author:
        posts = posts.filter(author__username=filters.author)
    posts = posts.for_listing().prefetch_related("cover__uses")  # the uploaders: read_covers()
    if filters.q:
        return posts.search(filters.q)  # ranked; the page shown gets its snippets
    return posts.order_by(F("published_at").desc(nulls_first=True), "-id")


def _post_for(request, post_id: int, *, lock=False) -> Post:
    """The post if the caller may see it; 404 otherwise, so drafts of others do not leak."""
    posts = Post.objects.posts().visible_to(request.auth).select_related("author", "cover__owner")
    posts = posts.prefetch_related("tags", "cover__renditions", "cover__uses")
    if lock:
        posts = posts.select_for_update(of=("self",))
    post = posts.filter(pk=post_id).first()
    if post is None:
        raise ApiError(404, f"No post with id {post_id}.")
    return post


@router.get("/posts", response={200: Page[PostSummaryOut], **errors(400, 401, 429)}, exclude_unset=True)
def api_post_list(request, filters: Query[PostFilters], response: HttpResponse):
    """Public posts, newest first; filters narrow them, `q` ranks them by relevance."""

    def keyed(rows):
        pagecache.add_keys(response, pagekeys.POSTS, *pagekeys.for_cards(rows))
        return rows

    posts = _kept_list(request.auth, filters)
    if posts is not None:  # a public list: its pages read as cards (docs/decisions/0082, 0086, 0109)
        summary = functools.partial(written_summary, request, read=posts)
        with localised():  # for each summary's key
            return written_page(response, paginate(request, posts, filters, summary, prepare=keyed))
    posts = _filtered_posts(request.auth, filters)
    with_snippets = functools.partial(search.add_snippets, text=filters.q) if filters.q else list
    covers = {}

    def prepare(rows):
        rows = with_snippets(rows)
        covers.update(covers_data(request, rows))
        return keyed(rows)

    summary = functools.partial(post_data, request, full=False, covers=covers)
    return paginate(request, posts, filters, summary, prepare=prepare)


def _kept_list(user, filters: PostFilters) -> ApiCards | None:
    """A public list whose count the database keeps (all posts, a tag's or a writer's), as cards
    that read it without counting (the site's with its first pages); None for the lists it does
    not keep (searches, own posts, two filters)."""
    private = filters.mine or (filters.status and user.is_authenticated)
    if private or filters.q or (filters.tag and filters.author):
        return None
    return ApiCards.named(tag=filters.tag or None, author=filters.author or None)


@router.get("/posts/{int:post_id}", response={200: PostOut, 304: None, **errors(401, 404, 429)})
def api_post_detail(request, post_id: int, response: HttpResponse):
    post = _post_for(request, post_id)
    data = post_data(request, post)
    pagecache.add_keys(response, *pagekeys.for_cards([post]))
    response["ETag"] = etag = etag_of(data)
    if is_not_modified(request, etag):
        return Status(304, None)
    return data


CONTENT_FIELDS = ("title", "body", "excerpt", "tags", "cover")


def _cover_for(user, cover_id: int | None):
    """The library image a request names as cover (400 unless the caller may use it), or None."""
    if cover_id is None:
        return None
    image = Image.objects.visible_to(user).filter(pk=cover_id).first()
    if image is None:
        raise DjangoValidationError({"cover": [f"No image with id {cover_id} in your library."]})
    return image


def _write(request, post: Post | None, changes: dict) -> Post:
    """Save through the publishing workflow (posts.services), so its rules and permissions apply."""
    user = request.auth
    # With If-Match (checked against the current version under lock) the caller read this version.
    read = post is not None and "If-Match" in request.headers
    if post is None or any(name in changes for name in CONTENT_FIELDS):
        words = {name: changes.get(name, getattr(post, name, "")) for name in ("title", "body", "excerpt")}
        tags = changes["tags"] if "tags" in changes else [tag.name for tag in post.tags.all()]
        cover = _cover_for(user, changes["cover"]) if "cover" in changes else services.UNCHANGED
        post = services.post_save(by=user, post=post, tags=tags, cover=cover, **words)
    status = changes.get("status")
    if status is None and "published_at" in changes and post.status == Post.Status.PUBLISHED:
        status = "published"  # a new time on a live or scheduled post reschedules it
    if status is not None:
        at, version = changes.get("published_at"), post.version if read else None
        try:
            post = services.post_set_status(
                post=post, by=user, status=status, published_at=at, expected_version=version
            )
        except services.VersionRequired as refused:
            raise ApiError(428, f"{refused} Send If-Match with the ETag of the version you read.") from None
    return post


WRITE_ERRORS = (400, 401, 403, 404, 409, 412, 413, 415, 428, 429)


@router.post("/posts", auth=SIGNED_IN, response={201: PostOut, **errors(400, 401, 403, 409, 413, 415, 429)})
def api_post_create(request, payload: PostIn, response: HttpResponse):
    with transaction.atomic():  # a refused status change, or an answer that fails, leaves no draft behind
        post = _write(request, None, payload.model_dump())
        data = post_data(request, _post_for(request, post.pk))
    response["Location"] = reverse("api:api_post_detail", kwargs={"post_id": post.pk})
    return Status(201, data)


def _update(request, post_id: int, changes: dict) -> dict:
    with transaction.atomic():
        post = _post_for(request, post_id, lock=True)
        if not permissions.can_edit(request.auth, post):  # even a request that changes nothing
            raise PermissionDenied("You may not change this post.")
        check_if_match(request, etag_of(post_data(request, post)))
        _write(request, post, changes)
        return post_data(request, _post_for(request, post_id))  # read back before the write commits


@router.put("/posts/{int:post_id}", auth=SIGNED_IN, response={200: PostOut, **errors(*WRITE_ERRORS)})
def api_post_replace(request, post_id: int, payload: PostReplaceIn, response: HttpResponse):
    data = _update(request, post_id, payload.model_dump())
    response["ETag"] = etag_of(data)
    return data


@router.patch("/posts/{int:post_id}", auth=SIGNED_IN, response={200: PostOut, **errors(*WRITE_ERRORS)})
def api_post_update(request, post_id: int, payload: PostPatchIn, response: HttpResponse):
    data = _update(request, post_id, payload.model_dump(exclude_unset=True))
    response["ETag"] = etag_of(data)
    return data


DELETE_ERRORS = (401, 403, 404, 412, 429)


@router.delete("/posts/{int:post_id}", auth=SIGNED_IN, response={204: None, **errors(*DELETE_ERRORS)})
def api_post_delete(request, post_id: int):
    with transaction.atomic():
        post = _post_for(request, post_id, lock=True)
        check_if_match(request, etag_of(post_data(request, post)))
        services.post_delete(post=post, by=request.auth)
    return Status(204, None)


# PEOPLE: writers' public profiles and the caller's own, each with their public post count
# ------------------------------------------------------------------------------
people = Router(tags=["people"], auth=ANYONE)
# The operation ids are the ones these endpoints had in accounts/api.py: clients generated
# from the OpenAPI document name their methods after them.


class UserOut(UserRef):
    bio: str
    post_count: int


class MeOut(UserOut):
    email: str
    role: Role


class LoginIn(Schema):
    model_config = ConfigDict(extra="forbid")
    username: text(254, min_length=1) = Field(description="The username or the e-mail address.")
    password: text(4096, min_length=1, multiline=True)


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_in: int
    user: MeOut


class ProfileIn(Schema):
    model_config = ConfigDict(extra="forbid")
    display_name: text(100, strip=True) = None
    bio: text(2000, multiline=True) = None


def user_data(request, user) -> dict:
    """A public profile: never the e-mail address."""
    return user_ref(request, user) | {"bio": user.bio, "post_count": user.post_count}


def me_data(request, user) -> dict:
    """The caller's own profile: the public one plus e-mail address and role."""
    user.post_count = ListCount.objects.public_posts(author=user.pk)
    return user_data(request, user) | {"email": user.email, "role": user.role}


def _writers():
    """Active users with at least one public post, each with the number of those posts (kept
    by the database: counting them here read every post of every writer)."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(post_count=ListCount.objects.public_posts_of(author=OuterRef("pk")))
        .filter(post_count__gt=0)
        .order_by("username")
    )


@people.post(
    "/auth/login",
    operation_id="accounts_api_api_login",
    auth=None,
    response={200: TokenOut, **errors(400, 401, 413, 415, 429)},
)
def api_login(request, credentials: LoginIn):
    """Trade a username (or e-mail address) and password for a bearer token."""
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None:
        if wait := backends.sign_in_blocked_for(request):
            raise ApiError(
                429, "Too many failed sign-ins; try again later.", headers={"Retry-After": str(wait)}
            )
        raise ApiError(401, "Wrong username or password.", headers={"WWW-Authenticate": "Bearer"})
    return {
        "token": tokens.issue_token(user),
        "expires_in": settings.BLOG_API_TOKEN_SECONDS,
        "user": me_data(request, user),
    }


@people.get(
    "/users",
    operation_id="accounts_api_api_user_list",
    response={200: Page[UserOut], **errors(400, 401, 429)},
)
def api_user_list(request, params: Query[PageParams], response: HttpResponse):
    """Writers who have published posts, by username."""
    page = paginate(request, _writers(), params, lambda user: user_data(request, user))
    shown = [key for user in page["results"] for key in pagekeys.for_writer(user["id"])]
    pagecache.add_keys(response, WRITERS_KEY, *shown)
    return page


@people.get(
    "/users/{int:user_id}",
    operation_id="accounts_api_api_user_detail",
    response={200: UserOut, **errors(401, 404, 429)},
)
def api_user_detail(request, user_id: int, response: HttpResponse):
    user = get_object_or_404(_writers(), pk=user_id)
    pagecache.add_keys(response, WRITERS_KEY, *pagekeys.for_writer(user.pk))
    return user_data(request, user)


@people.get(
    "/profile",
    operation_id="accounts_api_api_profile",
    auth=SIGNED_IN,
    response={200: MeOut, **errors(401, 429)},
)
def api_profile(request):
    return me_data(request, request.auth)


@people.patch(
    "/profile",
    operation_id="accounts_api_api_profile_update",
    auth=SIGNED_IN,
    response={200: MeOut, **errors(400, 401, 403, 413, 415, 429)},
)
def api_profile_update(request, changes: ProfileIn):
    """Change the display name and bio; nothing else about a user is writable here."""
    user = request.auth
    fields = changes.model_dump(exclude_unset=True)
    for name, value in fields.items():
        setattr(user, name, value)
    if fields:
        user.save(update_fields=list(fields))
    return me_data(request, user)

"""The writes of the publishing workflow, shared by the dashboard, the JSON API and the admin.

Each function takes keyword arguments only, runs in one transaction, checks the caller's
permission through ``accounts.permissions`` and the business rules itself, and raises:

- ``PermissionDenied`` when ``by`` may not do this to this post (callers make it a 403;
  whether the post may be *seen* at all is the caller's 404, via ``Post.objects.visible_to``);
- ``ValidationError`` (with a dict of field → messages) when the post or the input breaks a
  rule, e.g. publishing without a title or body;
- ``EditConflict`` when ``expected_version`` is given and the post changed since then.

Every change to a post's words records a ``Revision``.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import permissions
from accounts.models import Role
from blogsite import mail, pagecache
from blogsite.dates import validate_date_in_range
from media.models import Image

from . import signals
from .models import Post, PostImage, RelatedPost, Revision, Tag, provisional_slug, unique_slug

UNCHANGED = object()  # a keyword argument left out: the post keeps what it has


class VersionRequired(Exception):
    """Publishing a post in review needs the version the editor read (``expected_version``)."""

    def __init__(self, post):
        super().__init__(
            f"“{post.title}” is in review: publish it from a page that shows its words, "
            "so the version you read is the one that goes live."
        )
        self.post = post


class EditConflict(Exception):
    """The post changed since the writer loaded it (``expected_version``); nothing was saved."""

    def __init__(self, post):
        super().__init__("This post was changed by someone else since you opened it.")
        self.post = post


def _lock(post: Post, expected_version: str | None = None) -> None:
    """Reload ``post`` under a row lock, so concurrent writes queue up, and refuse a stale version."""
    post.refresh_from_db(from_queryset=Post.objects.select_for_update())
    if expected_version is not None and expected_version != post.version:
        raise EditConflict(post)


def _tag_names(tags: Iterable[str]) -> list[str]:
    try:
        return Tag.clean_names(tags)
    except ValidationError as error:
        raise ValidationError({"tags": error.messages}) from error


def _check_new_tags(names: list[str], by) -> None:
    """Non-editors create at most BLOG_NEW_TAGS_PER_DAY tags a day: every tag is listed on the site."""
    if permissions.can_review(by):
        return
    new = Tag.new_names(names)
    if not new:
        return
    left = max(settings.BLOG_NEW_TAGS_PER_DAY - Tag.created_recently_by(by), 0)
    if len(new) > left:
        message = (
            f"You may create {left} new tag(s) today, and these are new: {', '.join(new[:5])}. "
            "Choose existing tags, or ask an editor to add them."
        )
        raise ValidationError({"tags": [message]})


def _check_publishable(post: Post) -> None:
    """A post goes live only with words in it: a title and a body."""
    errors = {}
    if not post.title.strip():
        errors["title"] = ["A post needs a title before it is published."]
    if not post.body.strip():
        errors["body"] = ["A post needs a body before it is published."]
    if errors:
        raise ValidationError(errors)


@contextmanager
def bulk_writes() -> Iterator[None]:
    """Many posts written at once (an import): what each save would keep up to date is done once, at the end.

    Every save still runs its signals, but the pages they retire and the related-posts
    rankings they refresh are gathered and dealt with when the block ends, so afterwards the
    page cache and the rankings are as if each post had been saved on its own (decision 0052).
    """
    with pagecache.retiring_once(), RelatedPost.objects.refreshing_once():
        yield


@transaction.atomic
def create_posts(new: list[tuple[Post, list[Tag]]], *, note: str) -> None:
    """Insert many new posts, each with its tags, at once (an import's batch): a few queries in
    all rather than a dozen a post.

    The rows are those saving each post would write (its rendered fields, tags, image uses and
    a first revision by its author with ``note``), and the pages retired and the rankings
    refreshed are the same (``signals.created_in_bulk``). A post nobody may read yet gets a
    provisional slug; one that is public or scheduled keeps the slug it was given, else gets
    one from its title. Raises ``IntegrityError``, having written nothing, when a slug is taken.
    """
    if not new:
        return
    uses = []
    for post, _tags in new:
        images = post.fill_made_fields()
        uses.append({pk for pk in [post.cover_id, *(image.pk for image in images)] if pk})
        if not post.keeps_its_slug:
            published = post.status == Post.Status.PUBLISHED
            post.slug = unique_slug(Post, post.title) if published else provisional_slug(post.title)
    Post.objects.bulk_create([post for post, _tags in new])
    Post.tags.through.objects.bulk_create(
        Post.tags.through(post_id=post.pk, tag_id=tag.pk) for post, tags in new for tag in tags
    )
    used = [
        PostImage(post=post, image_id=pk) for (post, _tags), ids in zip(new, uses, strict=True) for pk in ids
    ]
    if used:
        PostImage.objects.bulk_create(used)
        Image.objects.filter(pk__in={use.image_id for use in used}).update(last_used_at=timezone.now())
    Revision.objects.bulk_create(
        Revision(
            post=post,
            number=1,
            title=post.title,
            body=post.body,
            excerpt=post.excerpt,
            tags=sorted(tag.name for tag in tags),
            created_by=post.author,
            note=note,
        )
        for post, tags in new
    )
    signals.created_in_bulk(
        [post for post, _tags in new], {post.pk: [tag.pk for tag in tags] for post, tags in new}
    )


def revision_record(*, post: Post, by, note: str = "", autosave: bool = False) -> Revision:
    """Keep the post's current words as a revision; a run of autosaves by one writer keeps only the last."""
    latest = post.revisions.order_by("-number").first()
    fields = {
        "title": post.title,
        "body": post.body,
        "excerpt": post.excerpt,
        "tags": sorted(tag.name for tag in post.tags.all()),
    }
    if autosave and latest and latest.is_autosave and latest.created_by_id == getattr(by, "pk", None):
        for name, value in fields.items():
            setattr(latest, name, value)
        latest.created_at = timezone.now()
        latest.save()
        return latest
    number = (latest.number if latest else 0) + 1
    return Revision.objects.create(
        post=post, number=number, created_by=by, note=note, is_autosave=autosave, **fields
    )


@transaction.atomic
def post_save(
    *,
    by,
    post: Post | None = None,
    title: str,
    body: str = "",
    excerpt: str = "",
    tags: Iterable[str] = (),
    expected_version: str | None = None,
    autosave: bool = False,
    note: str = "",
    cover=UNCHANGED,
) -> Post:
    """Create a draft (``post=None``) or change a post's words and tags; records a revision.

    The status is left alone: publishing, scheduling and review are their own functions.
    ``autosave=True`` is what the editor's background save sends: it never touches a
    published post. Raises ``EditConflict`` when ``expected_version`` is stale. ``cover`` is a
    library image ``by`` may use, or None for none; left out, the cover stays as it was.
    """
    Post.check_words(title=title, body=body, excerpt=excerpt)
    names = _tag_names(tags)
    _check_new_tags(names, by)
    if post is None:
        if not permissions.can_write(by):
            raise PermissionDenied("Sign in to write.")
        post = Post(author=by)
    else:
        _lock(post, expected_version)
        allowed = permissions.can_autosave if autosave else permissions.can_edit
        if not allowed(by, post):
            raise PermissionDenied("You may not change this post.")
    post.title, post.body, post.excerpt = title, body, excerpt
    if cover is not UNCHANGED and getattr(cover, "pk", None) != post.cover_id:
        if cover is not None and not permissions.can_use_image(by, cover):
            raise ValidationError({"cover": ["You may not use this image as a cover."]})
        post.cover = cover
    if post.status == Post.Status.PUBLISHED:
        _check_publishable(post)
    post.save()
    post.tags.set(Tag.from_names(names, by=by))
    revision_record(post=post, by=by, note=note or ("Autosaved" if autosave else "Saved"), autosave=autosave)
    return post


@transaction.atomic
def post_submit(*, post: Post, by) -> Post:
    """Send a draft to review and e-mail every editor a link to it (after the transaction commits)."""
    _lock(post)
    if not permissions.can_edit(by, post):
        raise PermissionDenied("You may not submit this post.")
    if post.status != Post.Status.DRAFT:
        raise ValidationError({"status": ["Only a draft can be submitted for review."]})
    _check_publishable(post)
    post.status = Post.Status.REVIEW
    post.save()
    transaction.on_commit(lambda: _notify_editors(post, by))
    return post


def _notify_editors(post: Post, by) -> None:
    """One e-mail to each active editor (and admin) with an address, linking to the post's edit page."""
    editors = get_user_model().objects.filter(role__in=[Role.EDITOR, Role.ADMIN], is_active=True)
    link = mail.link(post.get_edit_url())
    for editor in editors.exclude(email="").exclude(pk=by.pk):
        context = {"editor": editor, "writer": by, "post": post, "link": link}
        mail.send_email(to=[editor.email], name="review_requested", context=context)


@transaction.atomic
def post_publish(*, post: Post, by, at: datetime | None = None, expected_version: str | None = None) -> Post:
    """Publish now (``at=None``) or schedule for ``at``, an aware datetime in the future.

    A post that already went live keeps its first publication date when published again.
    A post in review goes live only as the version the editor read: without
    ``expected_version`` it raises ``VersionRequired``, with a stale one ``EditConflict``.
    """
    _lock(post, expected_version)
    if post.status == Post.Status.REVIEW and expected_version is None:
        raise VersionRequired(post)
    if not permissions.can_publish(by, post):
        raise PermissionDenied("You may not publish this post.")
    _check_publishable(post)
    if at is not None:
        if timezone.is_naive(at):
            raise ValidationError({"published_at": ["Give the time with its time zone."]})
        if at <= timezone.now():
            raise ValidationError({"published_at": ["Choose a time in the future to schedule the post."]})
        try:
            validate_date_in_range(at)
        except ValidationError as error:
            raise ValidationError({"published_at": error.messages}) from error
    post.publish(at=at)
    return post


@transaction.atomic
def post_unpublish(*, post: Post, by) -> Post:
    """Take a published or scheduled post off the site; it becomes a draft again (its address stays)."""
    _lock(post)
    if not permissions.can_publish(by, post):
        raise PermissionDenied("You may not unpublish this post.")
    if post.status != Post.Status.PUBLISHED:
        raise ValidationError({"status": ["Only a published or scheduled post can be unpublished."]})
    post.unpublish()
    return post


@transaction.atomic
def post_return_to_draft(*, post: Post, by) -> Post:
    """Withdraw a post from review (its writer, or an editor sending it back)."""
    _lock(post)
    if not permissions.can_edit(by, post):
        raise PermissionDenied("You may not change this post.")
    if post.status != Post.Status.REVIEW:
        raise ValidationError({"status": ["Only a post in review can go back to draft."]})
    post.status = Post.Status.DRAFT
    post.save()
    return post


# ACTIONS: what a writer asks for (a dashboard button, an admin action, an API status
# change) and the workflow step it means, mapped here once.
ACTIONS = ("save", "submit", "publish", "schedule", "unpublish", "withdraw")


@transaction.atomic
def post_act(*, post: Post, by, action: str, at: datetime | None = None, expected_version=None) -> Post:
    """Do a writer's action on ``post``: the one mapping of actions to workflow steps.

    ``save`` changes nothing here (the words are saved by ``post_save``); ``schedule`` needs
    ``at``; publishing checks ``expected_version``, the version the writer read.
    """
    if action == "save":
        return post
    if action == "submit":
        return post_submit(post=post, by=by)
    if action == "publish":
        return post_publish(post=post, by=by, expected_version=expected_version)
    if action == "schedule":
        if at is None:
            raise ValidationError({"published_at": ["Choose the date and time to publish at."]})
        return post_publish(post=post, by=by, at=at, expected_version=expected_version)
    if action == "unpublish":
        return post_unpublish(post=post, by=by)
    if action == "withdraw":
        return post_return_to_draft(post=post, by=by)
    raise ValidationError({"action": [f"Unknown action “{action}”."]})


def actions_for_status(post: Post, status: str, at: datetime | None = None) -> list[str]:
    """The actions that take ``post`` to ``status`` as writers name it (``display_status``).

    "scheduled" is "published" with a future ``at``; "published" with a future ``at``
    schedules too, and with none (or a past one) publishes now.
    """
    future = at is not None and at > timezone.now()
    if status == "scheduled" and not future:
        raise ValidationError({"published_at": ["Give a time in the future to schedule the post."]})
    if status in (Post.Status.PUBLISHED, "scheduled"):
        return ["schedule"] if future else ["publish"]
    if status not in (Post.Status.DRAFT, Post.Status.REVIEW):
        raise ValidationError({"status": [f"Unknown status “{status}”."]})
    if status == post.display_status:
        return []
    off_site = ["unpublish"] if post.status == Post.Status.PUBLISHED else []
    if status == Post.Status.REVIEW:
        return [*off_site, "submit"]
    return off_site or ["withdraw"]


@transaction.atomic
def post_set_status(
    *, post: Post, by, status: str, published_at: datetime | None = None, expected_version=None
) -> Post:
    """Move a post to ``status`` (``draft``, ``review``, ``published`` or ``scheduled``).

    For callers that receive a target state rather than an action (the JSON API).
    """
    version = expected_version
    for action in actions_for_status(post, status, published_at):
        post = post_act(post=post, by=by, action=action, at=published_at, expected_version=version)
        version = None if version is None else post.version  # the next step follows on this one
    return post


@transaction.atomic
def post_delete(*, post: Post, by) -> None:
    """Delete a post and its revisions for good."""
    _lock(post)
    if not permissions.can_delete(by, post):
        raise PermissionDenied("You may not delete this post.")
    post.delete()


@transaction.atomic
def revision_restore(*, revision: Revision, by, expected_version: str | None = None) -> Post:
    """Put a revision's words back on its post; that is itself a new revision."""
    return post_save(
        by=by,
        post=revision.post,
        title=revision.title,
        body=revision.body,
        excerpt=revision.excerpt,
        tags=revision.tags,
        expected_version=expected_version,
        note=f"Restored revision #{revision.number}",
    )

"""The writers' dashboard: their posts by status, the editor page, autosave, revisions, the review queue."""

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connections, router, transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS_3
from django.utils.translation import get_language, ngettext
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.models import User
from blogsite import ratelimit
from blogsite.links import cached_reverser
from blogsite.rows import from_column, sql_params

from . import services
from .forms import PostForm
from .models import Post, Revision

# The dashboard shows each status's newest posts; the rest are a click away, a page at a time.
ROWS_PER_STATUS = 10
ROWS_PER_PAGE = 25
ACTION_MESSAGES = {
    "save": "Saved.",
    "submit": "Submitted for review: the editors have been told.",
    "publish": "Published: the post is on the site now.",
    "schedule": "Scheduled: the post goes live by itself at the time you chose.",
    "unpublish": "Unpublished: the post is a draft again and off the site.",
    "withdraw": "Withdrawn from review: the post is a draft again.",
}


def _limit_writes(view):
    """Each writer's saves count against the same per-minute budget as their API writes."""

    @functools.wraps(view)
    def limited(request, *args, **kwargs):
        if request.method == "POST" and (wait := ratelimit.WRITES.hit(request.user.pk)):
            response = render(request, "429.html", {"retry_after": wait}, status=429)
            response["Retry-After"] = str(wait)
            return response
        return view(request, *args, **kwargs)

    return limited


def _post_for_writer(request, post_id):
    """The post to work on: 404 when the user may not see it, 403 when they see it but may not edit it."""
    post = get_object_or_404(Post.objects.visible_to(request.user).select_related("author"), pk=post_id)
    if not permissions.can_edit(request.user, post):
        raise PermissionDenied("You may not edit this post.")
    return post


# THE WRITER'S LISTS: the dashboard and the review queue
# ------------------------------------------------------------------------------
class _Columns(NamedTuple):
    """The columns of a post that its row needs, with Post's own rules borrowed, not restated."""

    pk: int
    title: str
    slug: str
    status: str
    published_at: datetime | None
    is_page: bool
    author_id: int
    updated_at: datetime

    Status = Post.Status
    is_scheduled = Post.is_scheduled
    display_status = Post.display_status
    get_absolute_url = Post.get_absolute_url
    get_edit_url = Post.get_edit_url


class _Author(NamedTuple):
    display_name: str
    username: str

    name = User.name


@dataclass(frozen=True, slots=True)
class PostRow:
    """A post as a writer's lists show it: read as a few columns, its words and times made once.

    A model instance per post and per writer and two date filters per row cost about 0.2 ms a
    row (decision 0080), so a row is built from ``values_list``'s columns (``PostRows``) and the
    template only places its strings. The lists are bounded: each status's newest
    ``ROWS_PER_STATUS`` on the dashboard, ``ROWS_PER_PAGE`` a page after that (decision 0093).
    """

    title: str
    url: str  # the editor, or the post's page when this user may not edit it (a contributor's live post)
    author: str
    display_status: str
    at_iso: str  # for <time datetime>, as the ``machine_datetime`` filter makes it
    at_text: str  # as the ``date`` filter shows it: "j M Y, H:i" ("j M Y" for a published post)

    COLUMNS = (*_Columns._fields, "author__display_name", "author__username")


@dataclass(frozen=True, slots=True)
class PostRows:
    """A list of a writer's rows as read: each post's ``PostRow.COLUMNS``, the status its writer
    sees and whether this reader may edit it. Their markup is remembered by exactly that
    (dashboard/_post_rows.html), so a list seen before is not built again: its rows' strings,
    made on every read, were an eighth of the dashboard's worker CPU."""

    read: tuple[tuple, ...]

    def __len__(self) -> int:
        return len(self.read)

    @classmethod
    def of(cls, found, user, status=None) -> "PostRows":
        """``found``: ``PostRow.COLUMNS``' values, as ``values_list`` gives them; ``status``: the
        ``Post.display_status`` of all of them, when the query said it (made for each otherwise)."""
        editable, read = permissions.editable_by(user), []
        for values in found:
            post = _Columns._make(values[:-2])
            read.append((*values, status or post.display_status, not editable(post)))
        return cls(tuple(read))

    def rows(self) -> tuple[PostRow, ...]:
        """The rows' strings, in the time zone and language of the render."""
        zone, months, links = timezone.get_current_timezone(), _month_names(get_language()), cached_reverser()
        rows = []
        for *values, status, locked in self.read:
            post, author = _Columns._make(values[:-2]), _Author._make(values[-2:])
            at = (post.updated_at if status in ("draft", "review") else post.published_at).astimezone(zone)
            text = f"{at.day} {months[at.month]} {at.year}"
            rows.append(
                PostRow(
                    title=post.title,
                    url=post.get_absolute_url(links) if locked else post.get_edit_url(links),
                    author=author.name,
                    display_status=status,
                    at_iso=at.isoformat(timespec="seconds"),
                    at_text=text if status == "published" else f"{text}, {at.hour:02}:{at.minute:02}",
                )
            )
        return tuple(rows)

    @classmethod
    def by_status(cls, user, *, author=None) -> dict[str, dict]:
        """``author``'s posts as the dashboard groups them (``Post.DASHBOARD_GROUPS``, in its
        order), newest first, or without an author the review queue, oldest first: by status, its
        ``key`` and ``label``, its first ``ROWS_PER_STATUS`` ``rows`` and its ``total``. One query."""
        sql = _BY_STATUS_SQL["mine" if author is not None else "review queue"]
        params = {
            "published": Post.Status.PUBLISHED.value,
            "review": Post.Status.REVIEW.value,
            "now": timezone.now(),
            "author": author,
            "per_status": ROWS_PER_STATUS,
        }
        db = router.db_for_read(Post)
        with connections[db].cursor() as cursor:
            cursor.execute(sql, sql_params(params, connections[db]))
            found = cursor.fetchall()
        width = len(PostRow.COLUMNS)
        found_by_status = {key: [] for key, _label in Post.DASHBOARD_GROUPS}
        totals = {}
        for row in found:
            status, totals[status] = row[width], row[width + 1]
            found_by_status[status].append(
                [
                    value if field is None else from_column(field, value)
                    for field, value in zip(_READ_AS, row[:width], strict=True)
                ]
            )
        return {
            key: {
                "key": key,
                "label": label,
                "rows": cls.of(found_by_status[key], user, status=key),
                "total": totals.get(key, 0),
            }
            for key, label in Post.DASHBOARD_GROUPS
        }


@functools.lru_cache(maxsize=16)
def _month_names(language: str) -> tuple[str, ...]:
    """Month abbreviations as ``date:"M"`` shows them, in ``language`` (translated once, not once a list)."""
    with translation.override(language):
        return ("", *(str(MONTHS_3[n]).title() for n in range(1, 13)))


# Each status's first rows with the status's length, in one written-out query (docs/decisions/0093):
# built by the ORM, a window over a CASE, filtered, took 2.5 ms of CPU to compile, more than its
# rows. ``writer_status`` repeats Post.display_status; test_dashboard holds the two together.
_BY_STATUS = """
    SELECT id, title, slug, status, published_at, is_page, author_id, updated_at,
        display_name, username, writer_status, status_total
    FROM (
        SELECT r.*,
            ROW_NUMBER() OVER (PARTITION BY r.writer_status ORDER BY {order}) AS place,
            COUNT(*) OVER (PARTITION BY r.writer_status) AS status_total
        FROM (
            SELECT p.id, p.title, p.slug, p.status, p.published_at, p.is_page, p.author_id, p.updated_at,
                u.display_name, u.username,
                CASE WHEN p.status = %(published)s AND p.published_at > %(now)s THEN 'scheduled'
                    ELSE p.status END AS writer_status
            FROM posts_post p JOIN accounts_user u ON u.id = p.author_id
            WHERE {where}
        ) r
    ) ranked
    WHERE place <= %(per_status)s
    ORDER BY writer_status, place
"""
_BY_STATUS_SQL = {
    "mine": _BY_STATUS.format(where="p.author_id = %(author)s", order="r.updated_at DESC, r.id DESC"),
    # Post.objects.in_review(): oldest first.
    "review queue": _BY_STATUS.format(where="p.status = %(review)s", order="r.updated_at, r.id"),
}
# PostRow.COLUMNS' fields that a written-out query may give as stored (SQLite's times and flags).
_READ_AS = tuple(
    Post._meta.get_field(name) if name in ("published_at", "is_page", "updated_at") else None
    for name in PostRow.COLUMNS
)


def _rows_page(request, posts):
    """A page of ``posts``' rows (``?page=``), ``ROWS_PER_PAGE`` of them: two queries."""
    page = Paginator(posts.values_list(*PostRow.COLUMNS), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = PostRows.of(page.object_list, request.user)
    return page


@login_required
def dashboard(request):
    """The writer's posts by status, each status's newest first; ``?status=`` one status, paged."""
    user = request.user
    status = request.GET.get("status")
    if status is not None:
        labels = dict(Post.DASHBOARD_GROUPS)
        if status not in labels:
            raise Http404("There is no such status.")
        mine = Post.objects.filter(author=user).in_status(status).order_by("-updated_at", "-id")
        page = _rows_page(request, mine)
        context = {"status": status, "label": labels[status], "page": page}
        return render(request, "dashboard/status.html", context)
    review_queue = None
    if permissions.can_review(user):
        review_queue = PostRows.by_status(user)[Post.Status.REVIEW]
    groups = PostRows.by_status(user, author=user.pk).values()
    return render(request, "dashboard/dashboard.html", {"groups": groups, "review_queue": review_queue})


@login_required
def review_queue(request):
    if not permissions.can_review(request.user):
        raise PermissionDenied("Only editors review submissions.")
    return render(
        request, "dashboard/review_queue.html", {"page": _rows_page(request, Post.objects.in_review())}
    )


@login_required
@_limit_writes
def post_new(request):
    if not permissions.can_write(request.user):
        raise PermissionDenied
    return _editor(request, None)


@login_required
@_limit_writes
def post_edit(request, post_id):
    return _editor(request, _post_for_writer(request, post_id))


def _editor(request, post):
    """Show the editor page; on POST, preview or save and then do the action of the button pressed."""
    action = request.POST.get("action", "save")
    form = PostForm(request.POST or None, initial=_initial(post), action=action, user=request.user)
    context, status = {"form": form, "post": post}, 200
    if form.is_valid() and action == "preview":
        context["preview_html"], _images = Post.render_body(form.cleaned_data["body"])
    elif form.is_valid():
        try:
            post = _save_and_act(request, post, form)
        except services.EditConflict as conflict:
            context["conflict"], status = conflict.post.revisions.select_related("created_by").first(), 409
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, ACTION_MESSAGES.get(form.action, "Saved."))
            _warn_about_images_without_description(request, post)
            return redirect(post.get_edit_url())
    context |= _editor_context(request, post)
    return render(request, "dashboard/post_form.html", context, status=status)


def _warn_about_images_without_description(request, post):
    """Saving never blocks on it, but the writer hears of images screen-reader users cannot know."""
    count = post.images_without_description
    if count:
        messages.warning(
            request,
            ngettext(
                "%(count)d image has no description. Describe what it shows, as in ![A red bicycle](…), "
                "unless it is only decorative.",
                "%(count)d images have no description. Describe what each shows, as in "
                "![A red bicycle](…), unless they are only decorative.",
                count,
            )
            % {"count": count},
        )


def _initial(post):
    if post is None:
        return {}
    return {
        "title": post.title,
        "body": post.body,
        "excerpt": post.excerpt,
        "tags": ", ".join(tag.name for tag in post.tags.all()),
        "published_at": post.published_at if post.is_scheduled else None,
        "version": post.version,
        "cover": post.cover_id,
    }


def _editor_context(request, post):
    """What the editor page may offer this user for this post (the buttons follow the rules)."""
    user = request.user
    delay = {"autosave_delay_ms": settings.BLOG_AUTOSAVE_IDLE_MS}
    if post is None:
        autosave_url = reverse("posts:post_autosave_new")
        return delay | {"can_publish": user.can_publish, "can_submit": True, "autosave_url": autosave_url}
    can_publish = permissions.can_publish(user, post)
    return delay | {
        "can_publish": can_publish,
        "can_unpublish": can_publish and post.status == Post.Status.PUBLISHED,
        "can_submit": permissions.can_submit(user, post),
        "can_withdraw": post.status == Post.Status.REVIEW,
        "can_delete": permissions.can_delete(user, post),
        "autosave_url": reverse("posts:post_autosave", args=[post.pk])
        if permissions.can_autosave(user, post)
        else "",
        "revisions": post.revisions.select_related("created_by")[:50],
    }


def _save_words(by, post, data, *, autosave=False):
    """Save the editor form's words (a new post when ``post`` is None), guarding against lost updates."""
    return services.post_save(
        by=by,
        post=post,
        title=data["title"],
        body=data["body"],
        excerpt=data["excerpt"],
        tags=data["tags"],
        expected_version=None if post is None else data["version"],
        autosave=autosave,
        cover=data.get("cover", services.UNCHANGED),
    )


@transaction.atomic
def _save_and_act(request, post, form):
    """Save the words, then do the pressed button's action; any refusal undoes both."""
    data, by = form.cleaned_data, request.user
    post = _save_words(by, post, data)
    # The words just saved (against the version the page was opened with) are what goes live.
    version = post.version
    services.post_act(
        post=post,
        by=by,
        action=form.action,
        at=data["published_at"],
        expected_version=version,
    )
    return post


@login_required
@_limit_writes
@require_POST
def post_autosave(request, post_id=None):
    """The editor script's background save: JSON in and out, never publishing, never overwriting."""
    post = _post_for_writer(request, post_id) if post_id else None
    if post is None and not permissions.can_write(request.user):
        raise PermissionDenied
    form = PostForm(request.POST, action="save", user=request.user)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    try:
        post = _save_words(request.user, post, form.cleaned_data, autosave=True)
    except services.EditConflict:
        return JsonResponse({"error": "This post was changed elsewhere since you opened it."}, status=409)
    except ValidationError as error:
        return JsonResponse({"errors": error.message_dict}, status=400)
    return JsonResponse(
        {
            "id": post.pk,
            "version": post.version,
            "edit_url": post.get_edit_url(),
            "autosave_url": reverse("posts:post_autosave", args=[post.pk]),
            "saved_at": post.updated_at.isoformat(),
        }
    )


@login_required
@_limit_writes
def post_delete(request, post_id):
    post = _post_for_writer(request, post_id)
    if not permissions.can_delete(request.user, post):
        raise PermissionDenied("You may not delete this post.")
    if request.method == "POST":
        services.post_delete(post=post, by=request.user)
        messages.success(request, f"Deleted “{post.title}”.")
        return redirect("posts:dashboard")
    return render(request, "dashboard/post_confirm_delete.html", {"post": post})


@login_required
def revision_diff(request, post_id):
    """Compare two revisions of a post (by default the newest with the one before it)."""
    post = _post_for_writer(request, post_id)
    revisions = {r.number: r for r in post.revisions.select_related("created_by")}
    if not revisions:
        raise Http404("This post has no revisions yet.")
    newer = revisions.get(_int(request.GET.get("b")), revisions[max(revisions)])
    older = revisions.get(_int(request.GET.get("a")))
    if older is None:
        older = revisions.get(max((n for n in revisions if n < newer.number), default=newer.number))
    context = {"post": post, "older": older, "newer": newer, "changes": newer.diff_from(older)}
    context["revisions"] = sorted(revisions.values(), key=lambda r: -r.number)
    return render(request, "dashboard/revision_diff.html", context)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@_limit_writes
@require_POST
def revision_restore(request, post_id, number):
    post = _post_for_writer(request, post_id)
    revision = get_object_or_404(Revision.objects.select_related("post"), post=post, number=number)
    try:
        version = request.POST.get("version", "")
        services.revision_restore(revision=revision, by=request.user, expected_version=version)
    except services.EditConflict:
        messages.error(request, "The post changed since you opened it: nothing was restored. Try again.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Restored revision #{number}: that is now the newest revision.")
    return redirect(post.get_edit_url())

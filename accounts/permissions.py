"""Who may do what, by role and ownership: the one place these rules live.

HTML views, the JSON API and the admin of every app above ``accounts`` ask these functions;
none re-derives a rule. They know a post only by what it offers (``author_id``, ``status``,
``Status``, ``is_public``), so this module imports no app above ``accounts``. Seeing comes
first: a post a user may not see (``Post.objects.visible_to``) is a 404 for them; a post
they see but may not act on is a 403.
"""

from collections.abc import Callable
from typing import Any


def can_view(user, post) -> bool:
    """Public posts are for everyone; anything else only for its author and editors."""
    return post.is_public or (can_write(user) and (post.author_id == user.pk or user.is_editor))


def can_write(user) -> bool:
    """Every signed-in writer (contributor and up) may start posts."""
    return user.is_authenticated and user.is_active


def can_edit(user, post) -> bool:
    """Writers edit their own posts, editors every post; a contributor's words go live only through review."""
    return editable_by(user)(post)


def editable_by(user) -> Callable[[Any], bool]:
    """``can_edit`` for one user and many posts (a writer's lists): the user is read once, not per post.

    ``request.user`` is a lazy proxy: reading it five times a post cost a tenth of a dashboard.
    """
    if not can_write(user):
        return _never
    if user.is_editor:
        return _always
    pk, can_publish = user.pk, user.can_publish

    def editable(post) -> bool:
        return post.author_id == pk and (can_publish or post.status != post.Status.PUBLISHED)

    return editable


def _never(post) -> bool:
    return False


def _always(post) -> bool:
    return True


def can_publish(user, post) -> bool:
    """Publishing, scheduling and unpublishing: authors on their own posts, editors on all."""
    return can_edit(user, post) and user.can_publish


def can_submit(user, post) -> bool:
    """Sending a draft to the editors' review queue: whoever may edit it, while it is a draft."""
    return can_edit(user, post) and post.status == post.Status.DRAFT


def can_delete(user, post) -> bool:
    """Deleting follows publishing: contributors cannot delete, even their own drafts."""
    return can_publish(user, post)


def can_autosave(user, post) -> bool:
    """Autosave keeps unpublished work only: words on a live post change by an explicit save."""
    return can_edit(user, post) and post.status != post.Status.PUBLISHED


def can_review(user) -> bool:
    """Editors work the review queue and manage tags."""
    return can_write(user) and user.is_editor


# MEDIA LIBRARY: images are known by ``owner_id`` only.
def can_upload(user) -> bool:
    """Every signed-in writer (contributor and up) may add images to their library."""
    return can_write(user)


def can_manage_image(user, image) -> bool:
    """Describing and deleting: the uploader on their own images, editors and admins on all."""
    return can_upload(user) and (image.owner_id == user.pk or user.is_editor)


def can_use_image(user, image) -> bool:
    """Choosing an image as a post's cover: whoever may manage it."""
    return can_manage_image(user, image)

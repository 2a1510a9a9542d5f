"""Who may do what with posts: the one place these rules live.

HTML views, the JSON API and the admin all ask these functions; none re-derives a rule.
"""


def can_view(user, post) -> bool:
    """Public posts are for everyone; anything else only for its author and editors."""
    return post.is_public or can_edit(user, post)


def can_write(user) -> bool:
    """Every signed-in writer (contributor and up) may start posts."""
    return user.is_authenticated and user.is_active


def can_edit(user, post) -> bool:
    """Writers edit their own posts; editors edit every post."""
    return can_write(user) and (post.author_id == user.pk or user.is_editor)


def can_publish(user, post) -> bool:
    """Publishing, scheduling and unpublishing: authors on their own posts, editors on all."""
    return can_edit(user, post) and user.can_publish


def can_delete(user, post) -> bool:
    """Deleting follows publishing: contributors cannot delete, even their own drafts."""
    return can_publish(user, post)


def can_review(user) -> bool:
    """Editors work the review queue and manage tags."""
    return can_write(user) and user.is_editor

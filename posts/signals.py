"""What retires cached pages, and what bounds their life: the posts app tells the page cache.

Every write path (admin, API, dashboard, shell, commands) goes through these model signals. A
bulk ``QuerySet.update()`` sends none: code that updates posts, tags or users in bulk calls
``pagecache.retire_pages()`` itself.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save

from blogsite import pagecache

from .models import Post, Tag

# A user's save that touches only these changes no public page (sign-ins update last_login).
PRIVATE_USER_FIELDS = frozenset({"last_login", "password"})


def next_publication_time() -> float:
    """When the next scheduled post goes live (epoch seconds), or 0 when none is scheduled."""
    at = Post.objects.next_publication()
    return at.timestamp() if at else 0


def _user_saved(sender, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= PRIVATE_USER_FIELDS:
        return
    pagecache.retire_pages()


def _tags_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        pagecache.retire_pages()


def connect():
    """Connect the handlers and the lifetime hook; called once, from ``PostsConfig.ready()``."""
    for model in (Post, Tag):
        name = model.__name__
        post_save.connect(pagecache.retire_pages, sender=model, dispatch_uid=f"pagecache-save-{name}")
        post_delete.connect(pagecache.retire_pages, sender=model, dispatch_uid=f"pagecache-delete-{name}")
    user_model = get_user_model()
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="pagecache-save-user")
    post_delete.connect(pagecache.retire_pages, sender=user_model, dispatch_uid="pagecache-delete-user")
    m2m_changed.connect(_tags_changed, sender=Post.tags.through, dispatch_uid="pagecache-post-tags")
    pagecache.bound_lifetime_by(next_publication_time)

"""What retires cached pages, and what bounds their life: the posts app tells the page cache.
The same signals keep related-posts rankings exact.

Every write path (admin, API, dashboard, shell, commands) goes through these model signals. A
bulk ``QuerySet.update()`` sends none: code that updates posts, tags or users in bulk calls
``pagecache.retire_pages()`` itself, and ``RelatedPost.objects.retire_all()`` when it changed
posts' status, date or tags.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from blogsite import pagecache
from media.signals import renditions_ready

from .models import Post, RelatedPost, Tag, rerender_posts_showing

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


# RELATED POSTS: every kept ranking stays exact (models.RelatedPostQuerySet.refresh)
def _post_saved_for_rankings(sender, instance, created, **kwargs):
    if created or getattr(instance, "ranked_as", None) != instance.ranking_inputs():
        RelatedPost.objects.refresh(instance)
        instance.ranked_as = instance.ranking_inputs()


def _post_leaving_rankings(sender, instance, **kwargs):
    RelatedPost.objects.refresh(instance, leaving=True)


def _tags_changed_for_rankings(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:
        RelatedPost.objects.refresh(instance)
    elif pk_set:  # tag.posts.add(…) / remove(…): the posts named
        for post in Post.objects.filter(pk__in=pk_set):
            RelatedPost.objects.refresh(post)
    else:  # tag.posts.clear(): which posts it held is gone
        RelatedPost.objects.retire_all()


def _tag_deleted_for_rankings(sender, **kwargs):
    RelatedPost.objects.retire_all()  # its posts' shared-tag counts changed, unseen


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
    post_save.connect(_post_saved_for_rankings, sender=Post, dispatch_uid="related-save-post")
    pre_delete.connect(_post_leaving_rankings, sender=Post, dispatch_uid="related-delete-post")
    m2m_changed.connect(
        _tags_changed_for_rankings, sender=Post.tags.through, dispatch_uid="related-post-tags"
    )
    post_delete.connect(_tag_deleted_for_rankings, sender=Tag, dispatch_uid="related-delete-tag")
    # Bodies are rendered at save: once an image's renditions exist, the posts showing it use them.
    renditions_ready.connect(rerender_posts_showing, dispatch_uid="posts-rerender-on-renditions")

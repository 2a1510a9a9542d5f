"""What retires cached pages, and what bounds their life: the posts app tells the page cache.
The same signals keep related-posts rankings exact.

Every write path (admin, API, dashboard, shell, commands) goes through these model signals,
and each retires only the pages that show what changed (posts/pagekeys.py): a draft saved, a
post sent to review or scheduled retires none. A bulk ``QuerySet.update()`` sends no signal:
code that updates posts, tags or users in bulk calls ``pagecache.retire_pages()`` itself, and
``RelatedPost.objects.retire_all()`` when it changed posts' status, date or tags.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete, pre_save
from django.utils import timezone

from accounts.models import WRITERS_KEY, author_key
from blogsite import pagecache
from media.models import Image
from media.signals import renditions_ready

from . import navigation, pagekeys, search
from .models import Post, PostImage, RelatedPost, Tag, rerender_posts_showing

# A user's save that touches only these changes no public page (sign-ins update last_login).
PRIVATE_USER_FIELDS = frozenset({"last_login", "password"})


def next_publication_time() -> float:
    """When the next scheduled post goes live (epoch seconds), or 0 when none is scheduled."""
    at = Post.objects.next_publication()
    return at.timestamp() if at else 0


def _post_before_save(sender, instance, raw=False, **kwargs):
    """Remember how the post stood before this save: whether and when it was public."""
    before = None
    if instance.pk is not None and not raw:
        before = Post.objects.filter(pk=instance.pk).values("status", "published_at", "author_id").first()
    instance.stored_state = before


def _post_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "stored_state", None)
    was_public = before is not None and Post(**before).is_public
    if not (was_public or instance.is_public):
        keys = []  # no page shows it; a new schedule may bound their life
        if instance.is_scheduled and _schedule_moved(before, instance):
            # It joins its lists by itself when its time comes. Every cache, shared ones too,
            # stores them afresh now, and so keeps them no later than that time (pagecache).
            tag_ids = list(instance.tags.values_list("pk", flat=True)) if before is not None else []
            keys = [pagekeys.SITEMAP, *pagekeys.for_membership(instance, tag_ids)]
        pagecache.retire_pages(keys)
        return
    keys = [pagekeys.post_key(instance.pk), pagekeys.SITEMAP]
    moved = before is None or (before["published_at"], before["author_id"]) != (
        instance.published_at,
        instance.author_id,
    )
    if was_public != instance.is_public or moved:
        # A new post has no tags yet: they are added after, and retire their own lists (_tags_changed).
        tag_ids = list(instance.tags.values_list("pk", flat=True)) if before is not None else []
        keys += pagekeys.for_membership(instance, tag_ids)
        if before is not None and before["author_id"] != instance.author_id:
            keys += [author_key(before["author_id"]), pagekeys.author_posts_key(before["author_id"])]
    pagecache.retire_pages(keys)


def _schedule_moved(before, post) -> bool:
    """The post was not scheduled for this time before this save."""
    return before is None or (before["status"], before["published_at"]) != (post.status, post.published_at)


def _post_deleting(sender, instance, **kwargs):
    """A public post leaves every list; its tags are only known before the delete."""
    if instance.is_public:
        tag_ids = list(instance.tags.values_list("pk", flat=True))
        instance.retired_keys = [pagekeys.SITEMAP, *pagekeys.for_membership(instance, tag_ids)]


def _post_deleted(sender, instance, **kwargs):
    keys = getattr(instance, "retired_keys", None)
    if keys:
        pagecache.retire_pages(keys)


def _tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Tags added to or removed from a public post change the tag's lists and the tag index."""
    if action == "pre_clear":
        # The cleared tags are only known before the clear.
        related = instance.posts if reverse else instance.tags
        instance.cleared_ids = list(related.values_list("pk", flat=True))
        return
    if not action.startswith("post_"):
        return
    ids = set(pk_set or ()) | set(getattr(instance, "cleared_ids", ()))
    if reverse:  # tag.posts.add(...): ``instance`` is the tag, ``ids`` are posts
        public = Post.objects.public().filter(pk__in=ids).values_list("pk", flat=True)
        posts = [pagekeys.post_key(pk) for pk in public]
        if posts:
            pagecache.retire_pages([*posts, pagekeys.tag_posts_key(instance.pk), pagekeys.TAGS])
    elif instance.is_public or instance.is_scheduled:  # a scheduled post's lists: as when scheduled
        tag_keys = [key for pk in ids for key in (pagekeys.tag_key(pk), pagekeys.tag_posts_key(pk))]
        pagecache.retire_pages([pagekeys.post_key(instance.pk), pagekeys.TAGS, *tag_keys])


def _tag_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw:
        pagecache.retire_pages([pagekeys.tag_key(instance.pk)])


def _tag_deleted(sender, instance, **kwargs):
    keys = [pagekeys.tag_key(instance.pk), pagekeys.tag_posts_key(instance.pk), pagekeys.TAGS]
    pagecache.retire_pages(keys)


def _user_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if created or raw or (update_fields is not None and set(update_fields) <= PRIVATE_USER_FIELDS):
        return
    pagecache.retire_pages([author_key(instance.pk)])


def _user_deleted(sender, instance, **kwargs):
    pagecache.retire_pages([author_key(instance.pk), pagekeys.author_posts_key(instance.pk), WRITERS_KEY])


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


def _post_changed(sender, instance, **kwargs):
    if instance.is_page or instance.nav_order is not None:
        _navigation_changed()
    else:
        navigation.pages()  # read them now if the cache lost them, rather than while a reader waits


def _navigation_changed():
    before = navigation.pages()
    transaction.on_commit(navigation.refresh)  # what other connections read once this commits
    if navigation.refresh() != before:
        pagecache.retire_pages()  # every page shows the navigation


def created_in_bulk(posts, tag_ids: dict[int, list[int]]) -> None:
    """New posts were inserted at once, with their tags (``tag_ids`` by post id), and no signal
    was sent: retire the pages and refresh the rankings that saving each would have.

    The pages are those ``_post_saved`` and ``_tags_changed`` name for a new post (public or
    scheduled), but for the new posts' own previous/next links (no one could read those pages
    before); the posts next to them are found for all of them in one query.
    """
    listed = [post for post in posts if post.is_public or post.is_scheduled]
    keys = {pagekeys.SITEMAP}
    for post in listed:
        keys.update(pagekeys.for_membership(post, tag_ids.get(post.pk, ()), with_neighbours=False))
        keys.update(pagekeys.tag_key(pk) for pk in tag_ids.get(post.pk, ()))
    if listed:
        # The posts next to them link to them now; the new ones' own pages were never shown.
        neighbours = Post.objects.neighbour_ids(listed) - {post.pk for post in posts}
        keys.update(map(pagekeys.post_neighbours_key, neighbours))
        pagecache.retire_pages(keys)
    elif posts:
        pagecache.retire_pages([])  # no page shows them; a new schedule may bound their life
    for post in posts:
        RelatedPost.objects.refresh(post)
        post.ranked_as = post.ranking_inputs()
    _post_words_saved(Post)  # their words are new to this process's searches too
    if any(post.is_page or post.nav_order is not None for post in posts):
        _navigation_changed()


def _post_words_saved(sender, raw=False, **kwargs):
    """A post's words may be new: this process's searches ask again whether a stem begins a
    longer word (``search.has_longer_words``): now, for this transaction's own searches, and once
    it commits, for what a search in another thread learned meanwhile."""
    search.forget_longer_words()
    transaction.on_commit(search.forget_longer_words)


def _image_use_ended(sender, instance, **kwargs):
    """A post that used an image is gone: prune_media counts the image's idle days from now."""
    Image.objects.filter(pk=instance.image_id).update(last_used_at=timezone.now())


def _migrated(sender, using, **kwargs):
    """Migrations may have made or dropped the RUM search index: search asks again now (and
    learns the common stems again, and which stems begin longer words)."""
    search.learn_search_index(using)
    search.forget_longer_words()


def connect():
    """Connect the handlers and the lifetime hook; called once, from ``PostsConfig.ready()``."""
    post_delete.connect(_image_use_ended, sender=PostImage, dispatch_uid="media-use-ended")
    pre_save.connect(_post_before_save, sender=Post, dispatch_uid="pagecache-before-post")
    post_save.connect(_post_saved, sender=Post, dispatch_uid="pagecache-save-post")
    post_save.connect(_post_words_saved, sender=Post, dispatch_uid="search-words-post")
    pre_delete.connect(_post_deleting, sender=Post, dispatch_uid="pagecache-deleting-post")
    post_delete.connect(_post_deleted, sender=Post, dispatch_uid="pagecache-delete-post")
    m2m_changed.connect(_tags_changed, sender=Post.tags.through, dispatch_uid="pagecache-post-tags")
    post_save.connect(_tag_saved, sender=Tag, dispatch_uid="pagecache-save-tag")
    post_delete.connect(_tag_deleted, sender=Tag, dispatch_uid="pagecache-delete-tag")
    user_model = get_user_model()
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="pagecache-save-user")
    post_delete.connect(_user_deleted, sender=user_model, dispatch_uid="pagecache-delete-user")
    pagecache.bound_lifetime_by(next_publication_time)
    post_save.connect(_post_saved_for_rankings, sender=Post, dispatch_uid="related-save-post")
    pre_delete.connect(_post_leaving_rankings, sender=Post, dispatch_uid="related-delete-post")
    m2m_changed.connect(
        _tags_changed_for_rankings, sender=Post.tags.through, dispatch_uid="related-post-tags"
    )
    post_delete.connect(_tag_deleted_for_rankings, sender=Tag, dispatch_uid="related-delete-tag")
    # Bodies are rendered at save: once an image's renditions exist, the posts showing it use them.
    renditions_ready.connect(rerender_posts_showing, dispatch_uid="posts-rerender-on-renditions")
    post_save.connect(_post_changed, sender=Post, dispatch_uid="navigation-save")
    post_delete.connect(_post_changed, sender=Post, dispatch_uid="navigation-delete")
    post_migrate.connect(_migrated, sender=apps.get_app_config("posts"), dispatch_uid="search-index")

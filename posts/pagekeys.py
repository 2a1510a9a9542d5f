"""What the posts app's cached pages show, as surrogate keys, and which keys a change retires.

A page names the posts, tags and writers it shows and the lists it belongs to
(``blogsite/pagecache.py``); ``posts/signals.py`` retires exactly the keys a change touches:

- ``post-<id>``: pages showing that post (its page, the cards and feed items, links to it);
  ``post-<id>-neighbours``: its page's links to the posts published just before and after;
- ``tag-<id>``: pages showing that tag's name; ``tag-<id>-posts``: the list of its public posts
  (its page and feeds, and the related posts on the pages of posts with that tag);
- ``author-<id>`` (accounts): a writer's name or profile; ``author-<id>-posts``: their list
  (their page and feeds, and their count of posts in the API);
- ``posts``: the list of all public posts (home, feeds, sitemap, API list); ``tags``: the tag
  index and its counts; ``writers`` (accounts): the writers who have published; ``sitemap``:
  the sitemap, which shows when each public post last changed.
"""

from accounts.models import WRITERS_KEY, author_key

POSTS = "posts"
TAGS = "tags"
SITEMAP = "sitemap"


def post_key(post_id) -> str:
    return f"post-{post_id}"


def post_neighbours_key(post_id) -> str:
    return f"post-{post_id}-neighbours"


def tag_key(tag_id) -> str:
    return f"tag-{tag_id}"


def tag_posts_key(tag_id) -> str:
    return f"tag-{tag_id}-posts"


def author_posts_key(user_id) -> str:
    return f"author-{user_id}-posts"


def for_cards(posts) -> list[str]:
    """Posts shown as cards (``PostCard``, its tags a list) or as feed items and API rows
    (``for_listing()``, its tags prefetched): each post, its writer and its tags."""
    keys = []
    for post in posts:
        keys += [post_key(post.pk), author_key(post.author_id)]
        tags = post.tags if isinstance(post.tags, list) else post.tags.all()
        keys += [tag_key(tag.pk) for tag in tags]
    return keys


def for_post_page(post, tags, linked) -> list[str]:
    """A post's page: the post, its writer, its tags, the lists related posts come from, linked posts."""
    keys = [post_key(post.pk), post_neighbours_key(post.pk), author_key(post.author_id)]
    keys += [key for tag in tags for key in (tag_key(tag.pk), tag_posts_key(tag.pk))]
    return keys + [post_key(other.pk) for other in linked if other is not None]


def for_writer(user_id) -> list[str]:
    """A writer's public profile with their count of posts (the API's people endpoints)."""
    return [author_key(user_id), author_posts_key(user_id)]


def for_membership(post, tag_ids, *, with_neighbours: bool = True) -> list[str]:
    """A post joins or leaves the public lists (published, scheduled, unpublished, deleted, moved in time).

    ``with_neighbours=False`` leaves out the posts next to it: a bulk write finds those for
    many posts at once (``Post.objects.neighbour_ids``).
    """
    keys = [post_key(post.pk), POSTS, TAGS, WRITERS_KEY, author_posts_key(post.author_id)]
    keys += [tag_posts_key(tag_id) for tag_id in tag_ids]
    # Its new neighbours link to it now (the old ones linked to it by name: post-<id>).
    neighbours = post.neighbours() if (post.is_public or post.is_scheduled) and with_neighbours else ()
    return keys + [post_neighbours_key(other.pk) for other in neighbours if other is not None]

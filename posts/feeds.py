"""RSS 2.0 and Atom feeds of public posts: the whole site, one tag, one author.

Each item carries the post's full HTML (``content:encoded`` in RSS, ``content`` in
Atom), its author and its tags as categories. Links are absolute: ``SITE_URL`` when it
is set, otherwise the syndication framework adds the request's own host.
"""

import copy

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import format_html

from accounts.models import author_key
from blogsite import links, pagecache
from blogsite.text import xml_safe

from . import pagekeys
from .models import Post, Tag


def _xml_safe(value):
    """A feed's value with every string in it made fit for XML (``blogsite.text.xml_safe``)."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, list | tuple):
        return type(value)(_xml_safe(item) for item in value)
    if isinstance(value, dict):
        return {key: _xml_safe(item) for key, item in value.items()}
    return value


class XmlSafeFeedMixin:
    """Writes the feed without the characters XML cannot hold: a stored value never makes it fail."""

    def write(self, outfile, encoding):
        self.feed = _xml_safe(self.feed)
        self.items = [_xml_safe(item) for item in self.items]
        super().write(outfile, encoding)


class FullContentRssFeed(XmlSafeFeedMixin, Rss201rev2Feed):
    """RSS 2.0 whose items also carry the full post in ``content:encoded``."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": "http://purl.org/rss/1.0/modules/content/"}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])


class FullContentAtomFeed(XmlSafeFeedMixin, Atom1Feed):
    """Atom whose entries also carry the full post in ``<content type="html">``."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


class LatestPostsFeed(Feed):
    """The newest public posts of the whole blog."""

    feed_type = FullContentRssFeed
    url_name = "posts:feed"
    request = None
    page_keys = ()

    def __call__(self, request, *args, **kwargs):
        # One copy per request, so links can be made absolute without sharing state.
        feed = copy.copy(self)
        feed.request, feed.page_keys = request, []
        response = super(LatestPostsFeed, feed).__call__(request, *args, **kwargs)
        pagecache.add_keys(response, *feed.page_keys)
        return response

    def list_keys(self, obj) -> list[str]:
        """The list this feed shows, for the page cache (posts/pagekeys.py)."""
        return [pagekeys.POSTS]

    def absolute_url(self, path):
        return links.absolute_url(path, self.request)

    def feed_url(self, obj=None):
        return self.absolute_url(reverse(self.url_name, args=self.url_args(obj)))

    def url_args(self, obj):
        return []

    def title(self, obj=None):
        return settings.SITE_NAME

    def description(self, obj=None):
        return f"The latest posts on {settings.SITE_NAME}."

    def link(self, obj=None):
        return self.absolute_url(reverse("posts:home"))

    def posts(self, obj):
        return Post.objects.public()

    def items(self, obj=None):
        # 2 queries: the posts with their authors, then their tags.
        posts = list(
            self.posts(obj)
            .select_related("author", "cover")
            .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")), "cover__renditions")
            .newest_first()[: settings.BLOG_FEED_LENGTH]
        )
        self.page_keys += [*self.list_keys(obj), *pagekeys.for_cards(posts)]
        return posts

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return self.absolute_url(item.get_absolute_url())

    def item_author_name(self, item):
        return item.author.name

    def item_author_link(self, item):
        return self.absolute_url(item.author.get_absolute_url())

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]

    def item_extra_kwargs(self, item):
        return {"content_html": self._cover_html(item) + item.body_html}

    def item_enclosures(self, item):
        """The cover, as readers' apps show it beside the item."""
        if item.cover is None:
            return []
        shared = item.cover.for_sharing()
        return [Enclosure(self.absolute_url(shared.url), str(shared.bytes), shared.content_type)]

    def _cover_html(self, item) -> str:
        if item.cover is None:
            return ""
        shared = item.cover.for_sharing()
        return format_html(
            '<p><img src="{}" alt="{}" width="{}" height="{}"></p>',
            self.absolute_url(shared.url),
            item.cover.alt,
            shared.width,
            shared.height,
        )


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = FullContentAtomFeed
    url_name = "posts:feed_atom"
    subtitle = LatestPostsFeed.description


class TagFeed(LatestPostsFeed):
    """The newest public posts with one tag."""

    url_name = "posts:tag_feed"

    def url_args(self, obj):
        return [obj.slug]

    def get_object(self, request, slug):
        """Like its page, a tag's feed exists only once a public post has the tag (one query)."""
        return get_object_or_404(Tag.in_use(), slug=slug)

    def title(self, obj):
        return f"#{obj.name} · {settings.SITE_NAME}"

    def description(self, obj):
        return f"The latest posts tagged {obj.name} on {settings.SITE_NAME}."

    def link(self, obj):
        return self.absolute_url(obj.get_absolute_url())

    def posts(self, obj):
        return Post.objects.public().filter(tags=obj)

    def list_keys(self, obj):
        return [pagekeys.tag_key(obj.pk), pagekeys.tag_posts_key(obj.pk)]


class TagAtomFeed(TagFeed):
    feed_type = FullContentAtomFeed
    url_name = "posts:tag_feed_atom"
    subtitle = TagFeed.description


class AuthorFeed(LatestPostsFeed):
    """The newest public posts of one author; like their page, only once they have published."""

    url_name = "posts:author_feed"

    def url_args(self, obj):
        return [obj.username]

    def get_object(self, request, username):
        author = get_object_or_404(get_user_model(), username=username, is_active=True)
        if not Post.objects.public().filter(author=author).exists():
            raise Http404("This author has not published anything yet.")
        return author

    def title(self, obj):
        return f"{obj.name} · {settings.SITE_NAME}"

    def description(self, obj):
        return f"The latest posts by {obj.name} on {settings.SITE_NAME}."

    def link(self, obj):
        return self.absolute_url(obj.get_absolute_url())

    def posts(self, obj):
        return Post.objects.public().filter(author=obj)

    def list_keys(self, obj):
        return [author_key(obj.pk), pagekeys.author_posts_key(obj.pk)]


class AuthorAtomFeed(AuthorFeed):
    feed_type = FullContentAtomFeed
    url_name = "posts:author_feed_atom"
    subtitle = AuthorFeed.description

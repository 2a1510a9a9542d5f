"""The sitemap: every public address a search engine should know, with when it last changed."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from accounts.models import WRITERS_KEY

from . import pagekeys
from .models import Post, Tag


class SiteSitemap(Sitemap):
    """Absolute URLs on ``SITE_URL`` when it is set, else on the request's host."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme if settings.SITE_URL else super().get_protocol(protocol)

    def get_domain(self, site=None):
        if settings.SITE_URL:
            parts = urlsplit(settings.SITE_URL)
            return parts.netloc + parts.path
        return super().get_domain(site)


class PageSitemap(SiteSitemap):
    """The home page and the list of tags, as fresh as the newest public post."""

    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["posts:home", "posts:tags"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return Post.objects.public().aggregate(last=Max("updated_at"))["last"]


class PostSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Post.objects.public().only("slug", "is_page", "updated_at").order_by("-published_at", "-id")

    def lastmod(self, post):
        return post.updated_at


class TagSitemap(SiteSitemap):
    """Tags that have at least one public post."""

    changefreq = "daily"
    priority = 0.5

    def items(self):
        # The filter and the Max share one join, so only public posts count for both.
        return (
            Tag.objects.filter(posts__in=Post.objects.public())
            .annotate(last_post_change=Max("posts__updated_at"))
            .order_by("name")
        )

    def lastmod(self, tag):
        return tag.last_post_change


class AuthorSitemap(SiteSitemap):
    """Writers who have published at least one public post."""

    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return (
            get_user_model()
            .objects.filter(is_active=True, posts__in=Post.objects.public())
            .annotate(last_post_change=Max("posts__updated_at"))
            .only("username")
            .order_by("username")
        )

    def lastmod(self, author):
        return author.last_post_change


SITEMAPS = {"pages": PageSitemap, "posts": PostSitemap, "tags": TagSitemap, "authors": AuthorSitemap}
# What the sitemap shows, for the page cache: every list, and every public post's last change.
SITEMAP_KEYS = (pagekeys.SITEMAP, pagekeys.POSTS, pagekeys.TAGS, WRITERS_KEY)

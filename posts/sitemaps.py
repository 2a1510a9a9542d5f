"""The sitemap: every public address a search engine should know, with when it last changed.

``/sitemap.xml`` is an index (``sitemap_index``) of a sitemap for each section (the site's
lists, posts, tags, writers) at ``/sitemap-<section>.xml``, each in pages of ``SiteSitemap.limit``
addresses (``?p=2`` on), as Ghost's and WordPress's are: one sitemap of every address stopped at
the protocol's 50,000, so a large blog's older posts were listed on a second page no crawler was
told of, and a page of 50,000 took seconds to make again after each publish.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import Paginator
from django.db.models import Max, OuterRef, Subquery
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import http_date

from accounts.models import WRITERS_KEY

from . import pagekeys
from .models import ListCount, Post, Tag


class SiteSitemap(Sitemap):
    """Absolute URLs on ``SITE_URL`` when it is set, else on the request's host."""

    # Addresses a page of a section holds (the protocol allows 50,000): at 100,000 posts a page
    # of 10,000 is made again in about a second after a publish; ten pages list them all.
    limit = 10_000

    def get_latest_lastmod(self):
        """The newest change to a public post: each section shows public posts or lists made of
        them, so none changed later (Django's own reads every address's lastmod)."""
        return Post.objects.public().aggregate(last=Max("updated_at"))["last"]

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
        return self.get_latest_lastmod()


class PostSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Post.objects.public().only("slug", "is_page", "updated_at").order_by("-published_at", "-id")

    def lastmod(self, post):
        return post.updated_at

    @property
    def paginator(self):
        """Django's, counting the posts from the site's kept count, not by reading them all."""
        pages = Paginator(self._items(), self.limit)
        pages.count = ListCount.objects.public_posts()  # in place of the cached_property's COUNT
        return pages


class TagSitemap(SiteSitemap):
    """Tags that have at least one public post."""

    changefreq = "daily"
    priority = 0.5

    def items(self):
        # The tags in use from their kept counts, and each one's newest change from the posts'
        # newest changes down: a join grouped every tag row by its tag (310 ms at 100,000 posts,
        # 9 ms this way).
        public = Post.objects.public().filter(tags=OuterRef("pk"))
        newest_change = public.order_by("-updated_at").values("updated_at")[:1]
        return Tag.in_use().annotate(last_post_change=Subquery(newest_change)).order_by("name")

    def lastmod(self, tag):
        return tag.last_post_change


class AuthorSitemap(SiteSitemap):
    """Writers who have published at least one public post."""

    changefreq = "weekly"
    priority = 0.5

    def items(self):
        public = Post.objects.public().filter(author=OuterRef("pk"))
        newest_change = public.order_by("-updated_at").values("updated_at")[:1]
        return (
            get_user_model()
            .objects.annotate(post_count=ListCount.objects.public_posts_of(author=OuterRef("pk")))
            .filter(is_active=True, post_count__gt=0)
            .annotate(last_post_change=Subquery(newest_change))
            .only("username")
            .order_by("username")
        )

    def lastmod(self, author):
        return author.last_post_change


SITEMAPS = {"pages": PageSitemap, "posts": PostSitemap, "tags": TagSitemap, "authors": AuthorSitemap}
# What the sitemap shows, for the page cache: every list, and every public post's last change.
SITEMAP_KEYS = (pagekeys.SITEMAP, pagekeys.POSTS, pagekeys.TAGS, WRITERS_KEY)


@x_robots_tag
def sitemap_index(request, sitemaps):
    """The index of ``sitemaps``: each section's pages, with when the section last changed, on
    ``SITE_URL`` as its sitemaps are (Django's own ``index`` view names the request's host)."""
    site, entries, newest = get_current_site(request), [], []
    for section, sitemap_class in sitemaps.items():
        sitemap = sitemap_class()
        base = reverse("posts:sitemap_section", kwargs={"section": section})
        url = f"{sitemap.get_protocol(request.scheme)}://{sitemap.get_domain(site)}{base}"
        lastmod = sitemap.get_latest_lastmod()
        newest.append(lastmod)
        entries.append(SitemapIndexItem(url, lastmod))
        entries += [SitemapIndexItem(f"{url}?p={page}", lastmod) for page in sitemap.paginator.page_range[1:]]
    changed = [lastmod for lastmod in newest if lastmod is not None]
    headers = {"Last-Modified": http_date(max(changed).timestamp())} if changed else None
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml", headers=headers
    )

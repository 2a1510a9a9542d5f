"""The site's navigation pages, kept in the cache: every page of the site shows them, so they cost no query.

Every save of a page refreshes them (posts/signals.py), every other save makes sure they are there,
and a cache that lost them reads them again once.
"""

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from .models import Post

CACHE_KEY = "posts:navigation"
TIMEOUT = 300  # a scheduled page joins the navigation at most five minutes after it goes live


def refresh() -> list[tuple[str, str]]:
    pages = Post.objects.navigation()
    cache.set(CACHE_KEY, pages, timeout=TIMEOUT)
    return pages


def pages() -> list[tuple[str, str]]:
    cached = cache.get(CACHE_KEY)
    return refresh() if cached is None else cached


def context(request):
    """``navigation_pages``: (title, URL) pairs in the admin's order, read only by templates using them."""
    return {"navigation_pages": SimpleLazyObject(pages)}

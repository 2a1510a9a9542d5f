"""The site's navigation pages, kept in the cache: every page of the site shows them, so they cost no query,
and each worker keeps a copy until Redis reports a change (blogsite.redis_cache.HeldCopy).

Every save of a page refreshes them (posts/signals.py), every other save makes sure they are there,
and a cache that lost them reads them again once; while the cache cannot be reached, each page
reads them.
"""

import logging

from django.core.cache import cache
from django.db import DatabaseError
from django.utils.functional import SimpleLazyObject

from blogsite.redis_cache import HeldCopy

from .models import Post

logger = logging.getLogger(__name__)

CACHE_KEY = "posts:navigation"
TIMEOUT = 300  # a scheduled page joins the navigation at most five minutes after it goes live
# Each worker's copy, read again when Redis reports a write to it: no round trip on most pages.
_held = HeldCopy(CACHE_KEY)


def refresh() -> list[tuple[str, str]]:
    pages = Post.objects.navigation()
    cache.set(CACHE_KEY, pages, timeout=TIMEOUT)
    _held.forget()
    return pages


def pages() -> list[tuple[str, str]]:
    try:
        cached = _held.read(cache)
    except Exception:  # the cache cannot be reached: the database still knows
        logger.warning("The cache is unreachable; reading the navigation pages", exc_info=True)
        return Post.objects.navigation()
    return refresh() if cached is None else cached


def _pages_for_templates() -> list[tuple[str, str]]:
    """The pages, or none when the database cannot say: an error page must still render."""
    try:
        return pages()
    except DatabaseError:
        logger.exception("Could not read the navigation pages")
        return []


def context(request):
    """``navigation_pages``: (title, URL) pairs in the admin's order, read only by templates using them."""
    return {"navigation_pages": SimpleLazyObject(_pages_for_templates)}

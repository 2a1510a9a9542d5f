"""Absolute links to the site, for feeds, the sitemap, canonical and social tags.

``SITE_URL`` wins when it is set (behind a proxy the request may not know the public
name); otherwise the request's own scheme and host are used.
"""

import functools
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse


def site_url(request=None) -> str:
    """The blog's public base URL, without a trailing slash."""
    if settings.SITE_URL:
        return settings.SITE_URL
    if request is not None:
        try:
            return f"{request.scheme}://{request.get_host()}"
        except DisallowedHost:  # its error page is being made: it links within whatever host it is
            pass
    return ""


def absolute_url(path: str, request=None) -> str:
    """``path`` (as ``reverse()`` gives it) as an absolute URL."""
    return site_url(request) + path


# The URLconf and script prefix of the view running now (``RequestLinksMiddleware``): Django
# keeps both in asgiref Locals, and a list page reads them twice for each of its fifty links.
_VIEW_ROUTING: ContextVar[tuple[str, str] | None] = ContextVar("view_routing", default=None)


@functools.lru_cache(maxsize=20_000)
def _reverse(viewname: str, args: tuple, urlconf: str, script_prefix: str) -> str:
    return reverse(viewname, urlconf=urlconf, args=args)


def cached_reverse(viewname: str, *args) -> str:
    """``reverse(viewname, args=args)``, remembered: a page of post cards asks for some fifty
    links (each post's, its author's, its tags'), and Django's reverse() costs a third of
    rendering such a page (bench/run). Remembered per URLconf and script prefix."""
    return _reverse(viewname, args, *view_routing())


def cached_reverser() -> Callable[..., str]:
    """``cached_reverse`` for a list that makes a link a row: this request's URLconf and script
    prefix are read once, not per link (each is a thread- and task-local read of a few µs)."""
    urlconf, script_prefix = view_routing()
    return lambda viewname, *args: _reverse(viewname, args, urlconf, script_prefix)


def view_routing() -> tuple[str, str]:
    """The URLconf and script prefix links are made with now."""
    return _VIEW_ROUTING.get() or (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


class RequestLinksMiddleware:
    """Reads the URLconf and script prefix a view's links are made with once, when the view is
    about to run (a middleware may have changed the URLconf until then), for ``cached_reverse``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _VIEW_ROUTING.set(None)
        try:
            return self.get_response(request)
        finally:
            _VIEW_ROUTING.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        _VIEW_ROUTING.set((get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()))


@receiver(setting_changed)
def _forget_links(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _reverse.cache_clear()

"""Django's WSGI handler, looking each address's view up once.

Django resolves every request's path against the URLconf anew: 40 to 66 µs of a worker's CPU for
this site's patterns (`/search/`, `/`, a post, a tag, on a busy machine), on every page the cache
does not answer. The answer depends only on the resolver and the path, so the last
``RESOLVED_KEPT`` answers are remembered, as ``links.cached_reverse`` remembers the other
direction: counted by callgrind over the benchmark's 64 searches, 7.48 → 7.20 million
instructions a search. A path no pattern matches is looked up each time (Django's 404 is not
remembered); one a pattern matches is kept even when its view answers 404 (a page's address that
names no page), at most ``RESOLVED_KEPT`` of them.
"""

import functools

from django.core.handlers.wsgi import WSGIHandler as DjangoWSGIHandler
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import URLResolver, get_resolver, set_urlconf

RESOLVED_KEPT = 4096


@functools.lru_cache(maxsize=RESOLVED_KEPT)
def cached_resolve(resolver: URLResolver, path: str):
    """``resolver.resolve(path)``, remembered. Its ``ResolverMatch`` is shared by the requests for
    ``path``: Django's handler copies its arguments into each call of the view."""
    return resolver.resolve(path)


class WSGIHandler(DjangoWSGIHandler):
    def resolve_request(self, request):
        """Django's, with the match remembered (``cached_resolve``)."""
        if hasattr(request, "urlconf"):
            set_urlconf(request.urlconf)
            resolver = get_resolver(request.urlconf)
        else:
            resolver = get_resolver()
        request.resolver_match = cached_resolve(resolver, request.path_info)
        return request.resolver_match


@receiver(setting_changed)
def _forget_resolved(setting, **kwargs):
    if setting == "ROOT_URLCONF":  # Django makes new resolvers: the old ones need not be kept alive
        cached_resolve.cache_clear()

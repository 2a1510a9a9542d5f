"""Purging shared caches in front of the site (Varnish, a CDN) by surrogate key.

The page cache names what each page shows in its ``xkey`` header and, when something changes,
hands the keys it retires to ``purge_later()``: a background task (django-tasks, the worker
that sends e-mail) asks every configured purger to drop the pages carrying any of them. A
purger is a small class with one method, ``purge(keys)``; ``VarnishPurger`` speaks to Varnish
with the xkey module (``deploy/varnish/blogsite.vcl``). ``SHARED_CACHE_PURGE_URLS`` lists the
caches to purge; with none, nothing is queued.
"""

import logging
import urllib.request
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

MAX_ATTEMPTS = 5
# Varnish refuses request headers over 8 KB by default: send long lists of keys in parts.
MAX_HEADER_CHARS = 4000

logger = logging.getLogger(__name__)


class Purger:
    """Drops the pages that carry any of the given surrogate keys from one kind of shared cache."""

    def purge(self, keys: Sequence[str]) -> None:
        raise NotImplementedError


class VarnishPurger(Purger):
    """``PURGE /`` with an ``xkey`` header naming the keys, to each Varnish (see the VCL we ship)."""

    def __init__(self, urls: Sequence[str], timeout: float = 5.0):
        self.urls, self.timeout = list(urls), timeout

    def purge(self, keys: Sequence[str]) -> None:
        for url in self.urls:
            for part in _in_parts(keys):
                # The URL is the operator's, checked to be http(s) when the settings load.
                request = urllib.request.Request(url, method="PURGE", headers={"xkey": " ".join(part)})  # noqa: S310
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    answer = response.read(200).decode(errors="replace")
                logger.info("Purged %s at %s: %s", " ".join(part), url, answer.strip()[:120])


def _in_parts(keys: Sequence[str]):
    part, length = [], 0
    for key in keys:
        if part and length + len(key) + 1 > MAX_HEADER_CHARS:
            yield part
            part, length = [], 0
        part.append(key)
        length += len(key) + 1
    if part:
        yield part


def _purgers() -> tuple[Purger, ...]:
    if not settings.SHARED_CACHE_PURGE_URLS:
        return ()
    backend = import_string(settings.SHARED_CACHE_PURGER)
    return (backend(settings.SHARED_CACHE_PURGE_URLS),)


def configured() -> bool:
    """Whether any shared cache is to be purged."""
    return bool(settings.SHARED_CACHE_PURGE_URLS)


def purge_later(keys: Sequence[str]) -> None:
    """Queue the purge of ``keys`` in every shared cache; the worker runs it within a moment."""
    purge_shared_caches.enqueue(keys=list(keys))


@task()
def purge_shared_caches(*, keys: list[str], attempt: int = 1) -> dict:
    """Purge ``keys`` everywhere; a cache that cannot be reached is tried again, 1, 4, 9, 16 s later."""
    try:
        for purger in _purgers():
            purger.purge(keys)
    except OSError:
        if attempt >= MAX_ATTEMPTS:
            raise  # kept as failed, with its traceback; the pages still expire by themselves
        logger.warning("Purging a shared cache failed (attempt %d); retrying", attempt, exc_info=True)
        retry = purge_shared_caches
        if retry.get_backend().supports_defer:
            retry = retry.using(run_after=timezone.now() + timedelta(seconds=attempt**2))
        retry.enqueue(keys=keys, attempt=attempt + 1)
        return {"purged": False, "attempt": attempt}
    return {"purged": True, "keys": len(keys), "attempt": attempt}

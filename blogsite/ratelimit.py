"""Rate limits kept in the Django cache (Redis when REDIS_URL is set), so every process agrees.

Fixed windows: a counter per (scope, key, window); when it passes the limit the caller is
told how many seconds remain until the window ends (for ``Retry-After``). A limit's size
and window are read from settings each time it is used, so ``override_settings`` works.
"""

import contextlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches

from blogsite.redis_cache import RedisCache


def clock() -> float:
    """The clock windows are counted on (epoch seconds); one name, so tests can start a window."""
    return time.time()


@dataclass(frozen=True)
class Limit:
    """``count`` attempts per ``seconds``; each is a number or the name of the setting holding it."""

    scope: str
    count: int | str
    seconds: int | str

    @property
    def size(self) -> int:
        return getattr(settings, self.count) if isinstance(self.count, str) else self.count

    @property
    def window(self) -> int:
        return getattr(settings, self.seconds) if isinstance(self.seconds, str) else self.seconds

    def cache_key(self, key, now: float) -> str:
        return f"ratelimit:{self.scope}:{key}:{int(now // self.window)}"

    def retry_after(self, now: float) -> int:
        """Seconds until the window that holds ``now`` ends (at least 1)."""
        return max(1, int(self.window - now % self.window))

    def blocked_for(self, key) -> int:
        """Seconds until ``key`` may try again; 0 when it is within its limit."""
        now = clock()
        used = caches[DEFAULT_CACHE_ALIAS].get(self.cache_key(key, now), 0)
        return self.retry_after(now) if used >= self.size else 0

    def hit(self, key, *, at: float | None = None) -> int:
        """Count one attempt for ``key`` (now, or ``at``); the seconds to wait when that passed
        the limit, else 0. Atomic: of many parallel hits, only the limit's number get a 0."""
        now = clock() if at is None else at
        used = count(self.cache_key(key, now), timeout=self.window + 1)
        return self.retry_after(now) if used > self.size else 0

    def take_back(self, key, *, at: float) -> None:
        """Uncount the attempt counted ``at`` (it succeeded), in the window that counted it."""
        with contextlib.suppress(ValueError):  # that window has ended: nothing left to take back
            caches[DEFAULT_CACHE_ALIAS].decr(self.cache_key(key, at))

    def clear(self, key):
        caches[DEFAULT_CACHE_ALIAS].delete(self.cache_key(key, clock()))


def count(cache_key: str, *, timeout: int) -> int:
    """Add one to a counter that expires; its new value. On our Redis backend, one round trip:
    every API read and every cached API read pays for it."""
    cache = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(cache, RedisCache):
        return cache.incr_expiring(cache_key, timeout=timeout)
    cache.add(cache_key, 0, timeout=timeout)
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=timeout)
        return 1


FAILED_LOGINS = Limit("login", "BLOG_LOGIN_ATTEMPTS", "BLOG_LOGIN_WINDOW_SECONDS")
PASSWORD_RESETS = Limit("reset", "BLOG_PASSWORD_RESETS", "BLOG_PASSWORD_RESET_WINDOW_SECONDS")
WRITES = Limit("write", "BLOG_WRITES_PER_MINUTE", 60)
ANONYMOUS_READS = Limit("read", "BLOG_ANONYMOUS_READS_PER_MINUTE", 60)


def client_ip(request) -> str:
    """The client's address as the server saw it (a trusted proxy sets REMOTE_ADDR for us)."""
    return request.META.get("REMOTE_ADDR", "")

"""Rate limits kept in the Django cache (Redis when REDIS_URL is set), so every process agrees.

Fixed windows: a counter per (scope, key, window); when it passes the limit the caller is
told how many seconds remain until the window ends (for ``Retry-After``).
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCacheClient


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    seconds: int

    def _key(self, key, now):
        return f"ratelimit:{self.scope}:{key}:{int(now // self.seconds)}"

    def _retry_after(self, now):
        return max(1, int(self.seconds - now % self.seconds))

    def blocked_for(self, key) -> int:
        """Seconds until ``key`` may try again; 0 when it is within its limit."""
        now = time.time()
        used = cache.get(self._key(key, now), 0)
        return self._retry_after(now) if used >= self.count else 0

    def hit(self, key) -> int:
        """Count one attempt for ``key``; the seconds to wait when that passed the limit, else 0."""
        now = time.time()
        used = count(self._key(key, now), timeout=self.seconds + 1)
        return self._retry_after(now) if used > self.count else 0

    def clear(self, key):
        cache.delete(self._key(key, time.time()))


def count(cache_key, *, timeout) -> int:
    """Add one to a counter that expires; its new value. On Redis, one round trip (a pipeline):
    every API read and every cached API read pays for it."""
    client = getattr(cache, "_cache", None)
    if isinstance(client, RedisCacheClient):
        key = cache.make_and_validate_key(cache_key)
        with client.get_client(key, write=True).pipeline() as pipe:
            used, _expiry_set = pipe.incr(key).expire(key, timeout).execute()
        return used
    cache.add(cache_key, 0, timeout=timeout)
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=timeout)
        return 1


FAILED_LOGINS = Limit("login", settings.BLOG_LOGIN_ATTEMPTS, settings.BLOG_LOGIN_WINDOW_SECONDS)
WRITES = Limit("write", settings.BLOG_WRITES_PER_MINUTE, 60)
ANONYMOUS_READS = Limit("read", settings.BLOG_ANONYMOUS_READS_PER_MINUTE, 60)


def client_ip(request) -> str:
    """The client's address as the server saw it (a trusted proxy sets REMOTE_ADDR for us)."""
    return request.META.get("REMOTE_ADDR", "")


def login_blocked_for(request, username: str) -> int:
    """Seconds before this username or address may try to sign in again; 0 when it may now."""
    return max(
        FAILED_LOGINS.blocked_for(f"user:{username.strip().lower()}"),
        FAILED_LOGINS.blocked_for(f"ip:{client_ip(request)}"),
    )


def note_failed_login(request, username: str) -> None:
    """Count a failed sign-in against both the username (whether it exists or not) and the address."""
    FAILED_LOGINS.hit(f"user:{username.strip().lower()}")
    FAILED_LOGINS.hit(f"ip:{client_ip(request)}")

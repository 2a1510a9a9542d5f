"""Django's Redis cache, keeping one redis-py client per server instead of making one per call.

Django's ``RedisCacheClient.get_client()`` builds a new ``redis.Redis`` for every cache
operation, and redis-py's constructor sets up its table of some 170 response callbacks
each time: about half the CPU time of serving a page from the page cache (bench/run). A
``redis.Redis`` is safe to share between threads (it takes a connection from its pool for
each command), so one per connection pool is kept and reused.

It also counts in one round trip (``incr_expiring``), which rate limits use on every API
read. Both reach into Django's backend below its public methods; why, and what guards it,
is in docs/decisions/0001-our-redis-cache-backend.md.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def incr_expiring(self, key: str, timeout: int) -> int:
        with self.get_client(key, write=True).pipeline() as pipe:
            value, _expiry_set = pipe.incr(key).expire(key, timeout).execute()
        return value


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def incr_expiring(self, key: str, *, timeout: int, version=None) -> int:
        """Add one to a counter, creating it at 1, and (re)set its expiry: one round trip, atomic."""
        key = self.make_and_validate_key(key, version=version)
        return self._cache.incr_expiring(key, timeout)

"""Django's Redis cache, keeping one redis-py client per server instead of making one per call.

Django's ``RedisCacheClient.get_client()`` builds a new ``redis.Redis`` for every cache
operation, and redis-py's constructor sets up its table of some 170 response callbacks
each time: about half the CPU time of serving a page from the page cache (bench/run). A
``redis.Redis`` is safe to share between threads (it takes a connection from its pool for
each command), so one per connection pool is kept and reused.

It also counts in one round trip (``incr_expiring``), which rate limits use on every API
read, and reads several keys on a connection each thread keeps for itself
(``get_many_held``): the page cache's one read per page, without the pool's bookkeeping
(docs/decisions/0011-page-cache-hits-before-django.md). These reach into Django's backend
below its public methods; why, and what guards it, is in
docs/decisions/0001-our-redis-cache-backend.md.
"""

import os
import threading

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._held = threading.local()

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

    def get_many_held(self, keys: list[str]) -> dict:
        # redis-py's pool checkout and release cost more than the MGET itself (redis-py 8).
        connection = getattr(self._held, "connection", None)
        if connection is None or self._held.pid != os.getpid():  # a forked worker makes its own
            connection = self._held.connection = self._get_connection_pool(False).make_connection()
            self._held.pid = os.getpid()
        try:
            connection.send_command("MGET", *keys)
            values = connection.read_response()
        except BaseException:
            connection.disconnect()  # whatever was half read is gone; the next call reconnects
            raise
        found = zip(keys, values, strict=True)
        return {key: self._serializer.loads(value) for key, value in found if value is not None}


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def incr_expiring(self, key: str, *, timeout: int, version=None) -> int:
        """Add one to a counter, creating it at 1, and (re)set its expiry: one round trip, atomic."""
        key = self.make_and_validate_key(key, version=version)
        return self._cache.incr_expiring(key, timeout)

    def get_many_held(self, keys: list[str], version=None) -> dict:
        """``get_many()`` over a connection this thread keeps: for the site's own keys, read per request."""
        made = {self.make_key(key, version=version): key for key in keys}
        return {made[key]: value for key, value in self._cache.get_many_held(list(made)).items()}

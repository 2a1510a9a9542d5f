"""Django's Redis cache, keeping one redis-py client per server instead of making one per call.

Django's ``RedisCacheClient.get_client()`` builds a new ``redis.Redis`` for every cache
operation, and redis-py's constructor sets up its table of some 170 response callbacks
each time: about half the CPU time of serving a page from the page cache (bench/run). A
``redis.Redis`` is safe to share between threads (it takes a connection from its pool for
each command), so one per connection pool is kept and reused.

It also counts in one round trip (``incr_expiring``), which rate limits use on every API
read, and reads several keys (``get_many_held``, the page cache's read), both on a connection
each thread keeps for itself, without the pool's bookkeeping
(docs/decisions/0011-page-cache-hits-before-django.md). These reach into Django's backend
below its public methods; why, and what guards it, is in
docs/decisions/0001-our-redis-cache-backend.md.

``advance(counter, marks)`` moves a counter on by one and sets marks to its new value, atomically
(the page cache's retirements, which must not interleave).

``watch(keys)`` tells a process, without a round trip, whether any of a few keys may have
been written since it last asked (Redis's server-assisted client-side caching): the page
cache serves its hottest pages from the worker's memory while it says no
(docs/decisions/0012-page-cache-copies-in-each-worker.md), and ``HeldCopy`` keeps a key
every page reads.
"""

import os
import threading
import time

from django.core.cache.backends import redis
from redis.exceptions import WatchError

# The channel Redis pushes invalidation messages to (CLIENT TRACKING ... REDIRECT).
INVALIDATIONS = b"__redis__:invalidate"


class KeyWatch:
    """Counts the writes to some Redis keys that this process may have missed, without a round trip.

    Redis's client-side caching support, in broadcasting mode: on its own connection the watch
    asks Redis (``CLIENT TRACKING on REDIRECT <itself> BCAST PREFIX <key>...``) to push a
    message whenever one of the keys is written, expires or its database is flushed (any
    database: Redis's tracking does not tell them apart, so a write elsewhere is one spurious
    change). ``changes()`` reads whatever messages are waiting (one non-blocking read, no
    round trip) and returns how many changes it has seen. A new connection counts as one: what
    happened while none was open is unknown. So while ``changes()`` returns the same number,
    none of the keys changed since, as far as Redis has told this process.
    """

    def __init__(self, pool, keys: list[str]):
        self._pool, self._keys = pool, keys
        self._connection = None
        self._pid = None
        self._count = 0
        self._lock = threading.Lock()

    def changes(self) -> int:
        with self._lock:
            if self._connection is None or self._pid != os.getpid():  # a forked worker watches for itself
                self._connect()
            try:
                while self._connection.can_read(timeout=0):
                    self._connection.read_response(push_request=True)
                    self._count += 1
            except BaseException:  # Redis went away: whatever it pushed since is lost
                self._connection.disconnect()
                self._connect()
            return self._count

    def saw_change(self) -> None:
        """Count a change this process made itself, before Redis's message about it arrives."""
        with self._lock:
            self._count += 1

    def _connect(self) -> None:
        self._connection = None
        self._count += 1
        connection = self._pool.make_connection()
        try:
            connection.send_command("CLIENT", "ID")
            own_id = connection.read_response()
            prefixes = [part for key in self._keys for part in ("PREFIX", key)]
            connection.send_command("CLIENT", "TRACKING", "ON", "REDIRECT", own_id, "BCAST", *prefixes)
            connection.read_response()
            connection.send_command("SUBSCRIBE", INVALIDATIONS)
            connection.read_response(push_request=True)
        except BaseException:
            connection.disconnect()  # half set up: no socket left behind
            raise
        self._connection, self._pid = connection, os.getpid()


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._held = threading.local()
        self._watches = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def incr_expiring(self, key: str, timeout: int) -> int:
        # MULTI/EXEC: a counter must never be left without its expiry (a visitor limited for good).
        # Sent at once on the thread's connection: redis-py's pipeline costs more than the count.
        commands = [("MULTI",), ("INCR", key), ("EXPIRE", key, timeout), ("EXEC",)]
        value, _expiry_set = self._held_round_trip(commands)[-1]
        if isinstance(value, Exception):  # e.g. the key holds something else than a count
            raise value
        return value

    def advance(self, counter: str, marks: list[str], *, start: int, timeout: int) -> int:
        # WATCH, then MULTI/EXEC: should another client move the counter in between, EXEC does
        # nothing and we read it again. Counter and marks are integers, stored as digits.
        with self.get_client(write=True).pipeline() as pipe:
            while True:
                try:
                    pipe.watch(counter)
                    current = pipe.get(counter)
                    coming = start if current is None else int(current) + 1
                    pipe.multi()
                    pipe.mset(dict.fromkeys(marks, coming))
                    for mark in marks:
                        pipe.expire(mark, timeout)
                    pipe.set(counter, coming)
                    pipe.execute()
                    return coming
                except WatchError:
                    continue

    def _held_connection(self):
        connection = getattr(self._held, "connection", None)
        if connection is None or self._held.pid != os.getpid():  # a forked worker makes its own
            connection = self._held.connection = self._get_connection_pool(False).make_connection()
            self._held.pid = os.getpid()
        return connection

    def _held_round_trip(self, commands: list[tuple]) -> list:
        connection = self._held_connection()
        try:
            connection.send_packed_command(connection.pack_commands(commands))
            return [connection.read_response() for _ in commands]
        except BaseException:
            connection.disconnect()  # whatever was half read is gone; the next call reconnects
            raise

    def get_many_held(self, keys: list[str]) -> dict:
        # redis-py's pool checkout and release cost more than the MGET itself (redis-py 8).
        (values,) = self._held_round_trip([("MGET", *keys)])
        found = zip(keys, values, strict=True)
        return {key: self._serializer.loads(value) for key, value in found if value is not None}

    def watch(self, keys: list[str]) -> KeyWatch:
        watch = self._watches.get(tuple(keys))
        if watch is None:
            watch = self._watches[tuple(keys)] = KeyWatch(self._get_connection_pool(False), keys)
        return watch

    def clear(self) -> bool:
        cleared = super().clear()
        for watch in self._watches.values():  # this process knows now; Redis's message may come later
            watch.saw_change()
        return cleared


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._made_keys = {}

    def incr_expiring(self, key: str, *, timeout: int, version=None) -> int:
        """Add one to a counter, creating it at 1, and (re)set its expiry: one round trip, atomic."""
        key = self.make_and_validate_key(key, version=version)
        return self._cache.incr_expiring(key, timeout)

    def advance(self, counter: str, marks: list[str], *, start: int, timeout: int, version=None) -> int:
        """Move the integer at ``counter`` on by one (to ``start`` when there is none) and set each
        of ``marks`` to its new value for ``timeout`` seconds, as one step no other client's can
        come between; the new value."""
        made = [self.make_and_validate_key(key, version=version) for key in (counter, *marks)]
        return self._cache.advance(made[0], made[1:], start=start, timeout=timeout)

    def get_many_held(self, keys: list[str], version=None) -> dict:
        """``get_many()`` over a connection this thread keeps: for the site's own keys, read per request."""
        made = {self.make_key(key, version=version): key for key in keys}
        return {made[key]: value for key, value in self._cache.get_many_held(list(made)).items()}

    def watch(self, keys: list[str], version=None) -> KeyWatch:
        """This process's ``KeyWatch`` over ``keys`` (one per set of keys)."""
        # Asked on every page cache hit: the made keys are remembered.
        made = self._made_keys.get((*keys, version))
        if made is None:
            made = self._made_keys[(*keys, version)] = [self.make_key(key, version=version) for key in keys]
        return self._cache.watch(made)


class HeldCopy:
    """One key every page reads (the navigation), kept in this process: read again only when
    its watch (``RedisCache.watch``) has seen a write to it, or at least once in
    ``TRUSTED_SECONDS`` (a Redis that can no longer reach this process with its messages is
    asked again within that time). With a cache that cannot watch, each read is a read.
    A missing value is not kept: its reader makes it, and the write that stores it is seen."""

    TRUSTED_SECONDS = 1.0

    def __init__(self, key: str):
        self.key = key
        self._lock = threading.Lock()
        self._value = self._changes = None
        self._read_at = 0.0

    def read(self, cache):
        watch = getattr(cache, "watch", None)
        if watch is None:
            return read_held(cache, [self.key]).get(self.key)
        changes = watch([self.key]).changes()  # before the read: a write it misses moves it on
        with self._lock:
            fresh = changes == self._changes and time.monotonic() - self._read_at <= self.TRUSTED_SECONDS
            if fresh and self._value is not None:
                return self._value
        value = read_held(cache, [self.key]).get(self.key)
        with self._lock:
            self._value, self._changes, self._read_at = value, changes, time.monotonic()
        return value

    def forget(self) -> None:
        """This process just wrote the key: read it again, without waiting for Redis's message."""
        with self._lock:
            self._value = None


def read_held(cache, keys: list[str]) -> dict:
    """``cache.get_many(keys)``, on the connection this thread keeps where ``cache`` is ours: for
    the keys a page reads on every request (the page cache's, the navigation)."""
    get_many = getattr(cache, "get_many_held", None) or cache.get_many
    return get_many(keys)

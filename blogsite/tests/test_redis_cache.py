import time

import pytest
import redis
from django.conf import settings
from django.core.cache import caches

from blogsite.redis_cache import HeldCopy, KeyWatch, RedisCache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="runs where REDIS_URL names a Redis")


def test_it_reuses_one_redis_client_for_every_call():
    cache = caches.create_connection("default")
    assert isinstance(cache, RedisCache)
    assert cache._cache.get_client("a") is cache._cache.get_client("b", write=True)


def test_it_still_stores_and_reads_through_the_shared_client():
    cache = caches.create_connection("default")
    cache.delete_many(["redis-cache-test", "redis-cache-counter"])
    cache.set("redis-cache-test", {"n": 1}, timeout=10)
    assert cache.get_many(["redis-cache-test", "missing"]) == {"redis-cache-test": {"n": 1}}
    assert cache.add("redis-cache-counter", 0, timeout=10)
    assert cache.incr("redis-cache-counter") == 1
    cache.delete_many(["redis-cache-test", "redis-cache-counter"])


def test_it_counts_and_sets_the_expiry_in_one_call():
    cache = caches.create_connection("default")
    cache.delete("redis-cache-hits")
    assert [cache.incr_expiring("redis-cache-hits", timeout=10) for _ in range(3)] == [1, 2, 3]
    assert cache.get("redis-cache-hits") == 3
    key = cache.make_and_validate_key("redis-cache-hits")
    assert 0 < cache._cache.get_client(key).ttl(key) <= 10  # it expires: an old window never lingers
    cache.delete("redis-cache-hits")


def test_it_reads_many_keys_on_a_connection_it_keeps_and_reconnects_after_a_failure():
    cache = caches.create_connection("default")
    cache.set_many({"redis-cache-a": {"n": 1}, "redis-cache-b": 7}, timeout=10)
    keys = ["redis-cache-a", "redis-cache-b", "redis-cache-missing"]
    stored = {"redis-cache-a": {"n": 1}, "redis-cache-b": 7}
    assert cache.get_many_held(keys) == cache.get_many(keys) == stored
    connection = cache._cache._held.connection
    connection.disconnect()  # as a Redis restart would
    assert cache.get_many_held(keys) == stored
    assert cache._cache._held.connection is connection  # the same connection, connected again
    cache.delete_many(keys)


def test_a_watch_counts_writes_to_its_keys_and_no_others():
    cache = caches.create_connection("default")
    watch = cache.watch(["redis-cache-watched"])
    assert cache.watch(["redis-cache-watched"]) is watch  # one per process and set of keys
    seen = watch.changes()
    cache.set("redis-cache-unwatched", 1, timeout=10)
    time.sleep(0.05)
    assert watch.changes() == seen
    cache.set("redis-cache-watched", 1, timeout=10)
    deadline = time.monotonic() + 2
    while watch.changes() == seen and time.monotonic() < deadline:
        time.sleep(0.005)
    assert watch.changes() == seen + 1
    cache.delete_many(["redis-cache-watched", "redis-cache-unwatched"])


def test_a_count_over_something_else_fails_loudly_and_the_next_count_works():
    cache = caches.create_connection("default")
    cache.set("redis-cache-not-a-count", "words", timeout=10)
    with pytest.raises(Exception, match="not an integer"):
        cache.incr_expiring("redis-cache-not-a-count", timeout=10)
    cache.delete_many(["redis-cache-not-a-count", "redis-cache-hits"])
    assert cache.incr_expiring("redis-cache-hits", timeout=10) == 1
    cache.delete("redis-cache-hits")


def test_a_watch_on_a_redis_it_cannot_reach_fails_every_time_it_is_asked():
    watch = KeyWatch(redis.ConnectionPool(host="127.0.0.1", port=1, socket_connect_timeout=0.2), ["k"])
    for _ in range(2):  # the page cache then serves without itself, as with any Redis outage
        with pytest.raises(redis.ConnectionError):
            watch.changes()


def test_it_advances_a_counter_and_sets_marks_to_its_new_value_in_one_step():
    cache = caches.create_connection("default")
    cache.delete_many(["advance-counter", "advance-a", "advance-b"])
    assert cache.advance("advance-counter", ["advance-a"], start=1000, timeout=10) == 1000  # no counter yet
    assert cache.advance("advance-counter", ["advance-a", "advance-b"], start=1, timeout=10) == 1001
    assert cache.get_many(["advance-counter", "advance-a", "advance-b"]) == {
        "advance-counter": 1001,
        "advance-a": 1001,
        "advance-b": 1001,
    }
    key = cache.make_and_validate_key("advance-b")
    assert 0 < cache._cache.get_client(key).ttl(key) <= 10
    assert cache._cache.get_client(key).ttl(cache.make_and_validate_key("advance-counter")) == -1  # kept
    cache.delete_many(["advance-counter", "advance-a", "advance-b"])


def test_a_step_another_client_comes_between_is_taken_again_and_never_lowers_a_mark(monkeypatch):
    """Two retirements at once: one reads the counter, the other moves it and marks the same key;
    the first must not then write the lower value it had worked out."""
    cache, other = caches.create_connection("default"), caches.create_connection("default")
    cache.delete_many(["advance-counter", "advance-a"])
    cache.set("advance-counter", 5, timeout=None)
    pipeline_multi, interrupted = redis.client.Pipeline.multi, []

    def multi(pipe):
        if not interrupted:  # after the first read of the counter, once
            interrupted.append("the other client's step")
            interrupted.append(other.advance("advance-counter", ["advance-a"], start=1, timeout=10))
        return pipeline_multi(pipe)

    monkeypatch.setattr(redis.client.Pipeline, "multi", multi)
    assert cache.advance("advance-counter", ["advance-a"], start=1, timeout=10) == 7
    assert interrupted == ["the other client's step", 6]
    assert cache.get_many(["advance-counter", "advance-a"]) == {"advance-counter": 7, "advance-a": 7}
    cache.delete_many(["advance-counter", "advance-a"])


def test_a_held_copy_is_read_once_and_again_after_another_client_writes_it(monkeypatch):
    cache, writer = caches.create_connection("default"), caches.create_connection("default")
    writer.set("redis-cache-held", ["first"], timeout=10)
    held = HeldCopy("redis-cache-held")
    assert held.read(cache) == ["first"]
    reads = []
    monkeypatch.setattr(cache, "get_many_held", lambda keys: reads.append(keys) or cache.get_many(keys))
    assert held.read(cache) == ["first"] and reads == []  # no round trip
    writer.set("redis-cache-held", ["second"], timeout=10)  # another worker refreshes it
    deadline = time.monotonic() + 2
    while held.read(cache) == ["first"] and time.monotonic() < deadline:
        time.sleep(0.005)
    assert held.read(cache) == ["second"] and len(reads) == 1  # read again once, on Redis's message
    held.forget()  # this process wrote it itself
    assert held.read(cache) == ["second"] and len(reads) == 2
    writer.delete("redis-cache-held")

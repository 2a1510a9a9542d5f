"""Each worker's copies of the pages it serves (docs/decisions/0012), kept honest by Redis's messages."""

import time

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve

from blogsite import pagecache
from blogsite.pagecache import LocalCopies
from blogsite.tests import pagecache_urls

needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="runs where REDIS_URL names a Redis")


def page(content: bytes, generation=1):
    """An entry as the page cache stores it: (rendered_at, started_at, expires_at, keys, …, content)."""
    return (generation, 0.0, time.time() + 60, ["all"], True, '"e"', 0, [], content)


def test_copies_stay_within_their_budget_and_the_least_recently_served_go_first():
    copies = LocalCopies(budget=3 * (1024 + 100))
    for key in "abc":
        copies.keep(key, 1, 1, 0, page(b"x" * 100))
    assert copies.get("a", 1) is not None  # served: now the most recent
    copies.keep("d", 1, 1, 0, page(b"x" * 100))
    assert [key for key in "abcd" if copies.get(key, 1)] == ["a", "c", "d"]


def test_a_copy_is_kept_only_when_it_was_current_and_served_only_while_nothing_changed():
    copies = LocalCopies(budget=1024 * 1024)
    copies.keep("old", 1, 5, 0, page(b"old", generation=4))  # rendered before the last retirement
    current = page(b"new", generation=5)
    copies.keep("new", 1, 5, 0, current)
    assert copies.get("old", 1) is None
    assert copies.get("new", 1) == (5, 0, current)
    assert copies.get("new", 2) is None  # the watch saw a change since
    copies.keep("new", 1, 6, 0, page(b"new", generation=5))  # read again: the generation moved meanwhile
    assert copies.get("new", 1) is None


def test_copies_are_trusted_only_a_short_while_after_the_last_read(monkeypatch):
    copies = LocalCopies(budget=1024 * 1024)
    copies.keep("a", 1, 1, 0, page(b"a"))
    clock = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: clock + LocalCopies.TRUSTED_SECONDS + 0.1)
    assert copies.get("a", 1) is None  # a Redis cut off from this process could not have said


@pytest.fixture
def middleware_get(db, settings):
    """``get(url)``: a request through the page cache's middleware to a stand-in page naming post-1."""
    settings.ROOT_URLCONF = "blogsite.tests.pagecache_urls"

    def respond(request):
        response = HttpResponse(f"rendered {time.monotonic_ns()}")
        pagecache.add_keys(response, "post-1")
        return response

    pagecache_urls.RESPOND["view"] = respond
    middleware = pagecache.PageCacheMiddleware(lambda request: pagecache_urls.public(request))
    factory = RequestFactory()

    def get(url="/anything/"):
        request = factory.get(url)
        request.resolver_match = resolve(request.path_info)
        return middleware(request)

    return get


def round_trips(monkeypatch) -> list:
    """The page cache's reads from Redis from now on."""
    reads, read = [], pagecache._read
    monkeypatch.setattr(pagecache, "_read", lambda key: reads.append(key) or read(key))
    return reads


def until(condition, seconds=2.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


@needs_redis
def test_a_hit_is_served_from_the_workers_copy_without_a_round_trip(middleware_get, monkeypatch):
    stored = middleware_get()
    assert middleware_get()["X-Cache"] == "hit"  # read from Redis, and kept
    reads = round_trips(monkeypatch)
    again = middleware_get()
    assert again["X-Cache"] == "hit" and again.content == stored.content
    assert reads == []


@needs_redis
def test_a_retirement_by_another_process_reaches_the_copies(middleware_get, monkeypatch):
    first = middleware_get()
    middleware_get()
    watch = pagecache._watch()
    seen = watch.changes()
    # Another worker retires the page: its generation and its mark, straight in Redis.
    other = redis.Redis.from_url(settings.REDIS_URL)
    generation = other.incr(cache.make_key(pagecache.GENERATION_KEY))
    other.set(cache.make_key(pagecache.RETIRED_KEY_PREFIX + "post-1"), generation, ex=60)
    assert until(lambda: watch.changes() > seen)  # Redis told this process
    reads = round_trips(monkeypatch)
    rendered_again = middleware_get()
    assert reads  # asked Redis, not the copy
    assert rendered_again["X-Cache"] == "miss" and rendered_again.content != first.content


@needs_redis
def test_a_retirement_here_is_seen_at_once(middleware_get, monkeypatch):
    first = middleware_get()
    middleware_get()
    pagecache.retire_pages(["post-1"])
    assert middleware_get().content != first.content  # without waiting for Redis's message


@needs_redis
def test_a_lost_connection_to_redis_forgets_the_copies(middleware_get, monkeypatch):
    middleware_get()
    middleware_get()
    watch = pagecache._watch()
    seen = watch.changes()
    other = redis.Redis.from_url(settings.REDIS_URL)
    killed = other.client_kill_filter(_type="pubsub", skipme=True)  # as a Redis restart would
    assert killed >= 1
    assert until(lambda: watch.changes() > seen)
    reads = round_trips(monkeypatch)
    assert middleware_get()["X-Cache"] == "hit"
    assert reads  # read again from Redis; the watch is back
    generation = other.incr(cache.make_key(pagecache.GENERATION_KEY))
    assert generation and until(lambda: watch.changes() > seen + 1)


@needs_redis
def test_a_flushed_cache_forgets_the_copies_at_once(middleware_get):
    first = middleware_get()
    middleware_get()
    cache.clear()
    assert middleware_get().content != first.content

"""The page cache: anonymous pages and public reads, served from the cache in one round trip at most.

It knows no model and no app. What is cached: GET responses of views marked ``@cache_public``
and of the sections an app declares public with ``add_section()`` (the JSON API declares its
prefix), for a visitor who sends no session cookie, no flash-message cookie and no
``Authorization`` header. A page is keyed on scheme, host, script name and routed path kept
apart, and only the query parameters its view uses (``cache_public(query=...)``): ``?junk=1``
is served the page without it, and never makes an entry of its own. A section may refuse a hit
(the API counts cached reads against the visitor's read limit). A response is stored only if it
is a 200 that sets no cookie (so it holds no CSRF token and no flash message), used no CSP
nonce, is not ``private``/``no-store``, and varies on nothing but ``Cookie``. Signed-in users
never read or fill it.

Shared caches in front (Varnish, a CDN) may keep what this cache keeps: a stored response says
so with ``Cache-Control: max-age=0, s-maxage=…, stale-while-revalidate=…, stale-if-error=…``
(browsers revalidate, for a cheap ``304``), and names what it shows in the ``xkey`` header.

What a page shows: views name it with *surrogate keys* (``add_keys(response, "post-12", …)``):
the objects on the page and the lists it belongs to. Apps call ``retire_pages(keys)`` from
their own signal handlers (connected in their ``AppConfig.ready()``), so the admin, the API,
the dashboard and the shell all retire exactly the pages that show what changed, here and,
through a background task, in the shared caches (``blogsite.purgers``). Code that writes in
bulk (``QuerySet.update()`` sends no signal) calls it itself; ``retire_pages()`` with no keys
retires every page. A page whose view named nothing is retired by every change.

How retiring works in one round trip: a global *generation* counts retirements; each key
remembers the generation that last retired it. An entry records the generation read before its
view ran; while the generation has not moved since, it is fresh without looking further. When
it has, the entry's keys are checked once (a second round trip) and, when none was retired
after the entry was rendered, the entry is filed under the new generation again. A page
rendered while a write lands was read under the older generation, so the write's retirement
(made again when its transaction commits) always reaches it. A retirement writes its marks,
naming the generation to come, before it moves the generation there. Entries also expire after
``PAGE_CACHE_SECONDS``, and never later than the earliest time an app's ``bound_lifetime_by()``
hook names (the posts app: the next scheduled post), so scheduled changes appear by themselves;
an entry stored before a change was scheduled is not served once that change's time has come.

Hits and misses both answer conditional GETs with ``ETag``/``Last-Modified`` and ``304``. Most
hits are answered in front of Django (``blogsite/pagefront.py``) by the functions below
(``is_candidate``, ``query_names_for``, ``page_key``, ``look_up``, ``is_fresh``, ``answer_from``);
the middleware answers the rest and stores what Django renders. With Redis, each worker keeps
copies of the pages it served (``LocalCopies``) and serves them without a round trip while
Redis's client-side caching messages say no retirement or reschedule happened since
(docs/decisions/0012).
"""

import functools
import hashlib
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified, QueryDict
from django.urls import Resolver404, get_resolver
from django.utils.http import http_date, parse_http_date_safe

from blogsite import paging, purgers
from blogsite.conditional import is_not_modified, not_modified_headers, not_modified_response
from blogsite.handler import cached_resolve
from blogsite.redis_cache import read_held

GENERATION_KEY = "pagecache:generation"
SCHEDULE_KEY = "pagecache:next-change"  # epoch seconds of the next change the hooks know of, 0 for none
PAGE_KEY_PREFIX = "pagecache:page2:"  # 2: entries record when their view started
RETIRED_KEY_PREFIX = "pagecache:retired:"  # + a surrogate key: the generation that last retired it
KEYS_HEADER = "xkey"  # Varnish's xkey module reads it; space-separated
ALL_PAGES = "all"  # every stored page carries it: retiring it retires everything
UNNAMED = "unnamed"  # a page whose view named nothing: any change retires it
# Set in the WSGI environ when the front (blogsite/pagefront.py) could not read the cache.
UNREACHABLE = "blogsite.pagecache.unreachable"
# Set there when the front found a fresh page its section would not serve (a read past its limit).
HIT_REFUSED = "blogsite.pagecache.hit_refused"
# Set there when the front found no fresh page: (key, time.time() before the look-up, generation,
# schedule), so the middleware renders and stores it without looking it up a second time.
MISSED = "blogsite.pagecache.missed"

logger = logging.getLogger(__name__)


def cache_public(view=None, *, query: Iterable[str] = (), keys: Iterable[str] = ()):
    """Mark a view whose anonymous GET responses are the same for every visitor: they may be cached.

    ``query`` names the query parameters the view reads (others are left out of the cache key);
    ``keys`` are surrogate keys every response of the view carries. Works as ``@cache_public``,
    ``@cache_public(query=["page"])`` and on callables such as ``Feed`` instances; the view
    itself is left as it was.
    """
    if view is None:
        return functools.partial(cache_public, query=query, keys=keys)

    @functools.wraps(view)
    def public_view(*args, **kwargs):
        response = view(*args, **kwargs)
        if keys:
            add_keys(response, *keys)
        return response

    public_view.cache_public = True
    public_view.cache_query = frozenset(query)
    return public_view


def add_keys(response, *keys: str) -> None:
    """Name what ``response`` shows (objects, lists) so that a change to any of them retires it."""
    known = response.get(KEYS_HEADER, "").split()
    response[KEYS_HEADER] = " ".join(dict.fromkeys([*known, *keys]))


def _always(request) -> bool:
    return True


@dataclass(frozen=True)
class Section:
    """A part of the site under one URL prefix whose anonymous GETs are public (e.g. the JSON API).

    ``query`` names the query parameters its views read; ``is_public(request)`` may keep some
    requests out (a search); ``may_serve_hit(request)`` is asked before a cached answer is
    served, and when it says no the request goes on to its view.
    """

    prefix: str
    query: frozenset = frozenset()
    is_public: Callable = _always
    may_serve_hit: Callable = _always


SECTIONS: dict[str, Section] = {}
# Spellings of one value that every view reads alike, keyed as one (issue 13, finding 12).
CANONICAL_VALUES: dict[str, Callable[[str], str]] = {"page": paging.canonical_number}
LIFETIME_HOOKS: list[Callable[[], float]] = []


def add_section(section: Section) -> None:
    """Declare a public section; declaring the same prefix again replaces it."""
    SECTIONS[section.prefix] = section


def section_for(path: str) -> Section | None:
    return next((section for prefix, section in SECTIONS.items() if path.startswith(prefix)), None)


def bound_lifetime_by(hook: Callable[[], float]) -> None:
    """Register ``hook()``: the epoch seconds of the next change no write announces (0 for none).

    No page is kept past the earliest such time, so e.g. a scheduled post appears by itself.
    """
    if hook not in LIFETIME_HOOKS:
        LIFETIME_HOOKS.append(hook)


def next_change_time() -> float:
    """The earliest time any hook names (epoch seconds), or 0 when none names one."""
    return min((at for at in (hook() for hook in LIFETIME_HOOKS) if at), default=0)


# INVALIDATION
# ------------------------------------------------------------------------------
def _retire_now(keys: frozenset[str]) -> None:
    _copies.forget()
    try:
        # The schedule first: a reader that sees the new generation must see the new schedule.
        cache.set(SCHEDULE_KEY, next_change_time(), timeout=None)
        if not keys:
            return
        # A mark must outlive every entry rendered before it: those expire within PAGE_CACHE_SECONDS.
        lifetime = settings.PAGE_CACHE_SECONDS + 60
        # With no generation yet (the first write ever, or its key was evicted), it starts at the
        # time in nanoseconds, past any generation an old entry can name.
        if hasattr(cache, "advance"):  # Redis: in one step, which no other retirement comes between
            cache.advance(
                GENERATION_KEY,
                [RETIRED_KEY_PREFIX + key for key in keys],
                start=time.time_ns(),
                timeout=lifetime,
            )
            return
        # Elsewhere (one process's memory), marks first, naming the generation to come; then the
        # generation moves on. A reader in between still trusts an entry of the old generation,
        # without refiling it; once the generation has moved, the marks are there to retire it.
        # (Moving first, a reader could refile the old page under the new generation before the
        # marks were written: kept.)
        # Two processes retiring at once could each mark with the generation they read, one
        # lowering the other's mark: why Redis moves it in one step.
        current = cache.get(GENERATION_KEY)
        coming = time.time_ns() if current is None else current + 1
        cache.set_many({RETIRED_KEY_PREFIX + key: coming for key in keys}, timeout=lifetime)
        if current is None or not _moved_on():
            cache.set(GENERATION_KEY, coming, timeout=None)
    except Exception:
        logger.exception("Could not retire pages in the page cache")


def _moved_on() -> bool:
    """Move the generation on by one; False when the key was gone (evicted since it was read)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        return False
    return True


@dataclass
class _Deferred:
    keys: set[str] = field(default_factory=set)
    asked: bool = False  # retire_pages() was called, if only to reread the lifetime hooks


_deferred: ContextVar[_Deferred | None] = ContextVar("pagecache_deferred", default=None)


@contextmanager
def retiring_once() -> Iterator[None]:
    """Gather every retirement made inside and retire them all once, at the end (a bulk write).

    An import saving 10,000 posts would otherwise retire pages, reread the lifetime hooks and
    queue a purge 20,000 times. The keys retired at the end are exactly those the writes named,
    so the same pages go as if each had been retired on its own; until then readers may be
    served pages from before the bulk write began, which it changes as one write. Retired even
    when the block fails, for what it committed before failing. Nested blocks retire with the
    outermost one.
    """
    if _deferred.get() is not None:
        yield
        return
    gathered = _Deferred()
    token = _deferred.set(gathered)
    try:
        yield
    finally:
        _deferred.reset(token)
        if gathered.asked:
            retire_pages(gathered.keys)


def retire_pages(keys: Iterable[str] | None = None) -> None:
    """Retire the pages that show any of ``keys`` (every page when None), here and in shared caches.

    An empty ``keys`` retires nothing but still rereads the lifetime hooks (a post was scheduled).
    Done now, and once more when the surrounding transaction commits: until then other
    connections still read the old rows, and a page they render meanwhile must not stay.
    Inside ``retiring_once()`` it is done once, when that block ends.
    """
    keys = frozenset([ALL_PAGES] if keys is None else keys)
    if (gathered := _deferred.get()) is not None:
        gathered.asked = True
        gathered.keys |= keys
        return
    if keys:
        keys |= {UNNAMED}
    _retire_now(keys)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(functools.partial(_retire_now, keys))
    if keys and purgers.configured():
        transaction.on_commit(functools.partial(purgers.purge_later, sorted(keys)))


def _started(generation):
    """``generation`` as read; on a new or flushed cache (None), one started before anything is read."""
    if generation is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def _retired_since(made_at, keys: Iterable[str]) -> bool:
    """Whether a change retired any of ``keys`` after the generation ``made_at`` (one round trip)."""
    marks = cache.get_many([RETIRED_KEY_PREFIX + key for key in keys])
    return any(retired > made_at for retired in marks.values())


# WHAT PAGES ARE MADE FROM
# ------------------------------------------------------------------------------
KEPT_KEY_PREFIX = "pagecache:kept2:"  # + a name: an entry as a page's, with the value in place of the page


def kept_while_current(name: str, keys: Iterable[str], make: Callable[[], object]):
    """``make()``'s value, kept as a page showing ``keys`` would be: until a change retires any of
    them, or a scheduled change comes that it was made before. For what is costly to work out
    and changes only when they do (e.g. a long list's count, and where its deep pages start).
    Read as pages are (``look_up``: with Redis, from this process's copy while nothing changed);
    made afresh each time while the cache cannot be reached.

    It lives no longer than the marks that would retire it, so none can expire before it.
    """
    kept_key = KEPT_KEY_PREFIX + name
    try:
        generation, schedule, entry = look_up(kept_key)
        if entry is not None and is_fresh(kept_key, entry, generation, schedule):
            return entry[-1]
        generation = _started(generation)
    except Exception:
        logger.warning("The page cache is unreachable; working out %s afresh", name, exc_info=True)
        return make()
    started_at = time.time()
    value = make()
    lifetime = settings.PAGE_CACHE_SECONDS + 60
    try:
        entry = (generation, started_at, started_at + lifetime, [*keys, ALL_PAGES], value)
        cache.set(kept_key, entry, timeout=lifetime)
        _copies.drop(kept_key)
    except Exception:
        logger.warning("Could not keep %s in the page cache", name, exc_info=True)
    return value


# SERVING
# ------------------------------------------------------------------------------
def page_key(request, query_names: frozenset) -> tuple[str, bool]:
    """The cache key of the page as routed, and whether the request asked for nothing else.

    The script name and the path the URLconf saw are kept apart (``request.path`` joins them,
    so ``SCRIPT_NAME=/tags`` with ``/``, the home page, and ``/tags/`` would share an entry), and
    each part is quoted, so no value of one can imitate another. Only the query parameters the
    view reads are kept, in a fixed order, each written as ``CANONICAL_VALUES`` says (``?page=01``
    is ``?page=1``). The request asked for nothing else when none was left out or rewritten.
    """
    script_name = request.path.removesuffix(request.path_info)  # as Django joined them
    query = request.META.get("QUERY_STRING", "")
    if query.isascii():  # as a browser sends it: read the same from text as from bytes
        kept, exact = _query_key(query, query_names, request.encoding)
    else:
        kept, exact = _kept(request.GET, query_names)
    host = request.META.get("HTTP_HOST", "")
    return _address_key(request.scheme, host, script_name, request.path_info, kept), exact


@functools.lru_cache(maxsize=4096)
def _query_key(query: str, query_names: frozenset, encoding: str | None) -> tuple[tuple, bool]:
    # Reading a query as Django does (``request.GET``) cost a hit of ``?page=50`` half as much again
    # as one of the home page: a popular page's query is read once.
    return _kept(QueryDict(query, encoding=encoding), query_names)


def _kept(query: QueryDict, query_names: frozenset) -> tuple[tuple, bool]:
    kept, exact = [], True
    for name, values in query.lists():
        if name not in query_names:
            exact = False
            continue
        canonical = tuple(map(CANONICAL_VALUES.get(name, str), values))
        exact = exact and canonical == tuple(values)
        kept.append((name, canonical))
    return tuple(sorted(kept)), exact


@functools.lru_cache(maxsize=4096)
def _address_key(scheme: str, host: str, script_name: str, path_info: str, kept: tuple) -> str:
    # Quoting and hashing cost more than the rest of a hit's own work: a popular page's key is kept.
    parts = (scheme, host, script_name, path_info, urlencode(kept, doseq=True))
    address = " ".join(quote(part, safe="") for part in parts)
    return PAGE_KEY_PREFIX + hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()


def query_names_for(request) -> frozenset | None:
    """The query parameters the view of this request reads, or None when its answers are not public."""
    section = section_for(request.path_info)
    if section is not None:
        return section.query if section.is_public(request) else None
    # What Django's handler resolves with (a middleware may set ``request.urlconf``); the front
    # runs before the handler has set the thread's URLconf.
    return _view_query(getattr(request, "urlconf", None) or settings.ROOT_URLCONF, request.path_info)


@functools.lru_cache(maxsize=4096)
def _view_query(urlconf: str, path_info: str) -> frozenset | None:
    # Resolving a URL costs about a tenth of a cache hit; a page's view does not change. The match
    # is the one Django's handler then takes for a miss (blogsite/handler.py): resolved once.
    try:
        match = cached_resolve(get_resolver(urlconf), path_info)
    except Resolver404:
        return None
    return match.func.cache_query if getattr(match.func, "cache_public", False) else None


def is_storable(request, response) -> bool:
    """Whether this response is the same for every anonymous visitor (see the module's docstring)."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if getattr(request, "resolver_match", None) is None:
        return False
    if getattr(request, "_csp_nonce", None) is not None:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if "private" in cache_control or "no-store" in cache_control:
        return False
    vary = {name.strip().lower() for name in response.get("Vary", "").split(",") if name.strip()}
    if vary - {"cookie"}:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def shared_cache_control(lifetime: float) -> str:
    """Browsers revalidate every time (a 304 costs little); shared caches keep the page as we do."""
    return (
        f"max-age=0, s-maxage={max(int(lifetime), 0)}, "
        f"stale-while-revalidate={settings.PAGE_CACHE_STALE_WHILE_REVALIDATE}, "
        f"stale-if-error={settings.PAGE_CACHE_STALE_IF_ERROR}"
    )


def is_candidate(request) -> bool:
    """Whether the cache may answer this request: no session or flash-message cookie, no
    ``Authorization``, not a static file or the admin. The method is the caller's to check."""
    return (
        "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.path.startswith((settings.STATIC_URL, "/admin/"))
    )


def look_up(key: str) -> tuple:
    """The generation, the schedule and the entry stored under ``key``: from this process's copy
    when Redis says nothing was retired or rescheduled since it was read, else in one round trip."""
    watch = _watch()
    if watch is None:
        return _read(key)
    changes = watch.changes()  # before the read: a change it does not see yet moves it later
    kept = _copies.get(key, changes)
    if kept is not None:
        return kept
    found = _read(key)
    _copies.keep(key, changes, *found)
    return found


def _read(key: str) -> tuple:
    found = read_held(cache, [GENERATION_KEY, SCHEDULE_KEY, key])
    return found.get(GENERATION_KEY), found.get(SCHEDULE_KEY), found.get(key)


def _watch():
    # Redis only: an in-process cache is this process's memory already.
    watch = getattr(cache, "watch", None)
    return watch([GENERATION_KEY, SCHEDULE_KEY]) if watch is not None else None


class LocalCopies:
    """Entries this process read, served again without a round trip (docs/decisions/0012).

    An entry is kept only when it was current: rendered under the generation read with it.
    Copies are trusted while the watch on the generation and the schedule counts no change
    since they were read (any retirement, reschedule or flush moves it), and for at most
    ``TRUSTED_SECONDS`` since this process last read Redis itself, so a Redis that cannot
    reach it any more (its messages lost) is asked again within that time. The rest of
    freshness (expiry, a scheduled change coming due) is judged by ``is_fresh`` as for an
    entry read from Redis. Up to ``budget`` bytes of pages, the least recently served go first.
    """

    TRUSTED_SECONDS = 1.0

    def __init__(self, budget: int):
        self.budget = budget
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple] = OrderedDict()
        self._bytes = 0
        self._changes = self._generation = self._schedule = None
        self._read_at = 0.0

    def get(self, key: str, changes: int) -> tuple | None:
        with self._lock:
            if changes != self._changes or time.monotonic() - self._read_at > self.TRUSTED_SECONDS:
                return None
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return self._generation, self._schedule, entry

    def keep(self, key: str, changes: int, generation, schedule, entry) -> None:
        with self._lock:
            if (changes, generation, schedule) != (self._changes, self._generation, self._schedule):
                self._forget()
                self._changes, self._generation, self._schedule = changes, generation, schedule
            self._read_at = time.monotonic()
            self._drop(key)
            if entry is None or generation is None or entry[0] != generation:
                return
            size = _copy_size(entry)
            if size > self.budget:
                return
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > self.budget:
                self._drop(next(iter(self._entries)))

    def drop(self, key: str) -> None:
        """Forget one page's copy: this process just stored or refiled it."""
        with self._lock:
            self._drop(key)

    def forget(self) -> None:
        """Forget every copy: this process just retired pages (Redis's message may come later)."""
        with self._lock:
            self._forget()

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= _copy_size(entry)

    def _forget(self) -> None:
        self._entries.clear()
        self._bytes = 0
        self._changes = None


def _copy_size(entry: tuple) -> int:
    """Roughly what a copy holds: its page and headers (a kept value, ``kept_while_current``,
    counts as headers alone)."""
    content = entry[-1]
    return (len(content) if isinstance(content, bytes | str) else 0) + 1024


# Each worker's copies: about a thousand of the most read pages, within the workers' 120 MB (README).
_copies = LocalCopies(budget=16 * 1024 * 1024)


def is_fresh(key: str, entry: tuple, generation, schedule) -> bool:
    """Not expired, not rendered before a scheduled change that has come since, and none of its
    keys retired after it was rendered (see the module's docstring)."""
    rendered_at, started_at, expires_at, keys = entry[:4]
    now = time.time()
    if expires_at <= now or generation is None:
        return False
    if schedule and started_at < schedule <= now:  # e.g. a post scheduled after it was stored went live
        return False
    if rendered_at == generation:
        return True
    if _retired_since(rendered_at, keys):
        return False
    # Fresh under the newer generation too: the next hit needs no second look.
    cache.set(key, (generation, *entry[1:]), timeout=math.ceil(expires_at - now))
    _copies.drop(key)
    return True


def answer_from(request, entry: tuple, schedule, canonical: bool) -> tuple[int, list, bytes]:
    """A fresh entry's answer (status, headers, body): a 304 when the client's copy is current."""
    expires_at, (shared, etag, last_modified, headers, content) = entry[2], entry[4:]
    headers = list(headers)
    if shared:
        # A shared cache keys on the whole URL: let it keep only the page's own address, and no
        # longer than this cache does (a post scheduled after the page was stored bounds it too).
        now = time.time()
        ends_at = min(expires_at, schedule) if schedule and schedule > now else expires_at
        headers = [(name, value) for name, value in headers if name.lower() != "cache-control"]
        headers.append(("Cache-Control", shared_cache_control(ends_at - now) if canonical else "max-age=0"))
    headers.append(("X-Cache", "hit"))
    if is_not_modified(request, etag, last_modified):
        return 304, not_modified_headers(headers), b""
    return 200, headers, content


class PageCacheMiddleware:
    """Serve anonymous GETs from the cache; store the storable misses. See the module's docstring.

    Most hits are answered before Django's handler runs (``blogsite.pagefront``), with the same
    functions; this serves the rest (a section that judges its hits, a caller from another origin)
    and fills the cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or not is_candidate(request):
            return self.get_response(request)
        query_names = query_names_for(request)
        if query_names is None:
            return self.miss(self.get_response(request))
        if request.META.get(UNREACHABLE):  # the front found the cache down just now: one wait is enough
            return self.get_response(request)
        key, canonical = page_key(request, query_names)
        missed = request.META.get(MISSED)
        try:
            if missed is not None and missed[0] == key:  # the front looked just now
                _key, started_at, generation, schedule = missed
                entry = None
            else:
                started_at = time.time()
                generation, schedule, entry = look_up(key)
            generation = _started(generation)  # counting starts before the view reads
            fresh = entry is not None and is_fresh(key, entry, generation, schedule)
        except Exception:
            logger.warning("The page cache is unreachable; serving without it", exc_info=True)
            return self.get_response(request)
        if fresh:
            section = section_for(request.path_info)
            if request.META.get(HIT_REFUSED):  # the front asked the section already: ask once
                return self.get_response(request)
            if section is None or section.may_serve_hit(request):
                return self.hit(request, entry, schedule, canonical)
            return self.get_response(request)
        response = self.get_response(request)
        if not (canonical and is_storable(request, response)):
            return self.miss(response)
        try:
            self.store(response, key, generation, schedule, started_at)
        except Exception:
            logger.warning("Could not store a page in the cache", exc_info=True)
        if is_not_modified(request, response["ETag"], parse_http_date_safe(response["Last-Modified"])):
            return not_modified_response(response.items())
        return self.miss(response)

    def miss(self, response):
        response["X-Cache"] = "miss"
        return response

    def hit(self, request, entry, schedule, canonical=True):
        status, headers, content = answer_from(request, entry, schedule, canonical)
        if status == 304:
            return HttpResponseNotModified(headers=headers)
        return HttpResponse(content, headers=headers)

    def store(self, response, key, generation, schedule, started_at):
        now = time.time()
        content = response.content
        if not response.has_header("ETag"):
            response["ETag"] = f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"'
        if not response.has_header("Last-Modified"):
            response["Last-Modified"] = http_date(now)
        keys = response.get(KEYS_HEADER, "").split() or [UNNAMED]
        add_keys(response, *keys, ALL_PAGES)
        if schedule is None:  # evicted: recompute, unless a write sets it meanwhile
            schedule = next_change_time()
            cache.add(SCHEDULE_KEY, schedule, timeout=None)
        elif 0 < schedule <= now:  # that change has happened; the next one bounds this page
            schedule = next_change_time()
        lifetime = settings.PAGE_CACHE_SECONDS
        if schedule > now:
            lifetime = min(lifetime, schedule - now)
        shared = not response.has_header("Cache-Control")
        if shared:
            response["Cache-Control"] = shared_cache_control(lifetime)
        if generation is None or lifetime < 1:
            return
        last_modified = parse_http_date_safe(response["Last-Modified"])
        keys = response[KEYS_HEADER].split()
        headers = list(response.items())
        etag = response["ETag"]
        entry = (generation, started_at, now + lifetime, keys, shared, etag, last_modified, headers, content)
        cache.set(key, entry, timeout=math.ceil(lifetime))
        _copies.drop(key)

"""The page cache: anonymous pages and public reads, served from the cache in one round trip.

It knows no model and no app. What is cached: GET responses of views marked ``@cache_public``
and of the sections an app declares public with ``add_section()`` (the JSON API declares its
prefix), for a visitor who sends no session cookie, no flash-message cookie and no
``Authorization`` header, keyed on scheme, host, path and query string. A section may refuse a
hit (the API counts cached reads against the visitor's read limit). A response is stored only
if it is a 200 that sets no cookie (so it holds no CSRF token and no flash message), used no
CSP nonce, is not ``private``/``no-store``, and varies on nothing but ``Cookie``. Signed-in
users never read or fill it.

Why a hit costs almost nothing: ``PageCacheMiddleware`` sits before sessions, auth, CSRF and
templates, and fetches the page together with the site's generation in one ``get_many``.

How it stays fresh: each entry records the *generation* it was rendered at. Apps call
``retire_pages()`` from their own signal handlers (connected in their ``AppConfig.ready()``), so
the admin, the API, the dashboard and the shell all retire pages; code that writes in bulk
(``QuerySet.update()``, which sends no signal) calls it itself. Retiring bumps the generation,
which retires every entry at once in every process and machine sharing the cache. The
generation is read before the view runs, so a page rendered while a write lands is filed under
the old generation and never served; inside a transaction the generation is bumped again on
commit. Entries also expire after ``PAGE_CACHE_SECONDS``, and never later than the earliest time
an app's ``bound_lifetime_by()`` hook names (the posts app: the next scheduled post), so
scheduled changes appear by themselves.

Hits and misses both answer conditional GETs with ``ETag``/``Last-Modified`` and ``304``.
"""

import functools
import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.http import http_date, parse_http_date_safe

from blogsite.conditional import is_not_modified, not_modified_response

GENERATION_KEY = "pagecache:generation"
SCHEDULE_KEY = "pagecache:next-change"  # epoch seconds of the next change the hooks know of, 0 for none
PAGE_KEY_PREFIX = "pagecache:page:"

logger = logging.getLogger(__name__)


def cache_public(view):
    """Mark a view whose anonymous GET responses are the same for every visitor: they may be cached.

    Works on functions and on callables such as ``Feed`` instances; the view itself is left as it was.
    """

    @functools.wraps(view)
    def public_view(*args, **kwargs):
        return view(*args, **kwargs)

    public_view.cache_public = True
    return public_view


def _always(request) -> bool:
    return True


@dataclass(frozen=True)
class Section:
    """A part of the site under one URL prefix whose anonymous GETs are public (e.g. the JSON API).

    ``is_public(request)`` may keep some of them out (a search); ``may_serve_hit(request)`` is asked
    before a cached answer is served, and when it says no the request goes on to its view.
    """

    prefix: str
    is_public: Callable = _always
    may_serve_hit: Callable = _always


SECTIONS: dict[str, Section] = {}
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
def bump_generation():
    """Retire every cached page in every process; the next visit renders afresh."""
    try:
        # The schedule first: a reader that sees the new generation must see the new schedule.
        cache.set(SCHEDULE_KEY, next_change_time(), timeout=None)
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # first write ever, or the key was evicted: start where no old entry can be
            cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
    except Exception:
        logger.exception("Could not invalidate the page cache")


def retire_pages(**kwargs):
    """Retire the cached pages now, and once more when the surrounding transaction commits.

    Takes any keyword arguments, so it can be connected to a signal as it is.
    """
    bump_generation()
    if transaction.get_connection().in_atomic_block:
        # Until the commit, other connections still read the old rows: a page they render in
        # between is filed under the generation bumped above, which this retires again.
        transaction.on_commit(bump_generation)


# SERVING
# ------------------------------------------------------------------------------
def page_key(request) -> str:
    """The page's address as routed: the script name and the path the URLconf saw are kept apart.

    ``request.path`` joins them, so ``SCRIPT_NAME=/tags`` with ``/`` (the home page) and ``/tags/``
    would share an entry. Each part is quoted, so no value of one can imitate the other.
    """
    meta = request.META
    script_name = request.path.removesuffix(request.path_info)  # as Django joined them
    parts = (request.scheme, meta.get("HTTP_HOST", ""), script_name, request.path_info)
    address = " ".join(quote(part, safe="") for part in parts) + "?" + meta.get("QUERY_STRING", "")
    return PAGE_KEY_PREFIX + hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()


def is_storable(request, response) -> bool:
    """Whether this response is the same for every anonymous visitor (see the module's docstring)."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    section = section_for(request.path)
    if not (getattr(match.func, "cache_public", False) or (section and section.is_public(request))):
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


class PageCacheMiddleware:
    """Serve anonymous GETs from the cache; store the storable misses. See the module's docstring."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.skipped_prefixes = (settings.STATIC_URL, "/admin/")

    def is_candidate(self, request) -> bool:
        return (
            request.method == "GET"
            and "HTTP_AUTHORIZATION" not in request.META
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
            and not request.path.startswith(self.skipped_prefixes)
        )

    def __call__(self, request):
        if not self.is_candidate(request):
            return self.get_response(request)
        key = page_key(request)
        try:
            found = cache.get_many([GENERATION_KEY, SCHEDULE_KEY, key])
        except Exception:
            logger.warning("The page cache is unreachable; serving without it", exc_info=True)
            return self.get_response(request)
        generation = found.get(GENERATION_KEY)
        entry = found.get(key)
        if entry is not None and entry[0] == generation and entry[1] > time.time():
            section = section_for(request.path)
            if section is None or section.may_serve_hit(request):
                return self.hit(request, entry)
            return self.get_response(request)
        response = self.get_response(request)
        if is_storable(request, response):
            try:
                self.store(request, response, key, generation, found.get(SCHEDULE_KEY))
            except Exception:
                logger.warning("Could not store a page in the cache", exc_info=True)
            if is_not_modified(request, response["ETag"], parse_http_date_safe(response["Last-Modified"])):
                return not_modified_response(response.items())
        response["X-Cache"] = "miss"
        return response

    def hit(self, request, entry):
        _generation, _expires_at, etag, last_modified, headers, content = entry
        if is_not_modified(request, etag, last_modified):
            response = not_modified_response(headers)
        else:
            response = HttpResponse(content, headers=headers)
        response["X-Cache"] = "hit"
        return response

    def store(self, request, response, key, generation, schedule):
        now = time.time()
        content = response.content
        if not response.has_header("ETag"):
            response["ETag"] = f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"'
        if not response.has_header("Last-Modified"):
            response["Last-Modified"] = http_date(now)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-cache"  # browsers revalidate: a 304 costs us nothing
        if generation is None:
            # A new or flushed cache: start a generation, and store from the next visit on (a
            # write racing with this one may have started it, after this page was rendered).
            cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
            return
        if schedule is None:  # evicted: recompute, unless a write sets it meanwhile
            schedule = next_change_time()
            cache.add(SCHEDULE_KEY, schedule, timeout=None)
        elif 0 < schedule <= now:  # that change has happened; the next one bounds this page
            schedule = next_change_time()
        lifetime = settings.PAGE_CACHE_SECONDS
        if schedule > now:
            lifetime = min(lifetime, schedule - now)
        if lifetime < 1:
            return
        last_modified = parse_http_date_safe(response["Last-Modified"])
        entry = (generation, now + lifetime, response["ETag"], last_modified, list(response.items()), content)
        cache.set(key, entry, timeout=math.ceil(lifetime))

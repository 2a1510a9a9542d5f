"""The page cache's front: a fresh cached page is answered before Django's handler runs.

gunicorn serves ``PageCacheFront(Django's WSGI application)`` (``blogsite/wsgi.py``). A hit
answered by ``PageCacheMiddleware`` still paid Django's handler, the request signals (which
look at every database connection), the middlewares before it and a response object: more
than the look-up itself. Here an anonymous GET or HEAD is read as Django reads it
(``WSGIRequest``), and judged, keyed, looked up and answered by the functions of
``blogsite.pagecache`` the middleware calls, so the two never disagree; a section that judges
its hits (the API counts each read against the visitor's limit) is asked here too; a hit gets
its request id and its one log line from ``blogsite.logs``. Everything else goes on to Django
untouched: a miss (the middleware renders and stores it, with what the front read), a health
probe, a hit its section refused (its view answers, the middleware does not ask again), a
caller from another origin (CORS headers depend on it), and a cache that cannot be read
(Django serves without it, and does not wait for it a second time). What it saves, and what
else was tried: docs/decisions/0011.
"""

import logging
import time

from django.core.handlers.wsgi import WSGIRequest

from blogsite import pagecache
from blogsite.health import PROBES
from blogsite.logs import REQUEST_ID, log_request, request_id_for

STATUS_LINES = {200: "200 OK", 304: "304 Not Modified"}

logger = logging.getLogger(pagecache.__name__)


class PageCacheFront:
    """A WSGI application answering fresh cached pages itself and passing the rest to ``application``."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        answer = self.cached_answer(environ) if self.may_answer(environ) else None
        if answer is None:
            return self.application(environ, start_response)
        status, headers, body = answer
        start_response(STATUS_LINES[status], headers)
        return [body]

    def may_answer(self, environ) -> bool:
        return (
            environ.get("REQUEST_METHOD") in ("GET", "HEAD")
            and "HTTP_ORIGIN" not in environ
            and environ.get("PATH_INFO", "").rstrip("/") not in PROBES  # probes answer before anything
        )

    def cached_answer(self, environ) -> tuple[int, list, bytes] | None:
        """The answer from the page cache, or None to let Django answer."""
        started = time.perf_counter()
        # Django's request rewrites its META's path as text: Django's own handler needs the server's.
        request = WSGIRequest(environ.copy())
        if not pagecache.is_candidate(request):
            return None
        query_names = pagecache.query_names_for(request)
        section = pagecache.section_for(request.path_info)
        if query_names is None:
            return None
        key, canonical = pagecache.page_key(request, query_names)
        looked_at = time.time()
        try:
            generation, schedule, entry = pagecache.look_up(key)
            fresh = entry is not None and pagecache.is_fresh(key, entry, generation, schedule)
        except Exception:
            logger.warning("The page cache is unreachable; serving without it", exc_info=True)
            environ[pagecache.UNREACHABLE] = True
            return None
        if not fresh:
            environ[pagecache.MISSED] = (key, looked_at, generation, schedule)
            return None
        if section is not None and not section.may_serve_hit(request):
            environ[pagecache.HIT_REFUSED] = True
            return None
        request.request_id = request_id_for(request)
        token = REQUEST_ID.set(request.request_id)
        try:
            status, headers, content = pagecache.answer_from(request, entry, schedule, canonical)
            headers.append(("X-Request-ID", request.request_id))
            log_request(request, status, started)
        finally:
            REQUEST_ID.reset(token)
        return status, headers, b"" if request.method == "HEAD" else content

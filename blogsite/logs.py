"""Logs an operator can search: one JSON object per line, and one line per request.

``RequestLogMiddleware`` gives every request an id (the caller's ``X-Request-ID`` when it is
sane, a fresh one otherwise), sends it back in the response, and writes one line when the
response is ready: time, request id, method, path, status, duration and user id. Every other
log line written while the request runs carries the same id, so an error's traceback (which
only ever goes to the log, never to the client) can be matched with the request that caused it.

The formatter has no Django dependency at import time, so gunicorn's own logs use it too.
Under gunicorn, lines are written out together (``BatchedStreamHandler``, ``LOG_BATCH_SECONDS``),
within half a second, rather than one write each: at a few thousand cached pages a second the
writes were a tenth of the CPU.
"""

import contextvars
import json
import logging
import os
import re
import secrets
import threading
import time
from datetime import UTC, datetime

from django.utils.functional import LazyObject, empty

REQUEST_ID = contextvars.ContextVar("request_id", default=None)
# Long enough for UUIDs and tracing ids, short and plain enough to be safe in any log viewer.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

request_logger = logging.getLogger("blogsite.requests")

# Our lines never show a record's thread, process or source line: don't look them up for each
# record (the Logging HOWTO's "Optimization" section names these switches).
logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
logging._srcfile = None


class BatchedStreamHandler(logging.StreamHandler):
    """A ``StreamHandler`` that writes its lines out together, within ``interval`` seconds.

    One write per line (a system call, and a wake-up of whatever reads the stream) was a tenth
    of a cached page's CPU; nginx's access log batches for the same reason (``buffer=``,
    ``flush=``). A warning or worse is written at once, after the lines before it; so is what is
    held at exit (``logging.shutdown``) and before the process forks.
    """

    def __init__(self, stream=None, interval: float = 0.5, capacity: int = 64 * 1024):
        super().__init__(stream)
        self.interval, self.capacity = interval, capacity
        self._held: list[str] = []
        self._held_size = 0
        self._timer = None
        os.register_at_fork(before=self.flush, after_in_child=self._after_fork)

    def emit(self, record):
        # Handler.handle() holds self.lock here.
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self._held.append(line)
        self._held_size += len(line) + 1
        if record.levelno >= logging.WARNING or self._held_size >= self.capacity:
            self.flush()
        elif self._timer is None:
            self._timer = threading.Timer(self.interval, self.flush)
            self._timer.daemon = True
            self._timer.start()

    def flush(self):
        with self.lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if not self._held:
                return
            text = "\n".join(self._held) + self.terminator
            self._held.clear()
            self._held_size = 0
            if getattr(self.stream, "closed", False):  # e.g. a test runner's captured output, at exit
                return
            try:
                self.stream.write(text)
                super().flush()
            except Exception:  # as StreamHandler.emit does: a closed stdout never stops a request
                self.handleError(logging.makeLogRecord({"msg": f"{text.count(self.terminator)} log lines"}))

    def _after_fork(self):
        self._timer = None  # its thread stayed with the parent


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, the record's ``fields``."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id:
            entry["request_id"] = request_id
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


def request_id_for(request) -> str:
    """The caller's ``X-Request-ID`` when it is well formed; otherwise a new random one."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    return given if VALID_REQUEST_ID.fullmatch(given) else secrets.token_hex(16)


def user_id_for(request):
    """The signed-in user's id, when the request already knows it; never costs a query."""
    user = request.__dict__.get("user")
    if issubclass(type(user), LazyObject):
        # AuthenticationMiddleware's lazy user: only read it if something already loaded it.
        user = None if user._wrapped is empty else user._wrapped
    user_id = getattr(user, "pk", None)
    if user_id is not None:
        return user_id
    session = request.__dict__.get("session")
    if session is not None and getattr(session, "_session_cache", None):
        user_id = session.get("_auth_user_id")
        return int(user_id) if isinstance(user_id, str) and user_id.isdigit() else user_id
    return None


def log_request(request, status: int, started: float) -> None:
    """The one line a request gets when its answer is ready (``started``: its ``time.perf_counter()``)."""
    fields = {
        "request_id": request.request_id,
        "method": request.method,
        "path": request.path,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "user_id": user_id_for(request),
    }
    request_logger.info("%s %s %s", request.method, request.path, status, extra={"fields": fields})


class RequestLogMiddleware:
    """Tag each request with an id, echo it in ``X-Request-ID``, and log one line when it ends.

    The page cache's front (``blogsite.pagefront``) does the same for the hits it answers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = request_id_for(request)
        token = REQUEST_ID.set(request.request_id)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            log_request(request, response.status_code, started)
            return response
        finally:
            REQUEST_ID.reset(token)

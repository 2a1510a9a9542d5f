"""Liveness and readiness probes for load balancers, orchestrators and uptime checks.

``/healthz`` says the process runs: no I/O at all, always 200. ``/readyz`` says whether this
instance can serve pages: the database and the cache each answer within a short timeout
(200), or the failing checks are named (503). Both are answered by a middleware placed
before host validation and the HTTPS redirect, since probes come from inside the network
by address and over plain HTTP. Error details stay in the server's log: a public probe must
not describe the inside of the network.
"""

import logging
import secrets
from concurrent.futures import ThreadPoolExecutor, wait

from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse

READY_TIMEOUT_SECONDS = 2.0

logger = logging.getLogger(__name__)


def check_database():
    """A fresh connection runs ``SELECT 1`` (in its own thread, so it is closed right after)."""
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()


def check_cache():
    """A value written to the cache reads back the same."""
    value = secrets.token_hex(8)
    cache.set("readyz:probe", value, timeout=30)
    if cache.get("readyz:probe") != value:
        raise RuntimeError("the cache did not return the value just written")


CHECKS = {"database": check_database, "cache": check_cache}


def run_checks() -> dict[str, str]:
    """Each check's outcome: ``ok``, ``error`` or ``timeout``. They run at once, for a bounded time."""
    executor = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="readyz")
    futures = {name: executor.submit(check) for name, check in CHECKS.items()}
    wait(futures.values(), timeout=READY_TIMEOUT_SECONDS)
    executor.shutdown(wait=False)  # a hung check finishes (or times out) in the background
    results = {}
    for name, future in futures.items():
        if not future.done():
            results[name] = "timeout"
        elif future.exception() is not None:
            logger.warning("Readiness check %s failed", name, exc_info=future.exception())
            results[name] = "error"
        else:
            results[name] = "ok"
    return results


NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def healthz(request):
    return JsonResponse({"status": "ok"}, headers=NO_STORE)


def readyz(request):
    checks = run_checks()
    failed = [name for name, outcome in checks.items() if outcome != "ok"]
    body = {"status": "unavailable" if failed else "ok", "checks": checks, "failed": failed}
    return JsonResponse(body, status=503 if failed else 200, headers=NO_STORE)


PROBES = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    """Answer ``/healthz`` and ``/readyz`` before anything that could refuse or redirect a probe."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info.rstrip("/"))
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)

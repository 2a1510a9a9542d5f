"""gunicorn's settings for Blogsite (the Procfile's and the Dockerfile's `web` process).

Every value can be changed by the environment, without editing this file:
PORT, WEB_CONCURRENCY, GUNICORN_THREADS, GUNICORN_TIMEOUT, FORWARDED_ALLOW_IPS,
GUNICORN_FORWARDER_HEADERS, LOG_BATCH_SECONDS.
"""

import gc
import multiprocessing
import os

from gunicorn.glogging import Logger

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104 - a container's port

# Sync workers: Django's work is CPU-bound and the proxy in front buffers slow clients.
# One worker per core plus one by default; the host sets WEB_CONCURRENCY to its memory budget.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"

# A request that takes longer than this is killed, and its worker replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM or a graceful reload (SIGHUP), workers finish their requests within this time.
graceful_timeout = 30
keepalive = 5
# Replace each worker now and then, staggered, so memory never creeps. Not too often: a new
# worker loads the whole site again (about a second of CPU), and at a thousand cached pages
# a second 5,000 requests meant a restart every few seconds (bench/run).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10

# Only the proxy in front may say a request was HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn would take SCRIPT_NAME and PATH_INFO from request headers of those addresses: a
# proxy that passes a visitor's headers on (Varnish does) lets anyone move the site's root, so
# /tags/ renders the home page. The site is served from the root; a deployer who mounts it
# under a path and strips the header at the proxy names the headers here.
forwarder_headers = os.environ.get("GUNICORN_FORWARDER_HEADERS", "")

# Our middleware writes one JSON line per request (blogsite/logs.py): no access log here.
# Workers write their lines out together, within half a second (warnings at once), rather than
# one write per request (LOG_BATCH_SECONDS in blogsite/settings.py).
os.environ.setdefault("LOG_BATCH_SECONDS", "0.5")
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "blogsite.logs.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
}


class ErrorLogger(Logger):
    """gunicorn's logger without its access log. Given a ``logconfig_dict``, gunicorn counts
    the access log as on and builds each request's log fields, for a logger with no handler:
    some 4% of a worker's time on an uncached page (py-spy, bench/run's load)."""

    access_log_enabled = False

    def access(self, resp, req, environ, request_time):
        """Nothing: blogsite.logs writes each request's line."""


logger_class = ErrorLogger

# Heartbeat files in memory, not on a container's overlay disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn's advice
# Several instances may run on one machine: no shared control socket.
control_socket_disable = True


def post_worker_init(worker):
    """The site is loaded: its modules, models and settings live as long as the worker. Frozen,
    they are no longer walked by Python's collector, whose full collections took some 80 ms of
    a worker's time every few thousand requests, felt in the slowest responses (1 ms after)."""
    gc.freeze()

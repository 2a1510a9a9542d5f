"""gunicorn as the Procfile runs it (gunicorn.conf.py), in a process of its own."""

import gc
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from gunicorn.config import Config

PROJECT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    """A one-worker gunicorn with the project's config on 127.0.0.1; yields its base URL."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DEBUG="false",
        SECRET_KEY="gunicorn-test-only-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        WEB_CONCURRENCY="1",
        HOST="127.0.0.1",
        PORT=str(port),
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "--config", "gunicorn.conf.py", "blogsite.wsgi:application"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def status_of(url, headers) -> int:
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5).status
    except urllib.error.HTTPError as error:
        return error.code


def test_finding_5_gunicorn_takes_no_script_name_from_request_headers(gunicorn):
    """Issue 13, finding 5: a ``SCRIPT_NAME`` header from the proxy's address moved the site's root."""
    # With the header taken, /anything/healthz becomes SCRIPT_NAME=/anything + PATH_INFO=/healthz.
    assert status_of(f"{gunicorn}/anything/healthz", {"SCRIPT_NAME": "/anything"}) == 404
    assert status_of(f"{gunicorn}/healthz", {"SCRIPT_NAME": "/anything"}) == 200


def project_config() -> Config:
    """gunicorn's settings as it reads them from gunicorn.conf.py."""
    with mock.patch.dict(os.environ):
        settings = runpy.run_path(str(PROJECT / "gunicorn.conf.py"))
    config = Config()
    for name, value in settings.items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_gunicorn_builds_no_access_log_line_and_still_logs_its_errors():
    config = project_config()
    logger = config.logger_class(config)
    assert not logger.access_log_enabled
    # gunicorn's own Logger would read the response's status and headers here, and fail.
    assert logger.access(resp=None, req=None, environ={}, request_time=None) is None
    with mock.patch.object(logger.error_log, "handle") as handle:
        logger.error("a worker timed out")
    [record] = [call.args[0] for call in handle.call_args_list]
    assert record.getMessage() == "a worker timed out"


def test_a_worker_freezes_the_loaded_site_out_of_the_collectors_walks():
    config = project_config()
    try:
        config.post_worker_init(worker=None)  # as gunicorn calls it once the site is loaded
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()

"""What the CI's multi-process checks share: free ports, a scratch database, real processes, HTTP.

Every process started here runs in its own process group and is stopped (TERM, then KILL)
when the ``Processes`` block ends, whatever happened inside it, SIGTERM included. Servers
listen on 127.0.0.1 only. ``CI_PORTS=8040-8049`` keeps ports within a range; by default the
kernel picks free ones.
"""

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PASSWORD = "a-long-password-for-ci-only-7431"


def log(message):
    print(f"    {message}", flush=True)


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    log(f"ok: {message}")


def free_port() -> int:
    """A port nobody listens on: from CI_PORTS (a range) when set, else one the kernel picks."""
    wanted = os.environ.get("CI_PORTS")
    candidates = [0]
    if wanted:
        low, high = (int(part) for part in wanted.split("-"))
        candidates = range(low, high + 1)
    for port in candidates:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in {wanted}")


def scratch_database(url: str) -> str:
    """Create the (empty) database named in ``url``, dropping an old one of that name first."""
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url


def drop_database(url: str):
    parts = urllib.parse.urlsplit(url)
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def site_env(database_url: str, redis_url: str, **extra) -> dict:
    """The environment of a production process (DEBUG off), on 127.0.0.1, with its own cache prefix."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "DJANGO_", "PYTEST", "WEB_CONCURRENCY"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="http://127.0.0.1",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX=f"ci-{os.getpid()}-{secrets.token_hex(4)}",
        HOST="127.0.0.1",
        WEB_CONCURRENCY="2",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def manage(env: dict, *args, stdin: str | None = None, timeout=90) -> str:
    """Run ``manage.py`` with these arguments; its output, or an error with it when it fails."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@contextlib.contextmanager
def scratch_run(database_url: str, name: str):
    """One check's scratch database, work folder and processes; the logs are kept only on failure."""
    scratch_database(database_url)
    work = Path(tempfile.mkdtemp(prefix=f"blogsite-{name}-"))
    try:
        with Processes(work / "logs") as processes:
            yield work, processes
    except BaseException:
        print(f"The processes' logs are in {work / 'logs'}", file=sys.stderr)
        raise
    else:
        shutil.rmtree(work)
    finally:
        drop_database(database_url)


class Processes:
    """Start processes in their own groups; stop them all when the block ends, whatever happened."""

    def __init__(self, logs_dir: Path):
        self.logs_dir = logs_dir
        self.running = []

    def __enter__(self):
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        return self

    def __exit__(self, *exc):
        self.stop_all()

    def start(self, name: str, command: list, env: dict) -> subprocess.Popen:
        log_file = (self.logs_dir / f"{name}.log").open("w")
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        process.name, process.log_path = name, self.logs_dir / f"{name}.log"
        self.running.append(process)
        return process

    def stop(self, process, timeout=10):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if process in self.running:
            self.running.remove(process)

    def stop_all(self):
        for process in list(self.running):
            with contextlib.suppress(ProcessLookupError):
                self.stop(process)

    def web(self, name: str, env: dict) -> str:
        """A gunicorn instance as the Procfile runs it, on a free port; its base URL once it answers."""
        port = free_port()
        process = self.start(
            name,
            [GUNICORN, "--config", "gunicorn.conf.py", "blogsite.wsgi:application"],
            {
                **env,
                "PORT": str(port),
            },
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited:\n{process.log_path.read_text()[-3000:]}")
            try:
                if Client(base).get("/healthz").status == 200:
                    return base
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not answer within 60 s")


class Response:
    def __init__(self, status, headers, body, seconds):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds
        self.text = body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """A small HTTP client with its own cookies, that never follows redirects."""

    def __init__(self, base: str, cookies: dict | None = None):
        self.base = base
        self.cookies = dict(cookies or {})
        self.opener = urllib.request.build_opener(NoRedirects)

    def request(self, method, path, data=None, headers=None, timeout=15, body=None) -> Response:
        """``data`` is sent as a form; ``body`` as it is (say its Content-Type in ``headers``)."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is None and data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body, headers=headers, method=method)
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=timeout) as answer:
                status, answer_headers, content = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            status, answer_headers, content = error.code, error.headers, error.read()
        for header in answer_headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return Response(status, answer_headers, content, time.monotonic() - started)

    def get(self, path, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path, data) -> Response:
        """POST a form as a browser does: with the CSRF token of the page it came from."""
        if "csrftoken" not in self.cookies:
            self.get(path)
        data = {**data, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        return self.request("POST", path, data=data, headers={"Referer": self.base + path})

    def sign_in(self, username: str, password: str = PASSWORD):
        self.get("/accounts/login/")
        answer = self.post_form("/accounts/login/", {"username": username, "password": password})
        check(answer.status == 302 and "sessionid" in self.cookies, f"{username} signs in on {self.base}")

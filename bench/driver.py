"""The benchmark itself; `bench/run` sets up the tools and calls it (`bench/run --help`).

It builds the corpus databases (1,000 posts, and 100,000 kept between runs while nothing it
depends on changed), starts gunicorn the way production does (DEBUG off, Redis cache, a real
SECRET_KEY, ``gunicorn.conf.py``, 2 sync workers), drives every URL with wrk for a fixed time,
and compares each with the *floor*: a constant 5 KB page from a bare Django project (only
``CommonMiddleware``, ``bench/floor/``) under the same gunicorn, measured in the same run.
Ratios to the floor survive a busy machine far better than requests per second do; the
workers' CPU time per request, beside them, is steadier still; the database's (its backends'
CPU) shows the rest of a request's cost. A second floor, a constant response through the
whole site's stack, shows what the stack itself costs.
"""

import argparse
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote_plus, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
README = ROOT / "README.md"
README_START, README_END = "<!-- bench:results -->", "<!-- /bench:results -->"

PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
# The cached server; the uncached one is PORT + 1, the bare floor PORT + 2, Varnish PORT + 3.
PORT = int(os.environ.get("BENCH_PORT", "8060"))
CONNECTIONS = 16
THREADS = 2
WORKERS = 2
RSS_LIMIT_MB = 120
GROWTH_TARGET = 0.8
SEARCH_P99_MS = 50
FLOOR_EVERY = 3  # cases driven between two measurements of the floor
# A quiet run's floor moved 3 to 7% from its slowest to its fastest measurement (the README's runs);
# on a machine busy with others' work, 11 to 99%, and the same page's ratio by a quarter.
QUIET_SPREAD = 0.10


@dataclass
class Case:
    """One URL driven with wrk, and what it must reach."""

    name: str
    path: str
    cached: bool = True  # False: served by the server whose cache is switched off
    target: float | None = None  # minimum ratio to the bare floor
    stack_target: float | None = None  # minimum ratio to the full-stack floor
    p99_ms: float | None = None  # maximum p99 latency
    rotate: list[str] = field(default_factory=list)  # paths wrk cycles through instead of `path`
    cookie: str = ""  # a signed-in reader's session
    growth: float | None = None  # at the larger corpus: minimum share of its ratio at the smaller
    like: tuple[str, float] | None = None  # (another case, minimum share of that case's ratio)
    server: str = ""  # which server answers: "cached", "uncached", "varnish" (by default from `cached`)

    @property
    def server_name(self) -> str:
        return self.server or ("cached" if self.cached else "uncached")


@dataclass
class Result:
    case: Case
    status: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    bad_responses: int = 0
    bytes_per_request: float = 0.0
    cpu_ms: float = 0.0  # worker CPU time per request: the cost, whatever else the machine runs
    db_cpu_ms: float | None = None  # the same of the database's backends serving the workers
    rss_mb: float = 0.0
    queries: int | None = None
    queries_miss: int | None = None
    ratio: float = 0.0  # to the bare floor
    stack_ratio: float = 0.0  # to the full-stack floor

    @property
    def missing(self):
        return self.status != 200


# DATABASES AND CORPUS
# ------------------------------------------------------------------------------
def run(cmd, env=None, **kwargs):
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, **kwargs)


def psql(sql: str) -> str:
    return subprocess.run(
        ["psql", f"{PG}/postgres", "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def corpus_signature(posts: int) -> str:
    """What a loaded database depends on: the corpus size and code, and the libraries.

    Not the migrations: a kept database is migrated forward as production's is, so a new
    index or column does not reload 100,000 posts. Not the rendering code either: a change
    that matters to stored posts comes with a migration that re-renders them.
    """
    digest = hashlib.sha256(str(posts).encode())
    sources = [BENCH / "corpus.py", ROOT / "requirements.txt"]
    for path in sorted(p for p in sources if p.exists()):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return f"blogsite-bench {posts} posts {digest.hexdigest()[:16]}"


def prepare_database(name: str, posts: int, *, reuse: bool, env: dict) -> None:
    """A database holding exactly the corpus; reused only when asked and still the same."""
    signature = corpus_signature(posts)
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if reuse and exists:
        comment = psql(
            f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{name}'"
        )
        if comment == signature:
            print(f"Reusing database {name} ({posts} posts).", flush=True)
            plan = run([PYTHON, "manage.py", "migrate", "--plan"], env=env, capture_output=True, text=True)
            if "No planned migration operations" not in plan.stdout:
                print("Migrating it forward…", flush=True)
                run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env)
            # Whatever wrote to it since it was loaded (a migration, a test by hand, an earlier
            # run) left dead rows and stale statistics that production's autovacuum would have
            # cleared, where PostgreSQL runs none: /?page=50 then read 2,107 pages of the posts
            # table instead of 10 of its list's index, six times the database's CPU (2 ms, not 0.3).
            run(["psql", f"{PG}/{name}", "-XAtq", "-c", "VACUUM ANALYZE"])
            renew_search_index(env)
            return
    print(f"Creating database {name} with {posts} posts…", flush=True)
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env)
    run([PYTHON, "bench/corpus.py", "load", "--posts", str(posts)], env=env)
    run([PYTHON, "bench/corpus.py", "pictures"], env=env)
    run(["psql", f"{PG}/{name}", "-XAtq", "-c", "VACUUM ANALYZE"])
    renew_search_index(env)
    psql(f"COMMENT ON DATABASE \"{name}\" IS '{signature}'")


def renew_search_index(env: dict) -> None:
    """What production's worker does for a blog that grew this large: index its newest posts'
    search vectors on their own (posts.search.renew_recent_index, docs/decisions/0099). The
    corpus is copied in, not published post by post, and the benchmark runs no worker: without
    this step the 64 searches at 100,000 posts read the whole index: 12.9 ms of SQL a search, not 4.7."""
    renew = "from posts import search; print(search.renew_recent_index('default') or 'not needed')"
    since = run([PYTHON, "manage.py", "shell", "-c", renew], env=env, capture_output=True, text=True)
    print(f"Newest posts' search index: since {since.stdout.strip().splitlines()[-1]}.", flush=True)


def describe(env: dict) -> dict:
    out = run([PYTHON, "bench/corpus.py", "describe"], env=env, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def sign_in(env: dict, username: str) -> str:
    """A session cookie for ``username``, made after the cache was flushed (sessions live in both)."""
    out = run([PYTHON, "bench/corpus.py", "sign-in", username], env=env, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


# SERVERS
# ------------------------------------------------------------------------------
def server_env(database: str, port: int, *, cached: bool, secret: str) -> dict:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secret,
        "DATABASE_URL": f"{PG}/{database}",
        "REDIS_URL": REDIS_URL,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "ROOT_URLCONF": "bench.urls",
        "WEB_CONCURRENCY": str(WORKERS),
        # wrk reads from one address far faster than any person: keep the per-address limit
        # counting (its cost is real) but out of the way.
        "BLOG_ANONYMOUS_READS_PER_MINUTE": "1000000000",
    }
    if not cached:
        # Every page a miss, as production pays for one: the page cache keeps nothing, while
        # Django's cache (Redis) still holds what a miss reads from it, the navigation and the
        # page cache's schedule (docs/decisions/0083).
        env["PAGE_CACHE_SECONDS"] = "0"
    return env


def floor_env(port: int, *, secret: str) -> dict:
    """The bare floor: the same gunicorn settings, a Django project with nothing in it."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "ROOT_URLCONF")}
    return {
        **env,
        "SECRET_KEY": secret,
        "DJANGO_SETTINGS_MODULE": "bench.floor.settings",
        "WEB_CONCURRENCY": str(WORKERS),
        "BENCH_FLOOR_PORT": str(port),
    }


def proc_stat(pid: int | str) -> list[str]:
    """A process's fields in /proc/<pid>/stat after its name: [1] its parent, [11:13] its own
    CPU ticks (user, system), [13:15] those of its children it has reaped."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(fields: list[str], *, own: bool = True, reaped: bool = False) -> float:
    """The CPU time in ``proc_stat`` fields: the process's own, its reaped children's, or both."""
    ticks = (fields[11:13] if own else []) + (fields[13:15] if reaped else [])
    return sum(map(int, ticks)) / os.sysconf("SC_CLK_TCK")


def database_cpu_seconds(database: str) -> float | None:
    """CPU time of the PostgreSQL backends connected to ``database``: a server's workers' (each
    keeps its connection) and any other, idle during a run. None where no backend of it runs on
    this machine. A backend that ended during a run, with a worker gunicorn replaced, takes its
    time with it."""
    total, found = 0.0, False
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            # "postgres: [cluster name:] user database host(port) state", as a backend names itself
            words = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace").split()
            if words[:1] != ["postgres:"]:
                continue
            words = words[2:] if words[1].endswith(":") else words[1:]
            if len(words) < 3 or words[1] != database:
                continue
            total, found = total + cpu_seconds(proc_stat(cmdline.parent.name)), True
        except (OSError, IndexError):
            continue
    return total if found else None


class Server:
    """gunicorn as production runs it, on 127.0.0.1, with its log in bench/out/."""

    def __init__(self, name: str, port: int, env: dict, app: str = "blogsite.wsgi:application"):
        self.name, self.port, self.env = name, port, env
        self.log = OUT / f"gunicorn-{name}.log"
        # No control socket: its default path is shared by every gunicorn on the machine.
        cmd = [GUNICORN, app, "--bind", f"127.0.0.1:{port}", "--no-control-socket"]
        if (ROOT / "gunicorn.conf.py").exists():
            cmd[1:1] = ["--config", "gunicorn.conf.py"]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn ({name}) exited; see {self.log.relative_to(ROOT)}")
            if fetch(self.base + "/bench/floor/")[0] == 200:
                return
            time.sleep(0.3)
        raise SystemExit(f"gunicorn ({name}) did not answer within 60 s")

    def workers(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = proc_stat(stat.parent.name)
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return pids

    def worker_cpu_seconds(self) -> float:
        """CPU time of the workers, the live ones and those gunicorn has replaced (max_requests)."""
        total = cpu_seconds(proc_stat(self.process.pid), own=False, reaped=True)
        for pid in self.workers():
            try:
                total += cpu_seconds(proc_stat(pid))
            except OSError:
                continue
        return total

    def database_cpu_seconds(self) -> float | None:
        """The CPU time of the backends serving this server's database (``database_cpu_seconds``)."""
        database = urlsplit(self.env.get("DATABASE_URL", "")).path.lstrip("/")
        return database_cpu_seconds(database) if database else None

    def settle(self, timeout: float = 60) -> None:
        """Wait until the workers are idle: wrk leaves requests queued when it stops, and the
        next measurement must not pay for them."""
        fetch(self.base + "/bench/floor/")
        deadline = time.monotonic() + timeout
        before = self.worker_cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(0.2)
            now = self.worker_cpu_seconds()
            if now - before < 0.01:
                return
            before = now

    def worker_rss_mb(self) -> float:
        """The largest resident set of any worker, in MB."""
        sizes = [0.0]
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
        return max(sizes)

    def describe_config(self) -> str:
        text = self.log.read_text(errors="replace")
        worker = re.search(r"Using worker: ([\w.]+)", text)
        threads = re.search(r"threads[=: ]+(\d+)", text)
        return f"{len(self.workers())} x {worker.group(1) if worker else '?'} workers" + (
            f", {threads.group(1)} threads" if threads else ""
        )

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a signed-in page that redirects to the sign-in form is a failure, not a page


_opener = urllib.request.build_opener(_NoRedirects)


def fetch(url: str, cookie: str = "") -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""
    except OSError:
        return 0, b""


def flush_redis():
    url = urlsplit(REDIS_URL)
    db = url.path.strip("/") or "0"
    run(
        ["redis-cli", "-h", url.hostname, "-p", str(url.port or 6379), "-n", db, "FLUSHDB"],
        capture_output=True,
    )


# WRK
# ------------------------------------------------------------------------------
LUA_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p99_us": %d, '
    .. '"status_errors": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def wrk_script(case: Case) -> Path:
    lua = LUA_DONE
    if case.cookie:
        lua += f'\nwrk.headers["Cookie"] = {json.dumps(case.cookie)}\n'
    if case.rotate:
        paths = ", ".join(json.dumps(p) for p in case.rotate)
        lua += f"""
local paths = {{{paths}}}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
"""
    script = OUT / f"wrk-{re.sub(r'[^a-z0-9]+', '-', case.name.lower())}.lua"
    script.write_text(lua)
    return script


def wrk(url: str, seconds: float, script: Path) -> dict:
    out = subprocess.run(
        [
            "wrk",
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.split("BENCH ", 1)[1].splitlines()[0])


def drive(server: Server, case: Case, seconds: float, warmup: float) -> Result:
    """Warm the URL up, then drive it for ``seconds`` with 16 connections."""
    result = Result(case=case)
    result.status = fetch(server.base + (case.rotate[0] if case.rotate else case.path), case.cookie)[0]
    if result.missing:
        print(f"  {case.name:<28} {case.path}: MISSING (HTTP {result.status})", flush=True)
        return result
    script = wrk_script(case)
    wrk(server.base + case.path, warmup, script)
    server.settle()
    cpu_before, db_before = server.worker_cpu_seconds(), server.database_cpu_seconds()
    stats = wrk(server.base + case.path, seconds, script)
    cpu, db_after = server.worker_cpu_seconds() - cpu_before, server.database_cpu_seconds()
    server.settle()
    requests = max(stats["requests"], 1)
    result.rps = stats["requests"] / (stats["duration_us"] / 1e6)
    result.p50_ms, result.p99_ms = stats["p50_us"] / 1000, stats["p99_us"] / 1000
    result.bad_responses = stats["status_errors"] + stats["socket_errors"]
    result.bytes_per_request = stats["bytes"] / requests
    result.cpu_ms = cpu * 1000 / requests
    if db_after is not None:  # a backend first seen now connected during the run: its time is the run's
        result.db_cpu_ms = (db_after - (db_before or 0.0)) * 1000 / requests
    result.rss_mb = server.worker_rss_mb()
    print(
        f"  {case.name:<28} {result.rps:8.0f} req/s  p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms"
        f"  {result.cpu_ms:5.2f} CPU-ms/req  {fmt_ms(result.db_cpu_ms)} database CPU-ms/req"
        f"  {result.bytes_per_request / 1024:5.1f} KB"
        + (f"  {result.bad_responses} BAD RESPONSES" if result.bad_responses else ""),
        flush=True,
    )
    return result


def count_queries(server: Server, results: list[Result], attr: str) -> None:
    paths = [
        [r.case.rotate[0] if r.case.rotate else r.case.path, r.case.cookie] for r in results if not r.missing
    ]
    if not paths:
        return
    out = run(
        [PYTHON, "bench/queries.py", f"127.0.0.1:{server.port}", json.dumps(paths)],
        env=server.env,
        capture_output=True,
        text=True,
    ).stdout
    counts = json.loads(out.strip().splitlines()[-1])
    (OUT / f"queries-{server.name}-{attr}.json").write_text(json.dumps(counts, indent=2))
    for result in results:
        path = result.case.rotate[0] if result.case.rotate else result.case.path
        if path in counts:
            setattr(result, attr, counts[path]["queries"])


# THE RUN
# ------------------------------------------------------------------------------
def cases_for(info: dict, cookie: str) -> list[Case]:
    """The URLs at the smaller corpus, with the targets of issue 16 (bare floor) and issue 8 (stack floor)."""
    post, tag = f"/posts/{info['post_slug']}/", f"/tags/{info['tag_slug']}/"
    rotation = ["/search/?q=" + quote_plus(q) for q in info["search_queries"]]
    return [
        Case("home", "/", target=0.8),
        Case("home, page 50", "/?page=50", target=0.8),
        Case("post", post, target=0.8),
        Case("post with a cover and 3 images", f"/posts/{info['picture_post_slug']}/", target=0.8),
        Case("tag", tag, target=0.8),
        Case("author", f"/authors/{info['author']}/"),
        Case("feed", "/feed/", stack_target=0.8),
        Case("API post list", "/api/posts", stack_target=0.7),
        Case("API post", f"/api/posts/{info['post_id']}", stack_target=0.7),
        *varnish_cases(post),
        Case("post, cache off", post, cached=False, target=0.15),
        Case("home, cache off", "/", cached=False, target=0.12),
        Case("tag, cache off", tag, cached=False, target=0.12),
        Case("home, page 50, cache off", "/?page=50", cached=False, like=("home, cache off", 0.8)),
        Case("API post list, cache off", "/api/posts", cached=False, target=0.15),
        Case(
            "search, 64 queries", rotation[0], cached=False, target=0.1, p99_ms=SEARCH_P99_MS, rotate=rotation
        ),
        Case("dashboard, 100 posts, signed in", "/dashboard/", target=0.1, cookie=cookie),
    ]


def growth_cases(info: dict) -> list[Case]:
    """The pages that must keep their ratio at the larger corpus, and deep pages as cheap as the first."""
    post, tag = f"/posts/{info['post_slug']}/", f"/tags/{info['tag_slug']}/"
    rotation = ["/search/?q=" + quote_plus(q) for q in info["search_queries"]]
    deep = max(1, min(5000, info["posts"] // 20))
    tag_deep = max(1, deep // 4)  # the busiest tag holds about a quarter of the posts: halfway down it
    return [
        Case("home", "/"),
        Case("post", post),
        Case("post, cache off", post, cached=False, growth=GROWTH_TARGET),
        Case("home, cache off", "/", cached=False, growth=GROWTH_TARGET),
        Case(f"home, page {deep}, cache off", f"/?page={deep}", cached=False, like=("home, cache off", 0.8)),
        Case("tag, cache off", tag, cached=False, growth=GROWTH_TARGET),
        Case(
            f"tag, page {tag_deep}, cache off",
            f"{tag}?page={tag_deep}",
            cached=False,
            like=("tag, cache off", 0.8),
        ),
        Case("API post list, cache off", "/api/posts", cached=False, growth=GROWTH_TARGET),
        Case("search, 64 queries", rotation[0], cached=False, rotate=rotation, growth=GROWTH_TARGET),
    ]


def varnish_cases(post: str) -> list[Case]:
    """Through Varnish in front of the cached server, when the repository ships a VCL and Varnish is here."""
    if not (shutil.which("varnishd") and varnish_vcl()):
        return []
    return [Case("post, through Varnish", post, server="varnish", target=5)]


def varnish_vcl() -> Path | None:
    found = sorted(
        p for p in ROOT.glob("**/*.vcl") if ".venv" not in p.parts and "node_modules" not in p.parts
    )
    return found[0] if found else None


class Varnish:
    """varnishd in front of the cached server, with the repository's VCL pointed at it."""

    def __init__(self, port: int, backend_port: int):
        self.port, self.base = port, f"http://127.0.0.1:{port}"
        # varnishd drops to its own user to compile and serve: a folder it may read.
        self.workdir = Path(tempfile.mkdtemp(prefix="bench-varnish-"))
        self.workdir.chmod(0o755)
        vcl = re.sub(r'(\.port\s*=\s*)"\d+"', rf'\g<1>"{backend_port}"', varnish_vcl().read_text())
        vcl = re.sub(r'(\.host\s*=\s*)"[^"]+"', r'\g<1>"127.0.0.1"', vcl)
        (self.workdir / "bench.vcl").write_text(vcl)
        (self.workdir / "bench.vcl").chmod(0o644)
        self.log = OUT / "varnishd.log"
        cmd = ["varnishd", "-F", "-n", str(self.workdir / "state"), "-a", f"127.0.0.1:{port}"]
        cmd += ["-f", str(self.workdir / "bench.vcl"), "-s", "malloc,64m"]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while fetch(self.base + "/bench/floor/")[0] != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"varnishd did not start; see {self.log.relative_to(ROOT)}")
            time.sleep(0.3)

    def settle(self):
        pass

    def database_cpu_seconds(self) -> None:
        """Not measured: a hit never reaches the database."""
        return None

    def worker_cpu_seconds(self) -> float:
        """Varnish's own CPU time (the workers behind it are idle on hits)."""
        total = 0.0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = proc_stat(stat.parent.name)
            except OSError:
                continue
            if int(fields[1]) == self.process.pid or int(stat.parent.name) == self.process.pid:
                total += cpu_seconds(fields, reaped=True)
        return total

    def worker_rss_mb(self) -> float:
        return 0.0

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def drive_interleaved(servers: dict, cases: list[Case], args) -> tuple[list[Result], list[Result], list]:
    """Drive the floors, then every few cases the floors again: each case is compared with the
    floors measured just before and just after it, so a machine that gets busier or quieter
    during the run moves both sides of the ratio alike."""
    bare, stack = Case("floor", "/bench/floor/"), Case("stack floor", "/bench/floor/")

    def floors_now():
        return drive(servers["floor"], bare, args.duration, args.warmup), drive(
            servers["cached"], stack, args.duration, args.warmup
        )

    floors = [floors_now()]
    results, pending = [], []
    for n, case in enumerate(cases):
        result = drive(servers[case.server_name], case, args.duration, args.warmup)
        results.append(result)
        if not result.missing:
            pending.append(result)
        if len(pending) == FLOOR_EVERY or (n == len(cases) - 1 and (pending or len(floors) == 1)):
            floors.append(floors_now())
            local_bare = statistics.mean(f.rps for f, _ in floors[-2:])
            local_stack = statistics.mean(f.rps for _, f in floors[-2:])
            for r in pending:
                r.ratio = r.rps / local_bare if local_bare else 0.0
                r.stack_ratio = r.rps / local_stack if local_stack else 0.0
            pending = []
    bare_floors, stack_floors = [f for f, _ in floors], [f for _, f in floors]
    for group in (bare_floors, stack_floors):
        mean = statistics.mean(f.rps for f in group)
        for f in group:
            f.ratio = f.rps / mean if mean else 0.0
    return bare_floors, stack_floors, results


def bench_database(database: str, cases: list[Case], args, secret: str):
    """Serve one database with a cached and an uncached server beside the bare floor, and drive every case."""
    servers = {
        "floor": Server(
            "floor", PORT + 2, floor_env(PORT + 2, secret=secret), app="bench.floor.wsgi:application"
        ),
        "cached": Server("cached", PORT, server_env(database, PORT, cached=True, secret=secret)),
        "uncached": Server("uncached", PORT + 1, server_env(database, PORT + 1, cached=False, secret=secret)),
    }
    try:
        if any(c.server_name == "varnish" for c in cases):
            servers["varnish"] = Varnish(PORT + 3, PORT)
        bare_floors, stack_floors, results = drive_interleaved(servers, cases, args)
        for name in ("cached", "uncached"):
            mine = [r for r in results if r.case.server_name == name]
            count_queries(servers[name], mine, "queries")
            if name == "cached":
                count_queries(servers["uncached"], mine, "queries_miss")
        count_queries(servers["cached"], stack_floors, "queries")
        config = servers["cached"].describe_config()
    finally:
        for server in servers.values():
            server.stop()
    return bare_floors, stack_floors, results, config


def fmt_ms(ms: float | None) -> str:
    return "—" if ms is None else f"{ms:.2f}"


def total_cpu_ms(r: Result) -> float | None:
    """The worker's and the database's CPU per request together, where both were measured."""
    return None if r.db_cpu_ms is None else r.cpu_ms + r.db_cpu_ms


def fmt_queries(r: Result) -> str:
    if r.queries is None:
        return "—"
    if r.queries_miss is None or r.queries_miss == r.queries:
        return str(r.queries)
    return f"{r.queries} (miss {r.queries_miss})"


def verdicts(results: list[Result], among: list[Result] | None = None) -> list[tuple[float, str]]:
    """(share of the target reached, sentence) for every target; below 1.0 is a miss. A target
    relative to another case finds it in ``among`` (by default, ``results``)."""
    out = []
    by_name = {r.case.name: r for r in (among or results)}
    for r in results:
        c = r.case
        if c.target is None and c.stack_target is None and c.p99_ms is None and c.like is None:
            continue
        if r.missing:
            out.append((0.0, f"{c.name} is missing (HTTP {r.status} from {c.path})"))
            continue
        if r.bad_responses:
            out.append((0.0, f"{c.name} answered {r.bad_responses} requests with an error"))
        if c.target is not None:
            out.append(
                (r.ratio / c.target, f"{c.name} at {r.ratio:.3f}x the floor against a target of {c.target}x")
            )
        if c.stack_target is not None:
            out.append(
                (
                    r.stack_ratio / c.stack_target,
                    f"{c.name} at {r.stack_ratio:.2f}x the stack floor against a target of {c.stack_target}x",
                )
            )
        if c.p99_ms is not None:
            out.append(
                (c.p99_ms / max(r.p99_ms, 0.001), f"{c.name} p99 {r.p99_ms:.1f} ms against {c.p99_ms:.0f} ms")
            )
        if c.like is not None:
            other = by_name.get(c.like[0])
            share = r.ratio / other.ratio if other and other.ratio else 0.0
            out.append(
                (
                    share / c.like[1],
                    f"{c.name} at {share:.2f} of {c.like[0]}'s rate against a target of {c.like[1]}",
                )
            )
        if r.rss_mb:
            out.append((RSS_LIMIT_MB / r.rss_mb, f"worker RSS {r.rss_mb:.0f} MB against {RSS_LIMIT_MB} MB"))
    return out


def floor_summary(floors: list[Result]) -> Result:
    """One row for a floor: the mean of its measurements."""
    database = [f.db_cpu_ms for f in floors if f.db_cpu_ms is not None]
    return Result(
        case=Case(f"{floors[0].case.name} (mean of {len(floors)})", floors[0].case.path),
        status=200,
        rps=statistics.mean(f.rps for f in floors),
        p50_ms=statistics.mean(f.p50_ms for f in floors),
        p99_ms=statistics.mean(f.p99_ms for f in floors),
        bytes_per_request=floors[0].bytes_per_request,
        cpu_ms=statistics.mean(f.cpu_ms for f in floors),
        db_cpu_ms=statistics.mean(database) if database else None,
        rss_mb=max(f.rss_mb for f in floors),
        queries=floors[0].queries,
    )


def floor_spread(floors: list[Result]) -> float:
    """How far the floor moved during a run: its slowest and fastest rates apart, over their mean."""
    rates = [f.rps for f in floors]
    return (max(rates) - min(rates)) / statistics.mean(rates)


def floor_note(floors: list[Result]) -> str:
    rates = ", ".join(f"{f.rps:.0f}" for f in floors)
    return f"{rates} requests/s, {floor_spread(floors):.0%} between the slowest and the fastest"


def quiet_note(*floors: list[Result]) -> str:
    """A word on a run whose floor moved more than ``QUIET_SPREAD``, empty for a quiet one: a
    result near its target then says as much of the machine as of the code."""
    spread = max(floor_spread(f) for f in floors)
    if spread <= QUIET_SPREAD:
        return ""
    return (
        f"Not a quiet run: the floor moved {spread:.0%} (more than {QUIET_SPREAD:.0%}), so a result "
        "near its target may be the machine's rather than the code's; rerun when the machine is quiet."
    )


def target_text(c: Case) -> str:
    parts = [
        f"≥ {c.target}x" if c.target else "",
        f"≥ {c.stack_target}x stack" if c.stack_target else "",
        f"≥ {c.like[1]} of {c.like[0]}" if c.like else "",
        f"p99 < {c.p99_ms:.0f} ms" if c.p99_ms else "",
    ]
    return " ".join(p for p in parts if p)


def table(bare: list[Result], stack: list[Result], results: list[Result]) -> list[str]:
    lines = [
        "| URL | requests/s | worker CPU ms/request | database CPU ms/request | x floor | x floor by CPU "
        "| x stack floor | target | p50 ms | p99 ms | SQL queries/request | worker RSS MB | KB | |",
        "|---|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|---|",
    ]
    floor, stack_floor = floor_summary(bare), floor_summary(stack)
    floor.ratio, stack_floor.ratio = 1.0, stack_floor.rps / floor.rps
    stack_floor.stack_ratio = floor.stack_ratio = 1.0
    floor.stack_ratio = floor.rps / stack_floor.rps
    for r in [floor, stack_floor, *results]:
        c = r.case
        target = target_text(c)
        if r.missing:
            lines.append(
                f"| {c.name} `{c.path}` | missing (HTTP {r.status}) | | | | | | {target} | | | | | | ✗ |"
            )
            continue
        ok = all(share >= 1 for share, _ in verdicts([r], among=results))
        mark = "✓" if ok and target else ("✗" if not ok else "")
        path = c.path if not c.rotate else f"{c.path} (+{len(c.rotate) - 1} more queries)"
        by_cpu = floor.cpu_ms / max(r.cpu_ms, 1e-3)
        lines.append(
            f"| {c.name} `{path}` | {r.rps:.0f} | {r.cpu_ms:.2f} | {fmt_ms(r.db_cpu_ms)} | {r.ratio:.3f} "
            f"| {by_cpu:.3f} | {r.stack_ratio:.2f} | {target} | {r.p50_ms:.1f} | {r.p99_ms:.1f} "
            f"| {fmt_queries(r)} | {r.rss_mb:.0f} | {r.bytes_per_request / 1024:.1f} | {mark} |"
        )
    return lines


def growth_table(base: list[Result], grown: list[Result], sizes: tuple[int, int]) -> tuple[list[str], list]:
    lines = [
        f"| URL | x floor at {sizes[0]:,} posts | x floor at {sizes[1]:,} posts | ratio | CPU ratio "
        f"| CPU ratio with the database | target | SQL queries at {sizes[1]:,} | |",
        "|---|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    checks = [(share, f"at {sizes[1]:,} posts, {text}") for share, text in verdicts(grown)]
    by_name, grown_by_name = {r.case.name: r for r in base}, {r.case.name: r for r in grown}
    for r in grown:
        before = by_name.get(r.case.name)
        if r.missing:
            lines.append(f"| {r.case.name} | | | missing | | | | | ✗ |")
            continue
        target = r.case.growth
        if before is None or before.missing:
            like, mark = "", ""
            if r.case.like and (other := grown_by_name.get(r.case.like[0])) and other.ratio:
                share = r.ratio / other.ratio
                like = f"{share:.2f} of {r.case.like[0]} (≥ {r.case.like[1]})"
                mark = "✓" if share >= r.case.like[1] else "✗"
            lines.append(f"| {r.case.name} | | {r.ratio:.3f} | | | | {like} | {fmt_queries(r)} | {mark} |")
            continue
        growth = r.ratio / before.ratio if before.ratio else 0.0
        cpu_growth = before.cpu_ms / r.cpu_ms if r.cpu_ms else 0.0
        both, grown_both = total_cpu_ms(before), total_cpu_ms(r)
        with_database = f"{both / grown_both:.2f}" if both is not None and grown_both else "—"
        mark = ("✓" if growth >= target else "✗") if target else ""
        lines.append(
            f"| {r.case.name} | {before.ratio:.3f} | {r.ratio:.3f} | {growth:.2f} | {cpu_growth:.2f} "
            f"| {with_database} | {f'≥ {target}' if target else ''} | {fmt_queries(r)} | {mark} |"
        )
        if target:
            sentence = (
                f"{r.case.name} at {sizes[1]:,} posts keeps {growth:.2f} of its {sizes[0]:,}-post rate "
                f"against a target of {target}"
            )
            checks.append((growth / target, sentence))
    return lines, checks


def git_commit() -> str:
    try:
        return run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return "unknown"


def parse_args():
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small corpus, 2 s per URL: for iterating")
    parser.add_argument("--posts", type=int, help="corpus size (default 1000; --quick 200)")
    parser.add_argument("--growth-posts", type=int, help="the larger corpus (default 100000; --quick 2000)")
    parser.add_argument("--no-growth", action="store_true", help="skip the larger corpus")
    parser.add_argument("--duration", type=float, help="seconds per URL (default 10; --quick 2)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up per URL (default 2; --quick 1)")
    parser.add_argument(
        "--only",
        action="append",
        metavar="CASE",
        help="a case to drive, by its name in the table (repeat for more; the floor always runs), "
        'e.g. --only "post, cache off"',
    )
    parser.add_argument(
        "--reuse-db", action="store_true", help="keep databases that already hold this corpus"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="reload the larger corpus even when it is unchanged"
    )
    parser.add_argument("--prepare", action="store_true", help="only load the corpus databases")
    args = parser.parse_args()
    args.posts = args.posts or (200 if args.quick else 1000)
    args.growth_posts = args.growth_posts or (2000 if args.quick else 100_000)
    args.duration = args.duration or (2 if args.quick else 10)
    args.warmup = args.warmup or (1 if args.quick else 2)
    return args


def main():
    args = parse_args()
    OUT.mkdir(exist_ok=True)
    started = time.monotonic()
    secret = secrets.token_urlsafe(50)
    databases = [(os.environ.get("BENCH_DATABASE", "blogsite_bench"), args.posts)]
    if not args.no_growth:
        databases.append((os.environ.get("BENCH_DATABASE_GROWTH", "blogsite_bench100k"), args.growth_posts))
    only = {name.strip() for name in args.only} if args.only else None

    load_env = {**os.environ, "SECRET_KEY": secret, "REDIS_URL": "", "SITE_URL": "http://127.0.0.1"}
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=load_env)
    for n, (database, posts) in enumerate(databases):
        # The larger corpus takes minutes to load: it is kept while nothing it depends on changed.
        reuse = args.reuse_db or (n > 0 and not args.fresh)
        prepare_database(database, posts, reuse=reuse, env={**load_env, "DATABASE_URL": f"{PG}/{database}"})
    if args.prepare:
        return
    runs = []
    for database, posts in databases:
        env = {**load_env, "DATABASE_URL": f"{PG}/{database}"}
        info = describe(env)
        flush_redis()
        cookie = sign_in(server_env(database, PORT, cached=True, secret=secret), info["dashboard_writer"])
        cases = cases_for(info, cookie) if not runs else growth_cases(info)
        if only:
            cases = [c for c in cases if c.name in only]
        print(f"Driving {len(cases)} URLs at {posts:,} posts, {args.duration:g} s each…", flush=True)
        runs.append((posts, *bench_database(database, cases, args, secret)))

    posts, bare, stack, results, config = runs[0]
    checks = verdicts(results)
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on commit {git_commit()}, "
        f"{os.cpu_count()} CPU cores, {posts:,} posts; gunicorn {config}"
        + (" (`gunicorn.conf.py`)" if (ROOT / "gunicorn.conf.py").exists() else " (gunicorn defaults)")
        + f"; wrk, {THREADS} threads, {CONNECTIONS} connections, {args.duration:g} s per URL "
        f"after {args.warmup:g} s of warm-up. "
        f"The floor (a constant 5 KB page from a bare Django project with only CommonMiddleware, under "
        f"the same gunicorn) was measured before the first URL and after every {FLOOR_EVERY}: "
        f"{floor_note(bare)}; each URL is compared with the mean of the floors just before and after it. "
        f"The stack floor (a constant response through the whole site's middleware): {floor_note(stack)}.",
        "",
        *table(bare, stack, results),
    ]
    if len(runs) > 1:
        grown_posts, grown_bare, _, grown, _ = runs[1]
        growth_lines, growth_checks = growth_table(results, grown, (posts, grown_posts))
        checks += growth_checks
        lines += [
            "",
            f"Growth: the same pages at {grown_posts:,} posts, as ratios to that run's own floor "
            f"({floor_note(grown_bare)}); CPU ratio: worker CPU per request at {posts:,} posts over "
            f"that at {grown_posts:,}; with the database: the worker's and the database's together.",
            "",
        ]
        lines += growth_lines
    lines += [
        "",
        "Worker CPU: the gunicorn workers' CPU time per request (not the database's), steadier than "
        "requests/s on a shared machine; x floor by CPU compares it with the floor's, a cross-check of "
        "the x floor column, which is the one the targets use. Database CPU: the PostgreSQL backends' "
        "CPU time per request, where the database runs on this machine (— where it does not, or the "
        "page never reaches it). x stack floor: the rate over that of a "
        "constant response through the site's whole middleware stack (the targets marked *stack*). "
        "SQL queries/request: a cache hit, as measured (in brackets: the same request with the cache "
        "off). Worker RSS: the largest gunicorn worker after that URL's run.",
    ]
    worst = min(checks, default=(1.0, "no targets were checked"))
    failed = [text for share, text in checks if share < 1]
    verdict = (
        f"**{len(failed)} target(s) missed.** Worst: {worst[1]} ({worst[0]:.0%} of its target)."
        if failed
        else f"All targets met. Closest: {worst[1]} ({worst[0]:.0%} of its target)."
    )
    quiet = quiet_note(*(bare for _posts, bare, *_rest in runs))
    lines += ["", verdict + (f" {quiet}" if quiet else "")]

    document = "\n".join(
        ["# Benchmark results", "", "Rerun with `bench/run` (see README, Performance).", "", *lines]
    )
    (BENCH / "results.md" if not args.quick and not only else OUT / "results.md").write_text(document + "\n")
    if not args.quick and not only and not args.no_growth:
        update_readme("\n".join(lines))
    print("\n" + "\n".join(lines[2:]))
    print(f"\nThe run took {time.monotonic() - started:.0f} s.")
    print(
        f"FAIL: {len(failed)} target(s) missed; worst: {worst[1]} ({worst[0]:.0%} of target)."
        if failed
        else f"PASS: every target met; closest: {worst[1]} ({worst[0]:.0%} of target)."
    )
    if quiet:
        print(quiet)
    sys.exit(1 if failed else 0)


def update_readme(text: str) -> None:
    readme = README.read_text()
    if README_START in readme and README_END in readme:
        head, rest = readme.split(README_START, 1)
        _, tail = rest.split(README_END, 1)
        README.write_text(f"{head}{README_START}\n{text}\n{README_END}{tail}")


if __name__ == "__main__":
    main()

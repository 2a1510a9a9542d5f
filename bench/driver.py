"""The benchmark itself; `bench/run` sets up the tools and calls it (`bench/run --help`).

It builds the corpus databases, starts gunicorn the way production does (DEBUG off, Redis
cache, a real SECRET_KEY, ``gunicorn.conf.py``), drives every URL with wrk for a fixed
time, and compares each with the *floor*: a constant Django response served by the same
gunicorn, settings and middleware, measured in the same run. Ratios to the floor survive
a busy machine far better than requests per second do.
"""

import argparse
import hashlib
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
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
PORT = int(os.environ.get("BENCH_PORT", "8060"))  # the cached server; the uncached one is PORT + 1
CONNECTIONS = 16
RSS_LIMIT_MB = 120
GROWTH_TARGET = 0.9
SEARCH_P99_MS = 50
FLOOR_EVERY = 3  # cases driven between two measurements of the floor


@dataclass
class Case:
    """One URL driven with wrk, and what it must reach."""

    name: str
    path: str
    cached: bool = True  # False: served by the server whose cache is switched off
    target: float | None = None  # minimum ratio to the floor
    p99_ms: float | None = None  # maximum p99 latency
    rotate: list[str] = field(default_factory=list)  # paths wrk cycles through instead of `path`


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
    rss_mb: float = 0.0
    queries: int | None = None
    queries_miss: int | None = None
    ratio: float = 0.0

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
    """What a loaded database depends on: the corpus size and code, and the schema."""
    digest = hashlib.sha256(str(posts).encode())
    sources = [BENCH / "corpus.py", ROOT / "requirements.txt", *ROOT.glob("*/migrations/0*.py")]
    sources += [ROOT / "posts" / name for name in ("models.py", "rendering.py", "signals.py", "services.py")]
    for path in sorted(p for p in sources if p.exists()):
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
            return
    print(f"Creating database {name} with {posts} posts…", flush=True)
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env)
    run([PYTHON, "bench/corpus.py", "load", "--posts", str(posts)], env=env)
    run(["psql", f"{PG}/{name}", "-XAtq", "-c", "VACUUM ANALYZE"])
    psql(f"COMMENT ON DATABASE \"{name}\" IS '{signature}'")


def describe(env: dict) -> dict:
    out = run([PYTHON, "bench/corpus.py", "describe"], env=env, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


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
        # wrk reads from one address far faster than any person: keep the per-address limit
        # counting (its cost is real) but out of the way.
        "BLOG_ANONYMOUS_READS_PER_MINUTE": "1000000000",
    }
    if not cached:
        env["CACHE_DISABLED"] = "true"
    return env


class Server:
    """gunicorn as production runs it, on 127.0.0.1, with its log in bench/out/."""

    def __init__(self, name: str, port: int, env: dict):
        self.name, self.port, self.env = name, port, env
        self.log = OUT / f"gunicorn-{name}.log"
        # No control socket: its default path is shared by every gunicorn on the machine.
        cmd = [GUNICORN, "blogsite.wsgi:application", "--bind", f"127.0.0.1:{port}", "--no-control-socket"]
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
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return pids

    def worker_cpu_seconds(self) -> float:
        """CPU time of the workers, the live ones and those gunicorn has replaced (max_requests)."""
        tick = os.sysconf("SC_CLK_TCK")
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[13]) + int(fields[14])) / tick  # reaped children
        for pid in self.workers():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
        return total

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


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
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
            "-t1",
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
    result.status = fetch(server.base + (case.rotate[0] if case.rotate else case.path))[0]
    if result.missing:
        print(f"  {case.name:<28} {case.path}: MISSING (HTTP {result.status})", flush=True)
        return result
    script = wrk_script(case)
    wrk(server.base + case.path, warmup, script)
    server.settle()
    cpu_before = server.worker_cpu_seconds()
    stats = wrk(server.base + case.path, seconds, script)
    cpu = server.worker_cpu_seconds() - cpu_before
    server.settle()
    requests = max(stats["requests"], 1)
    result.rps = stats["requests"] / (stats["duration_us"] / 1e6)
    result.p50_ms, result.p99_ms = stats["p50_us"] / 1000, stats["p99_us"] / 1000
    result.bad_responses = stats["status_errors"] + stats["socket_errors"]
    result.bytes_per_request = stats["bytes"] / requests
    result.cpu_ms = cpu * 1000 / requests
    result.rss_mb = server.worker_rss_mb()
    print(
        f"  {case.name:<28} {result.rps:8.0f} req/s  p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms"
        f"  {result.cpu_ms:5.2f} CPU-ms/req  {result.bytes_per_request / 1024:5.1f} KB"
        + (f"  {result.bad_responses} BAD RESPONSES" if result.bad_responses else ""),
        flush=True,
    )
    return result


def count_queries(server: Server, results: list[Result], attr: str) -> None:
    paths = [r.case.rotate[0] if r.case.rotate else r.case.path for r in results if not r.missing]
    if not paths:
        return
    out = run(
        [PYTHON, "bench/queries.py", f"127.0.0.1:{server.port}", *paths],
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
def cases_for(info: dict) -> list[Case]:
    search = "/search/?q=" + quote_plus(info["search_query"])
    rotation = ["/search/?q=" + quote_plus(q) for q in info["search_queries"]]
    return [
        Case("home", "/", target=0.8),
        Case("home, page 50", "/?page=50", target=0.8),
        Case("post", f"/posts/{info['post_slug']}/", target=0.8),
        Case("tag", f"/tags/{info['tag_slug']}/", target=0.8),
        Case("author", f"/authors/{info['author']}/"),
        Case("feed", "/feed/", target=0.8),
        Case("search", search),
        Case("API post list", "/api/posts", target=0.7),
        Case("API post", f"/api/posts/{info['post_id']}", target=0.7),
        Case(
            "search, uncached", rotation[0], cached=False, target=0.3, p99_ms=SEARCH_P99_MS, rotate=rotation
        ),
        Case("post, cache off", f"/posts/{info['post_slug']}/", cached=False, target=0.35),
        Case("home, cache off", "/", cached=False),
    ]


def growth_cases(info: dict) -> list[Case]:
    rotation = ["/search/?q=" + quote_plus(q) for q in info["search_queries"]]
    return [
        Case("home", "/", target=GROWTH_TARGET),
        Case("post", f"/posts/{info['post_slug']}/", target=GROWTH_TARGET),
        Case("search, uncached", rotation[0], cached=False, rotate=rotation),
        Case("post, cache off", f"/posts/{info['post_slug']}/", cached=False),
        Case("home, cache off", "/", cached=False),
    ]


def drive_interleaved(servers: dict, cases: list[Case], args) -> tuple[list[Result], list[Result]]:
    """Drive the floor, then every few cases the floor again: each case is compared with the
    floors measured just before and just after it, so a machine that gets busier or quieter
    during the run moves both sides of the ratio alike."""
    floor = Case("floor", "/bench/floor/")
    floors = [drive(servers[True], floor, args.duration, args.warmup)]
    results, pending = [], []
    for n, case in enumerate(cases):
        result = drive(servers[case.cached], case, args.duration, args.warmup)
        results.append(result)
        if not result.missing:
            pending.append(result)
        if len(pending) == FLOOR_EVERY or (n == len(cases) - 1 and (pending or len(floors) == 1)):
            floors.append(drive(servers[True], floor, args.duration, args.warmup))
            local = statistics.mean(f.rps for f in floors[-2:])
            for r in pending:
                r.ratio = r.rps / local if local else 0.0
            pending = []
    mean = statistics.mean(f.rps for f in floors)
    for f in floors:
        f.ratio = f.rps / mean if mean else 0.0
    return floors, results


def bench_database(database: str, cases: list[Case], args, secret: str):
    """Serve one database with a cached and an uncached server, and drive every case."""
    flush_redis()
    servers = {
        True: Server("cached", PORT, server_env(database, PORT, cached=True, secret=secret)),
        False: Server("uncached", PORT + 1, server_env(database, PORT + 1, cached=False, secret=secret)),
    }
    try:
        floors, results = drive_interleaved(servers, cases, args)
        for cached, server in servers.items():
            mine = [r for r in results if r.case.cached == cached]
            count_queries(server, mine, "queries")
            if cached:
                count_queries(servers[False], mine, "queries_miss")
        count_queries(servers[True], floors, "queries")
        config = servers[True].describe_config()
    finally:
        for server in servers.values():
            server.stop()
    return floors, results, config


def fmt_queries(r: Result) -> str:
    if r.queries is None:
        return "—"
    if r.queries_miss is None or r.queries_miss == r.queries:
        return str(r.queries)
    return f"{r.queries} (miss {r.queries_miss})"


def verdicts(results: list[Result]) -> list[tuple[float, str]]:
    """(share of the target reached, sentence) for every target; below 1.0 is a miss."""
    out = []
    for r in results:
        c = r.case
        if c.target is None and c.p99_ms is None:
            continue
        if r.missing:
            out.append((0.0, f"{c.name} is missing (HTTP {r.status} from {c.path})"))
            continue
        if r.bad_responses:
            out.append((0.0, f"{c.name} answered {r.bad_responses} requests with an error"))
        if c.target is not None:
            out.append(
                (r.ratio / c.target, f"{c.name} at {r.ratio:.2f}x the floor against a target of {c.target}x")
            )
        if c.p99_ms is not None:
            out.append(
                (c.p99_ms / max(r.p99_ms, 0.001), f"{c.name} p99 {r.p99_ms:.1f} ms against {c.p99_ms:.0f} ms")
            )
        if r.rss_mb:
            out.append((RSS_LIMIT_MB / r.rss_mb, f"worker RSS {r.rss_mb:.0f} MB against {RSS_LIMIT_MB} MB"))
    return out


def floor_summary(floors: list[Result]) -> Result:
    """One row for the floor: the mean of its measurements."""
    return Result(
        case=Case(f"floor (mean of {len(floors)})", floors[0].case.path),
        status=200,
        rps=statistics.mean(f.rps for f in floors),
        p50_ms=statistics.mean(f.p50_ms for f in floors),
        p99_ms=statistics.mean(f.p99_ms for f in floors),
        bytes_per_request=floors[0].bytes_per_request,
        cpu_ms=statistics.mean(f.cpu_ms for f in floors),
        rss_mb=max(f.rss_mb for f in floors),
        queries=floors[0].queries,
        ratio=1.0,
    )


def floor_note(floors: list[Result]) -> str:
    rates = [f.rps for f in floors]
    spread = (max(rates) - min(rates)) / statistics.mean(rates)
    return (
        f"{', '.join(f'{r:.0f}' for r in rates)} requests/s, {spread:.0%} between the slowest and the fastest"
    )


def table(floors: list[Result], results: list[Result]) -> list[str]:
    lines = [
        "| URL | requests/s | p50 ms | p99 ms | x floor | target | SQL queries/request | worker RSS MB"
        " | worker CPU ms/request | x floor by CPU | KB | |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    floor = floor_summary(floors)
    for r in [floor, *results]:
        c = r.case
        target = " ".join(
            t
            for t in (f"≥ {c.target}x" if c.target else "", f"p99 < {c.p99_ms:.0f} ms" if c.p99_ms else "")
            if t
        )
        if r.missing:
            lines.append(
                f"| {c.name} `{c.path}` | missing (HTTP {r.status}) | | | | {target} | | | | | | ✗ |"
            )
            continue
        ok = all(share >= 1 for share, _ in verdicts([r]))
        mark = "✓" if ok and (c.target or c.p99_ms) else ("✗" if not ok else "")
        path = c.path if not c.rotate else f"{c.path} (+{len(c.rotate) - 1} more queries)"
        by_cpu = floor.cpu_ms / max(r.cpu_ms, 1e-3)
        lines.append(
            f"| {c.name} `{path}` | {r.rps:.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.ratio:.2f} | {target} "
            f"| {fmt_queries(r)} | {r.rss_mb:.0f} | {r.cpu_ms:.2f} | {by_cpu:.2f} "
            f"| {r.bytes_per_request / 1024:.1f} | {mark} |"
        )
    return lines


def growth_table(base: list[Result], grown: list[Result], sizes: tuple[int, int]) -> tuple[list[str], list]:
    lines = [
        f"| URL | x floor at {sizes[0]:,} posts | x floor at {sizes[1]:,} posts | ratio | target | "
        f"SQL queries at {sizes[1]:,} | |",
        "|---|--:|--:|--:|--:|--:|---|",
    ]
    checks = []
    by_name = {r.case.name: r for r in base}
    for r in grown:
        before = by_name.get(r.case.name)
        if r.missing or before is None or before.missing:
            lines.append(f"| {r.case.name} | | | missing | | | ✗ |")
            if r.case.target:
                checks.append((0.0, f"{r.case.name} at {sizes[1]:,} posts is missing"))
            continue
        growth = r.ratio / before.ratio if before.ratio else 0.0
        target = f"≥ {r.case.target}" if r.case.target else ""
        mark = ("✓" if growth >= r.case.target else "✗") if r.case.target else ""
        lines.append(
            f"| {r.case.name} | {before.ratio:.2f} | {r.ratio:.2f} | {growth:.2f} | {target} "
            f"| {fmt_queries(r)} | {mark} |"
        )
        if r.case.target:
            sentence = (
                f"{r.case.name} at {sizes[1]:,} posts keeps {growth:.2f} of its {sizes[0]:,}-post rate "
                f"against a target of {r.case.target}"
            )
            checks.append((growth / r.case.target, sentence))
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
    parser.add_argument("--growth-posts", type=int, help="the larger corpus (default 10000; --quick 2000)")
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
    args = parser.parse_args()
    args.posts = args.posts or (200 if args.quick else 1000)
    args.growth_posts = args.growth_posts or (2000 if args.quick else 10000)
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
        databases.append((os.environ.get("BENCH_DATABASE_GROWTH", "blogsite_bench10k"), args.growth_posts))
    only = {name.strip() for name in args.only} if args.only else None

    load_env = {**os.environ, "SECRET_KEY": secret, "REDIS_URL": ""}
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=load_env)
    runs = []
    for database, posts in databases:
        env = {**load_env, "DATABASE_URL": f"{PG}/{database}"}
        # The larger corpus takes minutes to load: it is kept while nothing it depends on changed.
        reuse = args.reuse_db or (bool(runs) and not args.fresh)
        prepare_database(database, posts, reuse=reuse, env=env)
        info = describe(env)
        cases = cases_for(info) if not runs else growth_cases(info)
        if only:
            cases = [c for c in cases if c.name in only]
        print(f"Driving {len(cases)} URLs at {posts:,} posts, {args.duration:g} s each…", flush=True)
        runs.append((posts, *bench_database(database, cases, args, secret)))

    posts, floors, results, config = runs[0]
    checks = verdicts(results) + verdicts(floors[:1])
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on commit {git_commit()}, "
        f"{os.cpu_count()} CPU cores, {posts:,} posts; gunicorn {config}"
        + (" (`gunicorn.conf.py`)" if (ROOT / "gunicorn.conf.py").exists() else " (gunicorn defaults)")
        + f"; wrk, {CONNECTIONS} connections, {args.duration:g} s per URL "
        f"after {args.warmup:g} s of warm-up. "
        f"The floor (a constant response through the same stack) was measured before the first URL and "
        f"after every {FLOOR_EVERY}: {floor_note(floors)}; each URL is compared with the mean of the "
        f"floors just before and after it.",
        "",
        *table(floors, results),
    ]
    if len(runs) > 1:
        grown_posts, grown_floors, grown, _ = runs[1]
        growth_lines, growth_checks = growth_table(results, grown, (posts, grown_posts))
        checks += growth_checks
        lines += [
            "",
            f"Growth: the same pages at {grown_posts:,} posts, as ratios to that run's own floor "
            f"({floor_note(grown_floors)}).",
            "",
        ]
        lines += growth_lines
    lines += [
        "",
        "SQL queries/request: a cache hit, as measured (in brackets: the same request with the cache off). "
        "Worker RSS: the largest gunicorn worker after that URL's run. Worker CPU: the gunicorn workers' "
        "CPU time per request (not the database's), steadier than requests/s on a shared machine; "
        "x floor by CPU compares it with the floor's, a cross-check of the x floor column, which is the "
        "one the targets use.",
    ]
    worst = min(checks, default=(1.0, "no targets were checked"))
    failed = [text for share, text in checks if share < 1]
    verdict = (
        f"**{len(failed)} target(s) missed.** Worst: {worst[1]}."
        if failed
        else f"All targets met. Closest: {worst[1]}."
    )
    lines += ["", verdict]

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
    sys.exit(1 if failed else 0)


def update_readme(text: str) -> None:
    readme = README.read_text()
    if README_START in readme and README_END in readme:
        head, rest = readme.split(README_START, 1)
        _, tail = rest.split(README_END, 1)
        README.write_text(f"{head}{README_START}\n{text}\n{README_END}{tail}")


if __name__ == "__main__":
    main()

"""Outage check: the site talks to PostgreSQL through a proxy this script cuts and restores.

While the database is away (refused, then black-holed), uncached pages answer a styled 503
and the API a problem+json 503, each within a few seconds; cached pages and /healthz still
answer; /readyz names the database; no response carries a traceback (the server's log
does). When the database is back, the site recovers by itself.

Usage: ``.venv/bin/python .ci/outage.py DATABASE_URL REDIS_URL``. The database is created
afresh and dropped at the end.
"""

import sys
import time
import urllib.parse

from cluster import (
    Client,
    check,
    free_port,
    log,
    manage,
    scratch_run,
    site_env,
)
from pgproxy import TcpProxy

SETUP = """
from accounts.models import Role, User
from posts.models import Post
writer = User.objects.create_user("writer", "writer@example.com", "a-long-ci-password", role=Role.AUTHOR)
for n in range(3):
    Post(title=f"Story {n}", body="Words.", author=writer).publish()
"""
# A request may wait for the 3 s connection timeout once; anything near gunicorn's 30 s is a hang.
PROMPT = 6.0


def through(url: str, port: int) -> str:
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{port}"
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


def main(database_url, redis_url):
    target_port = urllib.parse.urlsplit(database_url).port or 5432
    proxy = TcpProxy(free_port(), target_port).start()
    try:
        with scratch_run(database_url, "outage") as (_work, processes):
            env = site_env(through(database_url, proxy.listen_port), redis_url, LOG_LEVEL="INFO")
            run(processes, env, proxy)
    finally:
        proxy.stop()


def assert_outage_answer(answer, what):
    check(answer.status == 503, f"{what}: 503 (got {answer.status})")
    check(answer.seconds < PROMPT, f"{what}: answered in {answer.seconds:.2f} s")
    check("Traceback" not in answer.text and "OperationalError" not in answer.text, f"{what}: no traceback")


def run(processes, env, proxy):
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", SETUP)
    site = processes.web("web", env)
    visitor = Client(site)
    log(f"site on {site}, database through the proxy on port {proxy.listen_port}")

    # Before: everything answers; the home page is cached.
    check(Client(site).get("/readyz").status == 200, "readyz is 200 while the database answers")
    for _ in range(2):
        home = visitor.get("/")
    check(home.status == 200 and home.headers.get("X-Cache") == "hit", "the home page is cached")
    check(visitor.get("/api/posts").status == 200, "the API answers")

    for mode in ("refuse", "blackhole"):
        proxy.cut(mode)
        log(f"database cut ({mode})")
        assert_outage_answer(visitor.get(f"/posts/story-1/?outage={mode}"), f"an uncached page ({mode})")
        page = visitor.get(f"/tags/?outage={mode}")
        assert_outage_answer(page, f"another page ({mode})")
        check(
            "Back in a moment" in page.text and page.headers.get("Retry-After"),
            "the 503 page is the styled one",
        )
        # A query the API reads (unknown parameters are ignored, so they would be served the cached list).
        api = visitor.get(f"/api/posts?tag=outage-{mode}")
        assert_outage_answer(api, f"the API ({mode})")
        check(api.headers.get("Content-Type") == "application/problem+json", "the API's 503 is problem+json")
        check(api.json()["status"] == 503, "the problem document says 503")
        ready = Client(site).get("/readyz")
        assert_outage_answer(ready, f"readyz ({mode})")
        check(ready.json()["failed"] == ["database"], f"readyz names the database: {ready.json()['checks']}")
        if mode == "blackhole":
            check(ready.json()["checks"]["database"] == "timeout", "readyz gave up on the silent database")
        check(Client(site).get("/healthz").status == 200, "healthz still answers 200")
        check(visitor.get("/").status == 200, "the cached home page is still served")
        signed_in = Client(site, cookies={"sessionid": "not-a-real-session"}).get("/")
        assert_outage_answer(signed_in, f"a page for a signed-in user, which needs the database ({mode})")

    proxy.restore()
    log("database back")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        answers = [visitor.get(f"/posts/story-1/?back={time.monotonic()}"), Client(site).get("/readyz")]
        if all(answer.status == 200 for answer in answers):
            break
        time.sleep(0.5)
    check(
        all(answer.status == 200 for answer in answers), "pages and readyz are 200 again, without a restart"
    )
    check(visitor.get("/api/posts").status == 200, "the API answers again")

    server_log = (processes.logs_dir / "web.log").read_text()
    check(
        '"traceback"' in server_log and "OperationalError" in server_log,
        "the tracebacks are in the server's log",
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
    print("outage: all checks passed")

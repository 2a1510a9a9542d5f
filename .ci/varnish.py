"""Shared cache check: a real Varnish, with the VCL we ship, in front of gunicorn on 127.0.0.1.

- A second anonymous read is a Varnish hit.
- A post published through the dashboard shows through Varnish within a second: the worker
  purges exactly the keys it touched (blogsite/purgers.py).
- A page the change does not touch stays cached in Varnish.
- A post scheduled after the home page was cached shows through Varnish at its time.
- A signed-in reader is never served a cached page.
- No response Varnish serves from its cache carries Set-Cookie.
- A visitor's SCRIPT_NAME header cannot make /tags/ the home page.

Usage: ``.venv/bin/python .ci/varnish.py DATABASE_URL REDIS_URL`` (needs ``varnishd`` and the
xkey module: Debian's varnish and varnish-modules). The database is created afresh and dropped.
"""

import re
import sys
import time
from pathlib import Path

from cluster import PASSWORD, PYTHON, ROOT, Client, check, free_port, log, manage, scratch_run, site_env

VCL = ROOT / "deploy" / "varnish" / "blogsite.vcl"

SETUP = """
from accounts.models import Role, User
from posts.models import Post, Tag
user = User(username="writer", role=Role.AUTHOR, email="writer@example.com")
user.set_password(PASSWORD)
user.save()
for title, tag in (("About alpha", "alpha"), ("About beta", "beta")):
    post = Post(title=title, body="Words.", author=user)
    post.publish()
    post.tags.set(Tag.from_names([tag]))
"""


# A post going live by itself: the page cache bounds every page by it (its schedule).
SCHEDULE = """
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from posts.models import Post
post = Post(title="Scheduled through Varnish", body="Words.", author=User.objects.get(username="writer"))
post.status, post.published_at = Post.Status.PUBLISHED, timezone.now() + timedelta(seconds=6)
post.save()
print(f"GOES-LIVE={post.published_at.timestamp()}")
"""


def start_varnish(processes, folder: Path, port: int, backend: str) -> str:
    """varnishd in the foreground on ``port``, our VCL pointed at ``backend``; its URL once it answers."""
    # varnishd drops to its own user to compile and serve: give it folders it may read.
    folder.parent.chmod(0o755)
    folder.mkdir(mode=0o755)
    vcl = folder / "blogsite.vcl"
    backend_port = backend.rsplit(":", 1)[1]
    vcl.write_text(re.sub(r'\.port = "\d+";', f'.port = "{backend_port}";', VCL.read_text(), count=1))
    vcl.chmod(0o644)
    command = ["varnishd", "-F", "-a", f"127.0.0.1:{port}", "-f", str(vcl), "-n", str(folder / "state")]
    process = processes.start("varnish", [*command, "-s", "malloc,64m"], {"PATH": "/usr/sbin:/usr/bin:/bin"})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"varnishd exited:\n{process.log_path.read_text()[-3000:]}")
        try:
            if Client(base).get("/healthz").status == 200:
                return base
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("varnishd did not answer within 30 s")


def shared(answer) -> str:
    return answer.headers.get("X-Shared-Cache", "")


def main(database_url, redis_url):
    with scratch_run(database_url, "varnish") as (work, processes):
        varnish_port = free_port()  # the site learns where to purge before varnishd starts
        env = site_env(database_url, redis_url, SHARED_CACHE_PURGE_URLS=f"http://127.0.0.1:{varnish_port}")
        manage(env, "migrate", "--noinput")
        seed_env = {**env, "SHARED_CACHE_PURGE_URLS": ""}  # nothing cached yet: no purges queued
        manage(seed_env, "shell", "-c", SETUP.replace("PASSWORD", repr(PASSWORD)))
        web = processes.web("web", env)
        run(processes, env, start_varnish(processes, work / "varnish", varnish_port, web))


def run(processes, env, base):
    worker = [PYTHON, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
    processes.start("worker", worker, env)
    log(f"varnish at {base}, in front of gunicorn")

    visitor = Client(base)
    seen = []
    for path in ("/", "/tags/beta/", "/posts/about-alpha/"):
        first, second = visitor.get(path), visitor.get(path)
        seen += [first, second]
        check(second.status == 200 and shared(second) == "hit", f"a second read of {path} is a Varnish hit")

    writer = Client(base)
    writer.sign_in("writer")
    page = writer.get("/")
    check(shared(page) == "pass" and "Sign out" in page.text, "a signed-in reader gets a page made for them")

    published = writer.post_form(
        "/dashboard/posts/new/",
        {"title": "Fresh through Varnish", "body": "New words.", "tags": "alpha", "action": "publish"},
    )
    check(published.status == 302, "the writer publishes a post through the dashboard")
    started = time.monotonic()
    while "Fresh through Varnish" not in (home := visitor.get("/")).text and time.monotonic() - started < 5:
        time.sleep(0.05)
    waited = time.monotonic() - started
    check(
        "Fresh through Varnish" in home.text and waited < 1.0,
        f"the post shows through Varnish in {waited:.2f} s",
    )
    check(shared(visitor.get("/tags/beta/")) == "hit", "the unrelated tag page stayed in Varnish")
    check("Fresh through Varnish" in visitor.get("/tags/alpha/").text, "the post's tag page shows it too")

    login = [visitor.get("/accounts/login/") for _ in range(2)]
    check(
        all(shared(a) != "hit" and a.headers.get("Set-Cookie") for a in login),
        "a page setting a cookie is never shared",
    )
    seen += [visitor.get(path) for path in ("/", "/tags/beta/", "/feed/", "/feed/")]
    hits = [a for a in seen if shared(a) == "hit"]
    check(
        hits and not any(a.headers.get("Set-Cookie") for a in hits),
        f"none of {len(hits)} cached answers sets a cookie",
    )
    check(not any("xkey" in a.headers for a in seen), "the surrogate keys stay between the site and Varnish")

    visitor.get("/")
    check(shared(visitor.get("/")) == "hit", "the home page is in Varnish before a post is scheduled")
    goes_live = float(re.search(r"GOES-LIVE=([\d.]+)", manage(env, "shell", "-c", SCHEDULE)).group(1))
    while "Scheduled through Varnish" not in (home := visitor.get("/")).text and time.time() < goes_live + 10:
        time.sleep(0.05)
    late = time.time() - goes_live
    check(
        "Scheduled through Varnish" in home.text and 0 <= late < 2,
        f"a post scheduled after the home page was cached shows through Varnish {late:.2f} s after its time",
    )

    smuggled = visitor.get("/tags/", headers={"SCRIPT_NAME": "/tags"})
    after = visitor.get("/tags/")
    check(
        "All tags" in after.text or ">Tags<" in after.text,
        "a SCRIPT_NAME header cannot make /tags/ the home page",
    )
    check(smuggled.status == 200, "and the smuggled request itself is answered as /tags/")


if __name__ == "__main__":
    main(*sys.argv[1:3])
    print("varnish: all checks passed")

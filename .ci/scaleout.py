"""Scale-out check: two web instances and two workers sharing one PostgreSQL and one Redis.

- A session made on one instance is valid on the other.
- A post published through one instance (the dashboard), or by a script on neither (the
  shell), shows on both at once: no instance serves a stale cached page.
- Two ``db_worker`` processes side by side run each queued e-mail exactly once.

Usage: ``.venv/bin/python .ci/scaleout.py DATABASE_URL REDIS_URL``. The database is created
afresh and dropped at the end; the cache keys get their own prefix.
"""

import json
import re
import sys
import time
from collections import Counter

from cluster import (
    PASSWORD,
    PYTHON,
    Client,
    check,
    log,
    manage,
    scratch_run,
    site_env,
)

SETUP = """
from accounts.models import Role, User
from posts.models import Post
for username, role in (("writer", Role.AUTHOR), ("other", Role.AUTHOR)):
    user = User(username=username, role=role, email=f"{username}@example.com")
    user.set_password(PASSWORD)
    user.save()
Post(title="First post", body="Hello.", author=User.objects.get(username="writer")).publish()
"""

PUBLISH_FROM_SHELL = """
from accounts.models import User
from posts.models import Post
Post(title="Published from a script", body="Words.", author=User.objects.get(username="other")).publish()
"""

ENQUEUE = """
from blogsite.tasks import deliver_email
for n in range({count}):
    deliver_email.enqueue(to=["reader@example.com"], subject=f"scale-out message {{n}}", body="Once only.")
"""

EMAILS = 60


def both_show(clients, title):
    """Each instance's anonymous home page, right away: does it list ``title``?"""
    answers = [client.get("/") for client in clients]
    return all(answer.status == 200 and title in answer.text for answer in answers), answers


def main(database_url, redis_url):
    with scratch_run(database_url, "scaleout") as (work, processes):
        mail_dir = work / "mail"
        mail_dir.mkdir()
        # django-environ reads the path after "filemail:///", so an absolute one needs a fourth slash.
        env = site_env(database_url, redis_url, EMAIL_URL=f"filemail:///{mail_dir}")
        run(processes, env, mail_dir)


def run(processes, env, mail_dir):
    started = time.monotonic()
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", SETUP.replace("PASSWORD", repr(PASSWORD)))
    log(f"database migrated and seeded in {time.monotonic() - started:.1f} s")

    one, two = processes.web("web-1", env), processes.web("web-2", env)
    log(f"two instances: {one} and {two}")

    # A session made on one instance is valid on the other.
    writer = Client(one)
    writer.sign_in("writer")
    on_two = Client(two, cookies=writer.cookies)
    dashboard = on_two.get("/dashboard/")
    check(
        dashboard.status == 200 and "First post" in dashboard.text, "the session made on web-1 works on web-2"
    )

    # Both instances serve the home page from the cache.
    visitors = [Client(one), Client(two)]
    for visitor in visitors:
        visitor.get("/")
    answers = [visitor.get("/") for visitor in visitors]
    check(all(a.headers.get("X-Cache") == "hit" for a in answers), "both instances serve / from the cache")

    # Publishing through web-1's dashboard shows on both at once.
    on_two.get("/dashboard/posts/new/")  # a CSRF token, through web-2 for good measure
    writer.cookies.update(on_two.cookies)
    published = writer.post_form(
        "/dashboard/posts/new/",
        {"title": "Published on web one", "body": "Fresh words.", "tags": "scale", "action": "publish"},
    )
    check(published.status == 302, "the writer publishes a post through web-1's dashboard")
    shown, answers = both_show(visitors, "Published on web one")
    check(shown, "the new post is on both instances' home pages at once")
    check(all(a.headers.get("X-Cache") == "miss" for a in answers), "neither served its stale cached page")

    # A write from outside both (a script) shows on both at once too.
    for visitor in visitors:
        visitor.get("/")
    manage(env, "shell", "-c", PUBLISH_FROM_SHELL)
    shown, _answers = both_show(visitors, "Published from a script")
    check(shown, "a post saved by a script is on both instances at once")

    # Two workers side by side run each task exactly once.
    manage(env, "shell", "-c", ENQUEUE.format(count=EMAILS))
    worker_command = [PYTHON, "manage.py", "db_worker", "--batch", "--no-reload", "--interval", "0.1"]
    workers = [
        processes.start(f"worker-{n}", [*worker_command, "--worker-id", f"worker-{n}"], env) for n in (1, 2)
    ]
    for worker in workers:
        check(worker.wait(timeout=90) == 0, f"{worker.name} emptied the queue and stopped")
    subjects = re.findall(r"^Subject: (scale-out message \d+)$", _read_all(mail_dir), re.MULTILINE)
    counts = Counter(subjects)
    check(
        len(counts) == EMAILS and set(counts.values()) == {1},
        f"each of the {EMAILS} queued e-mails was sent exactly once ({len(subjects)} sent)",
    )
    report = manage(
        env,
        "shell",
        "-c",
        "import json; from collections import Counter; from django_tasks_db.models import DBTaskResult as R; "
        "print(json.dumps({'per_worker': Counter(w for r in R.objects.all() for w in r.worker_ids), "
        "'unfinished': R.objects.exclude(status='SUCCESSFUL').count()}))",
    )
    report = json.loads(report.strip().splitlines()[-1])
    log(f"tasks run per worker: {report['per_worker']}")
    check(report["unfinished"] == 0, "every task finished successfully")
    check(sum(report["per_worker"].values()) == EMAILS, "each task was claimed by exactly one worker")


def _read_all(folder):
    return "".join(path.read_text() for path in sorted(folder.glob("*")))


if __name__ == "__main__":
    main(*sys.argv[1:3])
    print("scale-out: all checks passed")

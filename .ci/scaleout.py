"""Scale-out check: two web instances and two workers sharing one PostgreSQL and one Redis.

- A session made on one instance is valid on the other.
- A post published through one instance (the dashboard), or by a script on neither (the
  shell), shows on both at once: no instance serves a stale cached page.
- Two ``db_worker`` processes side by side run each queued e-mail exactly once.
- Images live in object storage (a local S3-compatible server, moto's): an image uploaded
  through one instance is read through the other, and a worker makes its renditions there.

Usage: ``.venv/bin/python .ci/scaleout.py DATABASE_URL REDIS_URL``. The database is created
afresh and dropped at the end; the cache keys get their own prefix.
"""

import io
import json
import os
import re
import secrets
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from cluster import (
    PASSWORD,
    PYTHON,
    Client,
    check,
    free_port,
    log,
    manage,
    scratch_run,
    site_env,
)
from PIL import Image

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
        storage = start_object_store(processes)
        env = site_env(database_url, redis_url, EMAIL_URL=f"filemail:///{mail_dir}", **storage)
        run(processes, env, mail_dir)


BUCKET = "blogsite-ci-media"
S3_KEYS = {"aws_access_key_id": "ci-key", "aws_secret_access_key": "ci-secret", "region_name": "us-east-1"}


def start_object_store(processes) -> dict:
    """moto's standalone S3 server on a free port, with an empty bucket; the site's settings for it."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = Path(PYTHON).with_name("moto_server")
    processes.start("s3", [str(server), "-H", "127.0.0.1", "-p", str(port)], dict(os.environ))
    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint, timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    boto3.client("s3", endpoint_url=endpoint, **S3_KEYS).create_bucket(Bucket=BUCKET)
    log(f"object storage at {endpoint}, bucket {BUCKET}")
    return {
        "MEDIA_S3_BUCKET": BUCKET,
        "MEDIA_S3_ENDPOINT_URL": endpoint,
        "MEDIA_S3_REGION": S3_KEYS["region_name"],
        "MEDIA_S3_ACCESS_KEY_ID": S3_KEYS["aws_access_key_id"],
        "MEDIA_S3_SECRET_ACCESS_KEY": S3_KEYS["aws_secret_access_key"],
    }


def multipart(fields: dict, name: str, filename: str, content: bytes, content_type: str):
    """A multipart/form-data body with some fields and one file, as a browser sends it."""
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
    )
    parts += [content, f"\r\n--{boundary}--\r\n".encode()]
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


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

    check_images(processes, env, one, two, worker_command)


def check_images(processes, env, one, two, worker_command):
    """An image uploaded through web-1 is stored in the bucket and read through web-2."""
    login = Client(one).request(
        "POST",
        "/api/auth/login",
        body=json.dumps({"username": "writer", "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    bearer = {"Authorization": f"Bearer {login.json()['token']}"}
    picture = io.BytesIO()
    Image.new("RGB", (1200, 800), (200, 60, 40)).save(picture, "PNG")
    body, content_type = multipart(
        {"alt": "A red card"}, "file", "card.jpg", picture.getvalue(), "image/jpeg"
    )
    created = Client(one).request(
        "POST", "/api/media", body=body, headers={**bearer, "Content-Type": content_type}
    )
    check(created.status == 201, f"an image is uploaded through web-1 ({created.status})")
    image = created.json()
    path = urlsplit(image["url"]).path

    s3 = boto3.client("s3", endpoint_url=env["MEDIA_S3_ENDPOINT_URL"], **S3_KEYS)
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    check(path.removeprefix("/media/") in keys, "the cleaned original is in the bucket")
    read = Client(two).get(path)
    check(
        read.status == 200
        and read.headers["Content-Type"] == "image/png"
        and read.body.startswith(b"\x89PNG"),
        "web-2 serves the image uploaded through web-1, as PNG (judged by content, not its name)",
    )
    check("immutable" in read.headers.get("Cache-Control", ""), "with a year of immutable caching")

    worker = processes.start("worker-media", [*worker_command, "--worker-id", "worker-media"], env)
    check(worker.wait(timeout=90) == 0, "a worker made the renditions and stopped")
    detail = Client(two).get(f"/api/media/{image['id']}", headers=bearer).json()
    check(detail["status"] == "ready" and len(detail["renditions"]) == 4, "web-2 lists the renditions")
    webp = next(r for r in detail["renditions"] if r["content_type"] == "image/webp")
    rendition = Client(one).get(urlsplit(webp["url"]).path)
    check(
        rendition.status == 200 and rendition.body[8:12] == b"WEBP",
        "web-1 serves a WebP rendition from the bucket",
    )


def _read_all(folder):
    return "".join(path.read_text() for path in sorted(folder.glob("*")))


if __name__ == "__main__":
    main(*sys.argv[1:3])
    print("scale-out: all checks passed")

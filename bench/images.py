"""How long an image takes to process, and how much memory it takes, in real processes.

``.venv/bin/python bench/images.py`` makes the pictures with Pillow, then for each one:
uploads it in a fresh Python process (what a web worker does in the upload request: judge,
decode, turn upright, re-encode), and runs a real ``manage.py db_worker --batch`` that makes
its renditions. Each process's peak memory is its own maximum resident set size, as the kernel
counts it (``wait4``'s ``ru_maxrss``); the worker's time is the task's own, from its result row.
It uses a scratch SQLite database and media folder, so it needs no server.
"""

import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PROCESS = """
import sys, time, django
django.setup()
from django.core.files import File
from accounts.models import User
from media.models import Image
owner = User.objects.get_or_create(username="bench", defaults={"role": "author"})[0]
started = time.perf_counter()
with open(sys.argv[1], "rb") as source:
    image = Image.objects.create_from_upload(File(source, name=sys.argv[1]), owner, alt="Benchmark")
print(image.pk, time.perf_counter() - started)
"""
PIXEL_LIMIT = """
import django
django.setup()
from django.conf import settings
print(settings.BLOG_MEDIA_MAX_PIXELS)
"""
TASK_SECONDS = """
import django
django.setup()
from django_tasks_db.models import DBTaskResult
result = DBTaskResult.objects.order_by("-enqueued_at").first()
print(result.status, (result.finished_at - result.started_at).total_seconds())
"""


def pictures(folder: Path, max_pixels: int) -> list[tuple[str, Path]]:
    """A 12-megapixel camera-like JPEG, and the largest images the site accepts (JPEG and RGBA PNG)."""
    from PIL import Image

    def photo(width, height, noise):
        grain = Image.effect_noise((width, height), noise).convert("RGB")
        light = Image.linear_gradient("L").resize((width, height)).convert("RGB")
        return Image.blend(grain, light, 0.5)

    made = []
    width = 4000
    twelve = photo(width, 3000, 64)
    path = folder / "12-megapixels.jpg"
    twelve.save(path, "JPEG", quality=90)
    made.append(("12 MP JPEG (4000x3000)", path))
    del twelve
    height = max_pixels // 8000
    big = photo(8000, height, 12)
    path = folder / "largest.jpg"
    big.save(path, "JPEG", quality=80)
    made.append((f"largest JPEG (8000x{height})", path))
    del big
    path = folder / "largest.png"
    out = io.BytesIO()
    Image.new("RGBA", (8000, height), (40, 90, 170, 200)).save(out, "PNG")
    path.write_bytes(out.getvalue())
    made.append((f"largest RGBA PNG (8000x{height})", path))
    return made


def run(command, env) -> tuple[str, float]:
    """Run a process to its end; its output and its peak resident memory in MB."""
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    _pid, status, usage = os.wait4(process.pid, 0)
    output = process.stdout.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command} failed:\n{output}")
    return output, usage.ru_maxrss / 1024


def main():
    work = Path(tempfile.mkdtemp(prefix="blogsite-bench-images-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "blogsite.settings",
        "SECRET_KEY": "bench-images-only",
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "MEDIA_ROOT": str(work / "uploads"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    max_pixels = int(run([PYTHON, "-c", PIXEL_LIMIT], env)[0])
    # Made in a process of their own: a child's peak memory counts its parent's at the fork.
    made = run([PYTHON, __file__, "make", str(work), str(max_pixels)], env)[0]
    rows = []
    for line in made.strip().splitlines():
        label, path = line.split("\t")
        path = Path(path)
        megabytes = path.stat().st_size / 1024 / 1024
        output, upload_mb = run([PYTHON, "-c", PROCESS, str(path)], env)
        _image_id, clean_seconds = output.split()
        started = time.perf_counter()
        _output, worker_mb = run([PYTHON, "manage.py", "db_worker", "--batch", "--no-reload"], env)
        wall = time.perf_counter() - started
        status, task_seconds = run([PYTHON, "-c", TASK_SECONDS], env)[0].split()
        rows.append(
            f"| {label}, {megabytes:.1f} MB | {float(clean_seconds):.2f} | {upload_mb:.0f} "
            f"| {float(task_seconds):.2f} ({status.lower()}) | {worker_mb:.0f} | {wall:.1f} |"
        )
    print(
        "| image | cleaned in the upload request, s | upload process peak MB "
        "| renditions in the worker, s | worker process peak MB | worker process wall time, s |"
    )
    print("|---|--:|--:|--:|--:|--:|")
    print("\n".join(rows))


if __name__ == "__main__":
    if sys.argv[1:2] == ["make"]:
        for label, path in pictures(Path(sys.argv[2]), int(sys.argv[3])):
            print(f"{label}\t{path}")
    else:
        main()

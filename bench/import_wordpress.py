"""Import benchmark (not run in CI): a generated WordPress export through import_wordpress.

    .venv/bin/python bench/import_wordpress.py --posts 10000             # the 60-second target
    .venv/bin/python bench/import_wordpress.py --posts 10000 --megabytes 200 --dry-run  # memory

Each run uses a fresh SQLite database in a temporary folder, or the database ``DATABASE_URL``
names (emptied first: give it one of its own), and prints the file's size, the wall time, the
importer's CPU time (the machine is shared: CPU time is the steadier figure) and its peak
memory (the child process's maximum resident set size). ``--profile FILE`` writes a cProfile
of the import.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench</title><link>https://bench.example.com</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:base_blog_url>https://bench.example.com</wp:base_blog_url>
"""
AUTHOR = (
    "<wp:author><wp:author_login>writer{n}</wp:author_login><wp:author_email>writer{n}@example.com"
    "</wp:author_email><wp:author_display_name>Writer {n}</wp:author_display_name></wp:author>\n"
)
PARAGRAPH = (
    "<!-- wp:paragraph -->\n<p>Paragraph {n} of a long post about <strong>lakes</strong>, "
    '<a href="https://example.org/{n}">links</a> and <em>code</em>: the quick brown fox jumps over '
    "the lazy dog, again and again, so that the body has some weight to it.</p>\n<!-- /wp:paragraph -->\n"
)
ITEM = """<item><title>Post number {n}: Grüße</title><link>https://bench.example.com/{y}/01/post-{n}/</link>
<dc:creator>writer{a}</dc:creator><content:encoded><![CDATA[{body}<!-- wp:code -->
<pre class="wp-block-code"><code class="language-python">print({n})</code></pre>
<!-- /wp:code -->]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>{n}</wp:post_id><wp:post_date>{y}-01-01 10:00:00</wp:post_date>
<wp:post_date_gmt>{y}-01-01 09:00:00</wp:post_date_gmt><wp:post_name>post-{n}</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:post_password></wp:post_password>
<category domain="category" nicename="topic-{t}"><![CDATA[Topic {t}]]></category>
<category domain="post_tag" nicename="tag-{a}"><![CDATA[Tag {a}]]></category></item>
"""


def generate(path: Path, posts: int, megabytes: float) -> None:
    per_post = int(megabytes * 1024 * 1024 / posts) if megabytes else 2000
    paragraphs = max(1, per_post // len(PARAGRAPH.format(n=0)))
    with path.open("w", encoding="utf-8") as f:
        f.write(HEAD)
        for n in range(20):
            f.write(AUTHOR.format(n=n))
        for n in range(1, posts + 1):
            body = "".join(PARAGRAPH.format(n=i) for i in range(paragraphs))
            f.write(ITEM.format(n=n, a=n % 20, t=n % 50, y=2000 + n % 24, body=body))
        f.write("</channel></rss>\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--megabytes", type=float, default=0, help="make the file about this big")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--profile", metavar="FILE", help="write the import's cProfile statistics here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export.xml"
        generate(export, args.posts, args.megabytes)
        database = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        env = {
            "SITE_URL": "https://bench.example.com",
            **os.environ,
            "SECRET_KEY": "bench",
            "DATABASE_URL": database,
        }
        env.pop("REDIS_URL", None)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*manage, "flush", "--noinput", "-v0"], env=env, check=True)
        profile = ["-m", "cProfile", "-o", args.profile] if args.profile else []
        command = [sys.executable, *profile, str(ROOT / "manage.py"), "import_wordpress", str(export)]
        command += ["--dry-run"] if args.dry_run else []
        started = time.monotonic()
        with open(Path(tmp) / "out.txt", "w+") as out:
            child = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(child.pid, 0)  # this process's own peak memory, not migrate's
            seconds = time.monotonic() - started
            out.seek(0)
            lines = out.read().splitlines()
        summary = next((line for line in lines if "import of" in line), "\n".join(lines[-5:]))
        print(f"file: {export.stat().st_size / 1024 / 1024:.1f} MB, {args.posts:,} posts")
        print(f"database: {database.split(':', 1)[0]}")
        print(f"time: {seconds:.1f} s{' (dry run)' if args.dry_run else ''}")
        print(f"CPU time of the importer: {usage.ru_utime + usage.ru_stime:.1f} s")
        print(f"peak memory of the importer: {usage.ru_maxrss / 1024:.0f} MB")
        print(summary)
        sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()

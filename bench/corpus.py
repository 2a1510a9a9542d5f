"""The benchmark's corpus: the same writers, tags and posts on every run, from a seeded generator.

    DATABASE_URL=postgres://… python bench/corpus.py load --posts 1000
    DATABASE_URL=postgres://… python bench/corpus.py describe

Post ``i`` is the same in every corpus size (its own seeded generator, published ``i``
steps before a fixed date), so a 100,000-post corpus holds the 1,000-post one as its newest
posts and the benchmark can compare the same pages at both sizes. The first ``POOL`` posts
go through ``Post.save()``, so their ``body_html``, summary, reading time and anything else
the model derives at save time are real; the saving is spread over a few processes. Past
``POOL``, a post has its own title, author, tags and date but the body of post
``i % POOL``, and copies what ``save()`` derived from that body: rendering 100,000 long
bodies would take the better part of an hour, and a copied body costs a reader's page
exactly what its original does. Their search vectors are computed by PostgreSQL from their
own title and body.

A writer with ``DASHBOARD_POSTS`` posts, none of them public, is the benchmark's signed-in
reader of the dashboard; the public corpus is the same with or without them.
"""

import argparse
import io
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.postgres.search import SearchVector  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils.text import slugify  # noqa: E402
from PIL import Image as PILImage  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from media.models import Image  # noqa: E402
from posts import search  # noqa: E402
from posts.models import Post, RelatedPost, Tag  # noqa: E402

SEED = 20261125
NEWEST = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
STEP = timedelta(hours=3)
WORDS_PER_BODY = 1500
POST_INDEX = 500  # the post page the benchmark reads, present in every corpus of 501+ posts
POOL = 1000  # posts saved through the model; later ones reuse these bodies
DASHBOARD_WRITER = ("zoe", "Zoe Adams")
DASHBOARD_POSTS = 100  # drafts, submissions and scheduled posts: none of them public

WRITERS = [
    ("asha", "Asha Rao"), ("ben", "Ben Okafor"), ("cai", "Cai Jones"), ("dana", "Dana Kowalski"),
    ("emeka", "Emeka Obi"), ("fatima", "Fatima Zahra"), ("goran", "Goran Petrović"),
    ("hana", "Hana Sato"), ("ivan", "Ivan Horvat"), ("jade", "Jade Nguyen"), ("kofi", "Kofi Mensah"),
    ("lena", "Lena Fischer"), ("mateo", "Mateo García"), ("nora", "Nora Lindqvist"),
    ("omar", "Omar Haddad"), ("priya", "Priya Nair"), ("quinn", "Quinn Murphy"),
    ("rosa", "Rosa Bianchi"), ("sven", "Sven Olsen"), ("tara", "Tara Singh"),
]  # fmt: skip

TAGS = [
    "python", "django", "postgres", "performance", "caching", "security", "testing", "deployment",
    "linux", "networking", "databases", "search", "accessibility", "css", "html", "javascript",
    "rust", "go", "docker", "kubernetes", "observability", "logging", "monitoring", "api-design",
    "rest", "graphql", "async", "concurrency", "memory", "profiling", "algorithms",
    "data-structures", "refactoring", "code-review", "open-source", "career", "teams",
    "writing", "design", "ux", "mobile", "web", "cloud", "storage", "backups", "migrations",
    "queues", "email", "i18n", "tooling",
]  # fmt: skip

# Ordered roughly by how often they appear: the generator draws them with Zipf-like weights.
WORD_TEXT = """
the of and to a in is that for it as with on this be are by we not or can from at an
when you but your if what our more one all will they have there their which so has than
data server query request page cache time code index user post database table process
memory worker test release change system file value version model view template field
response connection error result thread queue event network latency client search feed
build deploy review schema column row lock transaction plan scan join filter sort limit
offset key hash tree list set map string number date token session cookie header body
simple small fast slow large safe clear real careful boring steady quiet honest useful
read write measure profile count store render serve handle retry fail recover log trace
python django postgres redis gunicorn nginx linux kernel socket buffer pool backend
frontend browser style layout font colour image link anchor markdown html css script
first second third last next previous every each other same different whole only most
team reader writer editor author maintainer operator developer engineer person people
morning evening week month year decade minute second hour moment while during before after
because although however therefore instead perhaps usually rarely always never often
understand explain decide choose prefer avoid remember forget notice learn teach show
problem answer question idea habit rule pattern mistake lesson trade cost benefit risk
garden river mountain harbour forest library kitchen workshop station market village
"""
WORDS = WORD_TEXT.split()

# Each post is about a few of these: they are frequent in it and absent from most others, as
# a real blog's subjects are, so a search for one finds a few percent of the posts.
TOPIC_TEXT = """
allocator amplifier anomaly antenna archive asterisk autoscaler avalanche backpressure
balancer bandwidth barometer beacon benchmark bitmap blockchain bottleneck bracket breadcrumb
broker bytecode calendar canary capacitor carousel certificate changelog checksum circuit
classifier clipboard cluster codec collation compiler compressor concierge container contract
coroutine crawler cryptography cursor daemon dashboard deadlock debugger decoder deduplication
dependency descriptor dialect digest directory dispatcher distillery dongle downtime driver
elevator embedding emulator encoder encryption endpoint entropy escalator exporter extension
failover fermentation filesystem firewall firmware flamegraph flywheel formatter fragment
framework freezer gateway generator geometry glacier gradient grammar granary greenhouse
handshake harvester heartbeat heuristic histogram hologram hypervisor identifier importer
incident inference injector inspector installer integrator interpreter inventory invoice
iterator journal kerberos keyboard lantern lattice ledger lexer lighthouse linker locksmith
loudspeaker lumberjack macro mailbox mainframe manifest marshal matrix memoizer metronome
microphone middleware migration milestone mirror modem monolith multiplexer mutex namespace
navigator notebook notifier observatory odometer optimizer orchard orchestra outage overflow
packet paginator palette parachute parser partition password patchwork payload pendulum
permission persistence pipeline pixel planetarium playbook plugin pointer polymer postmortem
preprocessor printer profiler projector protocol prototype proxy publisher pulley quarantine
quaternion quorum radiator ranking reactor receipt recursion redirect refinery registry
regression replica repository resolver retention rollback router runbook runtime sandbox
satellite scaffold scheduler scraper semaphore sensor serializer shard sidecar signature
simulator sitemap snapshot spreadsheet spinnaker spreadsheet stacktrace staircase statistic
stopwatch subscriber supervisor switchboard symlink synthesizer tablespace telescope telemetry
template terminal thermostat throttle timestamp tokenizer toolchain tournament tracer tractor
transistor translator trebuchet tripwire turbine typewriter unicode uploader upstream validator
vaccine variable vector velocity viaduct vocabulary voltage wallet warehouse watchdog waterfall
webhook whistle windmill wireframe workbench wrapper yardstick zeppelin
"""
TOPICS = sorted(set(TOPIC_TEXT.split()) - set(WORDS))
TOPICS_PER_POST = 6

CODE = {
    "python": [
        "def {a}_{b}(items):",
        '    """Keep the {b} items that matter."""',
        "    return [item for item in items if item.{a}]",
        "",
        "for {a} in {b}_{c}({c}s):",
        "    print({a}.{b}, {a}.{c})",
        "cache.set(f'{a}:{{key}}', {b}, timeout=300)",
        "{a} = {{'{b}': {n}, '{c}': {m}}}",
    ],
    "sql": [
        "SELECT {a}, count(*) FROM {b}",
        "WHERE {c}_at > now() - interval '{n} days'",
        "GROUP BY {a} ORDER BY 2 DESC LIMIT {m};",
        "CREATE INDEX {a}_{b}_idx ON {c} ({a}, {b});",
        "EXPLAIN ANALYZE SELECT * FROM {a} WHERE {b} = {n};",
    ],
    "bash": [
        "export {A}_URL=postgres://127.0.0.1/{b}",
        "{a} --{b} {n} | sort | uniq -c",
        'for f in {b}/*.{c}; do wc -l "$f"; done',
        "curl -s http://127.0.0.1:8000/{a}/ | head -n {m}",
    ],
    "javascript": [
        "const {a} = await fetch('/api/{b}?page={n}');",
        "document.querySelectorAll('.{c}').forEach(el => el.hidden = {a});",
        "function {a}({b}) {{ return {b}.{c} ?? {n}; }}",
    ],
}
WORD_WEIGHTS = list(accumulate(1 / (rank + 8) for rank in range(len(WORDS))))


class Writer:
    """Draws words, sentences and blocks of Markdown from one seeded generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.words = 0
        self.topics = rng.sample(TOPICS, k=TOPICS_PER_POST)

    def word(self) -> str:
        if self.rng.random() < 0.04:
            return self.rng.choice(self.topics)
        return self.rng.choices(WORDS, cum_weights=WORD_WEIGHTS)[0]

    def phrase(self, lo: int, hi: int) -> str:
        n = self.rng.randint(lo, hi)
        self.words += n
        return " ".join(self.word() for _ in range(n))

    def sentence(self) -> str:
        parts = [self.phrase(4, 10)]
        roll = self.rng.random()
        if roll < 0.08:
            parts.append(f"**{self.phrase(1, 3)}**")
        elif roll < 0.14:
            parts.append(f"*{self.phrase(1, 3)}*")
        elif roll < 0.20:
            parts.append(f"`{self.word()}_{self.word()}()`")
        elif roll < 0.26:
            parts.append(f"[{self.phrase(1, 4)}](https://example.org/{self.word()}/{self.word()})")
        elif roll < 0.29:
            parts.append(f"[{self.phrase(1, 2)}](/tags/{self.rng.choice(TAGS)}/)")
        parts.append(self.phrase(3, 9))
        text = " ".join(parts)
        return text[0].upper() + text[1:] + self.rng.choice(".....?!")

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(3, 6)))

    def heading(self, level: int) -> str:
        return "#" * level + " " + self.phrase(2, 5).capitalize()

    def bullets(self, ordered: bool) -> str:
        items = [self.phrase(3, 12) for _ in range(self.rng.randint(3, 6))]
        return "\n".join(f"{n}. {item}" if ordered else f"- {item}" for n, item in enumerate(items, 1))

    def code(self) -> str:
        language = self.rng.choice(sorted(CODE))
        fill = {k: self.rng.choice(WORDS[40:200]) for k in "abc"}
        fill.update(A=fill["a"].upper(), n=self.rng.randint(1, 500), m=self.rng.randint(1, 50))
        lines = self.rng.sample(CODE[language], k=min(len(CODE[language]), self.rng.randint(3, 8)))
        self.words += 6 * len(lines)
        return f"```{language}\n" + "\n".join(line.format(**fill) for line in lines) + "\n```"

    def table(self) -> str:
        rows = ["| what | how often | note |", "|:-----|---------:|------|"]
        rows += [f"| {self.word()} | {self.rng.randint(1, 999)} | {self.phrase(2, 5)} |" for _ in range(4)]
        return "\n".join(rows)

    def quote(self) -> str:
        return "> " + self.sentence()

    def body(self) -> str:
        blocks = [self.paragraph()]
        while self.words < WORDS_PER_BODY:
            blocks.append(self.heading(2))
            blocks.extend(self.paragraph() for _ in range(self.rng.randint(1, 3)))
            for chance, make in (
                (0.45, lambda: self.bullets(ordered=False)),
                (0.25, lambda: self.bullets(ordered=True)),
                (0.55, self.code),
                (0.15, self.quote),
                (0.10, self.table),
                (0.30, lambda: self.heading(3) + "\n\n" + self.paragraph()),
            ):
                if self.rng.random() < chance:
                    blocks.append(make())
        return "\n\n".join(blocks) + "\n"


def post_spec(index: int, seed: int = SEED) -> dict:
    """Everything about post ``index`` except its title's uniqueness: the same on every run."""
    rng = random.Random(f"{seed}:post:{index}")
    writer = Writer(rng)
    title = f"{writer.phrase(2, 5)} {writer.topics[0]}".capitalize()
    tag_count = rng.choices([1, 2, 3, 4, 5], weights=[2, 4, 4, 2, 1])[0]
    tag_weights = [1 / (n + 3) for n in range(len(TAGS))]
    tags = sorted({rng.choices(range(len(TAGS)), weights=tag_weights)[0] for _ in range(tag_count)})
    return {
        "index": index,
        "title": title,
        "body": writer.body(),
        "author": rng.randrange(len(WRITERS)),
        "tags": tags,
        "published_at": NEWEST - index * STEP - timedelta(minutes=rng.randint(0, 170)),
    }


def copied_post_spec(index: int, seed: int = SEED) -> dict:
    """A post past ``POOL``: its own title, author, tags and date, the body of post ``index % POOL``.

    Its title is about that body, as every post's is: its subjects are the original's. A title
    drawn from subjects of its own would name one the body never mentions, and a search for two
    subjects would find posts no blog has (docs/decisions/0117).
    """
    rng = random.Random(f"{seed}:post:{index}")
    writer = Writer(rng)
    writer.topics = Writer(random.Random(f"{seed}:post:{index % POOL}")).topics
    title = f"{writer.phrase(2, 5)} {writer.topics[0]}".capitalize()
    tag_count = rng.choices([1, 2, 3, 4, 5], weights=[2, 4, 4, 2, 1])[0]
    tag_weights = [1 / (n + 3) for n in range(len(TAGS))]
    tags = sorted({rng.choices(range(len(TAGS)), weights=tag_weights)[0] for _ in range(tag_count)})
    return {
        "index": index,
        "title": title,
        "body_of": index % POOL,
        "author": rng.randrange(len(WRITERS)),
        "tags": tags,
        "published_at": NEWEST - index * STEP - timedelta(minutes=rng.randint(0, 170)),
    }


def post_specs(count: int, seed: int = SEED) -> list[dict]:
    """The corpus's posts, titles made unique in index order (so slugs never depend on timing)."""
    seen, specs = set(), []
    for index in range(count):
        spec = post_spec(index, seed) if index < POOL else copied_post_spec(index, seed)
        base, n = spec["title"], 1
        while slugify(spec["title"]) in seen:
            n += 1
            spec["title"] = f"{base}, part {n}"
        seen.add(slugify(spec["title"]))
        specs.append(spec)
    return specs


def _save_posts(job):
    """Save a chunk of posts through the model, in one transaction (runs in a worker process)."""
    specs, authors, tags = job
    with transaction.atomic():
        for spec in specs:
            post = Post(
                title=spec["title"],
                body=spec["body"],
                author_id=authors[spec["author"]],
                status=spec.get("status", Post.Status.PUBLISHED),
                published_at=spec["published_at"],
            )
            post.save()
            post.tags.set([tags[n] for n in spec["tags"]])
    return len(specs)


def _save_posts_in_worker(job):
    saved = _save_posts(job)
    connections.close_all()
    return saved


# What a copied post takes from its original: everything save() derived from the body.
OWN_FIELDS = {"id", "title", "slug", "author", "status", "published_at", "created_at", "updated_at"}
OWN_FIELDS |= {"search_vector"}


def _copy_posts(specs: list[dict], authors: list[int], tags: list[int]) -> int:
    """Posts past ``POOL``, inserted in bulk with the derived fields of the post whose body they share."""
    shared = [f.attname for f in Post._meta.concrete_fields if f.name not in OWN_FIELDS]
    originals = {}
    for row in Post.objects.filter(status=Post.Status.PUBLISHED).values("title", *shared):
        originals[row.pop("title")] = row
    pool_titles = {spec["index"]: spec["title"] for spec in post_specs(POOL)}
    through = Post.tags.through
    copied = 0
    for n in range(0, len(specs), 1000):
        batch = specs[n : n + 1000]
        with transaction.atomic():
            posts = Post.objects.bulk_create(
                Post(
                    title=spec["title"],
                    slug=slugify(spec["title"]),
                    author_id=authors[spec["author"]],
                    status=Post.Status.PUBLISHED,
                    published_at=spec["published_at"],
                    **originals[pool_titles[spec["body_of"]]],
                )
                for spec in batch
            )
            pairs = zip(posts, batch, strict=True)
            through.objects.bulk_create(
                through(post_id=post.pk, tag_id=tags[t]) for post, spec in pairs for t in spec["tags"]
            )
            if connections["default"].vendor == "postgresql":
                # posts/search.py's recipe, computed by PostgreSQL from each row's own columns.
                Post.objects.filter(pk__in=[p.pk for p in posts]).update(
                    search_vector=SearchVector("title", config=search.CONFIG, weight="A")
                    + SearchVector("body_html", config=search.CONFIG, weight="B")
                )
        copied += len(batch)
    if copied:
        RelatedPost.objects.retire_all()  # bulk inserts send no signals: rankings are made when read
    return copied


def dashboard_specs(seed: int = SEED) -> list[dict]:
    """The dashboard writer's posts: drafts, submissions and scheduled posts, none public."""
    specs = []
    for n in range(DASHBOARD_POSTS):
        writer = Writer(random.Random(f"{seed}:dashboard:{n}"))
        title = f"{writer.phrase(2, 5)} {writer.topics[0]} ({n + 1})".capitalize()
        # The dashboard never shows a body: a paragraph keeps loading quick.
        spec = {"title": title, "body": writer.paragraph(), "author": len(WRITERS), "tags": [n % 5]}
        kind = n % 10
        if kind < 6:
            spec["status"], spec["published_at"] = Post.Status.DRAFT, None
        elif kind < 8:
            spec["status"], spec["published_at"] = Post.Status.REVIEW, None
        else:
            spec["status"] = Post.Status.PUBLISHED
            spec["published_at"] = datetime(2099, 1, 1, tzinfo=UTC) + n * STEP
        specs.append(spec)
    return specs


def load(count: int, jobs: int, seed: int = SEED, *, dashboard: bool = True) -> None:
    """Create the writers, the tags and ``count`` posts (and the dashboard writer's) in an empty,
    migrated database."""
    if Post.objects.exists():
        raise SystemExit("The database already holds posts: the corpus is loaded only into an empty one.")
    started = time.monotonic()
    authors = []
    for username, name in [*WRITERS, DASHBOARD_WRITER]:
        user = User(
            username=username,
            display_name=name,
            email=f"{username}@example.org",
            role=Role.AUTHOR,
            bio=f"{name} writes about {', '.join(TAGS[len(authors) % 7 :: 9][:3])}.",
        )
        user.set_unusable_password()
        user.save()
        authors.append(user.pk)
    tags = []
    for name in TAGS:
        tag = Tag(name=name)
        tag.save()
        tags.append(tag.pk)
    specs = post_specs(count, seed)
    saved_specs = specs[:POOL] + (dashboard_specs(seed) if dashboard else [])
    chunks = [(saved_specs[n : n + 50], authors, tags) for n in range(0, len(saved_specs), 50)]
    if jobs == 1:
        saved = sum(map(_save_posts, chunks))
    else:
        connections.close_all()  # the workers open their own
        with get_context("fork").Pool(jobs) as pool:
            saved = sum(pool.imap_unordered(_save_posts_in_worker, chunks))
    saved += _copy_posts(specs[POOL:], authors, tags)
    took = time.monotonic() - started
    print(f"Loaded {len(authors)} writers, {len(TAGS)} tags, {saved} posts in {took:.0f} s.")


PICTURE_POST = "A walk in pictures"


def _picture(colour, size=(2400, 1600)) -> ContentFile:
    """A photo-like JPEG (a gradient with grain), made here: nothing is downloaded."""
    grain = PILImage.effect_noise(size, 24).convert("RGB")
    light = PILImage.linear_gradient("L").resize(size).convert("RGB")
    tint = PILImage.new("RGB", size, colour)
    out = io.BytesIO()
    PILImage.blend(PILImage.blend(grain, light, 0.5), tint, 0.3).save(out, "JPEG", quality=85)
    return ContentFile(out.getvalue(), name=f"walk-{colour[0]}.jpg")


def picture_post() -> None:
    """A post with a cover and three inline library images, renditions made (as the worker would)."""
    owner = User.objects.get(username=WRITERS[0][0])
    colours = [(200, 120, 60), (60, 140, 90), (70, 90, 180), (160, 60, 140)]
    pictures = [
        Image.objects.create_from_upload(_picture(c), owner, alt=f"A hillside, tinted {c}") for c in colours
    ]
    for picture in pictures:
        picture.make_renditions()
    paragraphs = "\n\n".join(
        f"The path climbs again.\n\n![{picture.alt}]({picture.url})" for picture in pictures[1:]
    )
    post = Post(title=PICTURE_POST, author=owner, body=f"We set out early.\n\n{paragraphs}\n\nHome by dark.")
    post.cover = pictures[0]
    post.publish(at=datetime(2026, 1, 1, tzinfo=UTC))


def sign_in(username: str) -> str:
    """The cookies of ``username``'s browser once signed in (``name=value; name=value``), for the
    benchmark's signed-in pages: the session, and the CSRF cookie its first page set. Without
    the latter, every page would make the browser a new one, as no signed-in browser asks."""
    client = Client(HTTP_HOST="127.0.0.1")  # the host the benchmark's servers answer to
    client.force_login(User.objects.get(username=username))
    client.get(reverse("posts:dashboard"))
    names = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
    return "; ".join(f"{name}={client.cookies[name].value}" for name in names)


def search_queries(seed: int = SEED) -> list[str]:
    """Queries a reader might type: mostly one subject, sometimes two, sometimes a subject and a
    common word; each subject is in a few percent of the posts."""
    rng = random.Random(f"{seed}:search")
    common = [w for w in WORDS[40:200] if len(w) > 3]
    queries = []
    for _ in range(64):
        kind = rng.random()
        if kind < 0.6:
            queries.append(rng.choice(TOPICS))
        elif kind < 0.8:
            queries.append(" ".join(rng.sample(TOPICS, k=2)))
        else:
            queries.append(f"{rng.choice(TOPICS)} {rng.choice(common)}")
    return queries


def describe(seed: int = SEED) -> dict:
    """The pages the benchmark reads in this database, found by what the corpus made them."""
    count = Post.objects.public().exclude(title=PICTURE_POST).count()  # the corpus itself
    index = min(POST_INDEX, count - 1)
    post = Post.objects.get(title=post_specs(index + 1, seed)[index]["title"])
    busiest_tag = Tag.objects.get(name=TAGS[0])
    return {
        "posts": count,
        "post_id": post.pk,
        "post_slug": post.slug,
        "tag_slug": busiest_tag.slug,
        "author": WRITERS[0][0],
        "search_query": TOPICS[0],
        "search_queries": search_queries(seed),
        "dashboard_writer": DASHBOARD_WRITER[0],
        "picture_post_slug": Post.objects.filter(title=PICTURE_POST).values_list("slug", flat=True).first(),
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    load_cmd = sub.add_parser("load", help="load the corpus into an empty, migrated database")
    load_cmd.add_argument("--posts", type=int, default=1000)
    load_cmd.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    sub.add_parser("describe", help="print the URLs' parameters as JSON")
    sub.add_parser("pictures", help="add a post with a cover and three inline images")
    sign_in_cmd = sub.add_parser("sign-in", help="print a session cookie of a writer")
    sign_in_cmd.add_argument("username")
    args = parser.parse_args()
    if args.command == "load":
        load(args.posts, args.jobs)
    elif args.command == "pictures":
        picture_post()
    elif args.command == "sign-in":
        print(sign_in(args.username))
    else:
        print(json.dumps(describe()))


if __name__ == "__main__":
    main()

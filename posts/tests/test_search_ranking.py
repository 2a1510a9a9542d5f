"""Search puts the best matches first on each of its paths, and counts at most MAX_COUNTED.

On PostgreSQL results come best first from the RUM index where the server has the extension
(.ci/run installs it on a local server), and are ranked by ``ts_rank`` through GIN where it
has not; on SQLite title matches come first. These run on whichever database DATABASE_URL
points at; CI runs both.
"""

import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from posts import search
from posts.models import Post

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's ranking")

# Title and body, title alone, the body three times, the body once: best first.
RANKED = ["Zebra crossing", "Zebra", "Stripes", "Savannah"]


@pytest.fixture
def zebra_posts(author, make_post):
    """Four posts about zebras, the best match oldest, so an order by date would be wrong."""
    now = timezone.now()
    for hours, title in enumerate(RANKED, start=1):
        body = {
            "Zebra crossing": "A zebra on the road.",
            "Zebra": "Nothing else here.",
            "Stripes": "A zebra, another zebra and a third zebra.",
            "Savannah": "Grass for miles, and a zebra.",
        }[title]
        make_post(author, title, body=body, published_at=now - timedelta(days=10 - hours))


@pytest.fixture
def rum(db):
    """The RUM path, wherever the PostgreSQL server has the extension (.ci/run installs it locally)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        if cursor.fetchone() is None:
            pytest.skip("This PostgreSQL server has no RUM extension.")
    assert search.learn_search_index(connection.alias).rum, "migration 0016 made no RUM index"


@pytest.fixture
def gin_only(monkeypatch):
    """The GIN path, as on a PostgreSQL without the RUM extension."""
    monkeypatch.setattr(search, "ranks_by_rum_index", lambda using: False)


def titles(queryset):
    return [post.title for post in queryset]


@postgres_only
def test_it_ranks_best_first_from_the_rum_index(zebra_posts, rum):
    results = Post.objects.public().search("zebra")
    assert titles(results) == RANKED
    sql = str(results.query)
    assert " <=> " in sql and "ts_rank" not in sql


@postgres_only
def test_the_rum_index_gives_the_order_without_sorting_every_match(zebra_posts, rum):
    sql, params = Post.objects.public().search("zebra")[:10].query.sql_with_params()
    with connection.cursor() as cursor:
        # Four posts are cheaper to sort than to read through any index: rule sorting out, and
        # see whether the index alone can give the order (with a second sort key it cannot).
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using post_search_rum_idx" in plan, plan
    assert "Order By" in plan and "Sort" not in plan.replace("Order By", "")


@postgres_only
def test_without_rum_it_ranks_every_match_with_ts_rank(zebra_posts, gin_only):
    results = Post.objects.public().search("zebra")
    assert titles(results) == RANKED
    sql = str(results.query)
    assert "ts_rank" in sql and "<=>" not in sql


@postgres_only
def test_without_rum_the_page_still_shows_ranked_results(client, zebra_posts, gin_only):
    content = client.get("/search/", {"q": "zebra"}).content.decode()
    assert "4 posts found for “zebra”" in content
    assert [content.index(f">{title}</a>") for title in RANKED] == sorted(
        content.index(f">{title}</a>") for title in RANKED
    )


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's fallback")
def test_without_postgres_title_matches_come_first_then_the_newest(zebra_posts):
    assert titles(Post.objects.public().search("zebra")) == ["Zebra", "Zebra crossing", "Savannah", "Stripes"]


def test_the_page_counts_at_most_max_counted_matches(client, author, make_post, monkeypatch):
    monkeypatch.setattr(search, "MAX_COUNTED", 3)
    for n in range(5):
        make_post(author, f"Zebra {n}", body="Stripes.")
    content = client.get("/search/", {"q": "zebra"}).content.decode()
    assert "More than 3 posts found for “zebra”: the best 3 are shown, page 1 of 1." in content
    assert content.count('class="card"') == 3


def test_the_page_counts_exactly_up_to_max_counted(client, author, make_post, monkeypatch):
    monkeypatch.setattr(search, "MAX_COUNTED", 3)
    for n in range(3):
        make_post(author, f"Zebra {n}", body="Stripes.")
    content = client.get("/search/", {"q": "zebra"}).content.decode()
    assert "3 posts found for “zebra”." in content
    assert "More than" not in content


def test_a_page_past_the_counted_matches_shows_the_last_one(client, author, make_post, monkeypatch):
    monkeypatch.setattr(search, "MAX_COUNTED", 10)
    for n in range(12):
        make_post(author, f"Zebra {n}", body="Stripes.")
    content = client.get("/search/", {"q": "zebra", "page": 2}).content.decode()
    assert "More than 10 posts found for “zebra”: the best 10 are shown, page 1 of 1." in content


class _Server:
    """What migration 0016 sees of a PostgreSQL server: rum's installed version (False: no rum),
    and whether the migrating user may create extensions; it records the statements run."""

    vendor, alias = "postgresql", "default"

    def __init__(self, rum_version, *, superuser=True):
        self.rum_version, self.superuser, self.executed = rum_version, superuser, []

    def cursor(self):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def fetchone(self):
        return None if self.rum_version is False else (self.rum_version,)

    def execute(self, sql, params=None):
        if sql.startswith("CREATE EXTENSION") and not self.superuser:
            raise DatabaseError("permission denied to create extension")
        if not sql.startswith("SELECT"):
            self.executed.append(sql.split(" ON ")[0])


def _migrate(server, monkeypatch):
    migration = importlib.import_module("posts.migrations.0016_search_ranked_by_rum_index")
    monkeypatch.setattr(migration, "transaction", SimpleNamespace(atomic=lambda using: server))
    migration.rum_index(None, SimpleNamespace(connection=server, execute=server.execute))
    return server.executed


def test_the_migration_makes_the_rum_index_where_it_can(monkeypatch):
    assert _migrate(_Server(None), monkeypatch) == [
        "CREATE EXTENSION IF NOT EXISTS rum",
        "CREATE INDEX IF NOT EXISTS post_search_rum_idx",
    ]
    assert _migrate(_Server("1.3"), monkeypatch) == ["CREATE INDEX IF NOT EXISTS post_search_rum_idx"]


def test_the_migration_leaves_search_on_gin_without_rum_or_the_right_to_add_it(monkeypatch):
    assert _migrate(_Server(False), monkeypatch) == []
    assert _migrate(_Server(None, superuser=False), monkeypatch) == []

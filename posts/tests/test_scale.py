"""At scale: no public page's SQL reads the whole posts table to find its rows, and no page's
query count grows.

A generated corpus of 20,000 posts (copies of one saved post, with their own titles, dates
and tags, inserted by the database) is analysed, so PostgreSQL plans as it would for a big
blog; then every query of each page is explained. Only on PostgreSQL: it is its plans that
production runs. The sitemap's pages of posts list everything by nature and are left out.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from posts import search
from posts.models import Post, RelatedPost, Tag

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plans"),
]

POSTS = 20_000
TAGS = 20


@pytest.fixture
def big_blog(author, make_post, monkeypatch):
    """20,000 public posts by one author, each with two of 20 tags (each tag on a tenth)."""
    tags = Tag.from_names([f"topic-{n}" for n in range(TAGS)])
    template = make_post(author, "A post about databases", body="Tuning **postgres** for reads.", tags=[])
    table, through = Post._meta.db_table, Post.tags.through._meta.db_table
    own = {
        "title": "t.title || ' ' || g",
        "slug": "t.slug || '-' || g",
        "published_at": "t.published_at - g * interval '1 hour'",
    }
    columns = [f.column for f in Post._meta.concrete_fields if not f.primary_key]
    values = [own.get(column, f"t.{column}") for column in columns]
    first_tag = min(tag.pk for tag in tags)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
            f"FROM {table} t CROSS JOIN generate_series(1, %s) g WHERE t.id = %s",
            [POSTS, template.pk],
        )
        cursor.execute(
            f"INSERT INTO {through} (post_id, tag_id) SELECT p.id, %s + (p.id + k) %% %s "
            f"FROM {table} p CROSS JOIN (VALUES (0), (7)) AS pair(k)",
            [first_tag, TAGS],
        )
        # One post in a hundred is about zeppelins: a search a reader might make.
        cursor.execute(
            f"UPDATE {table} SET search_vector = search_vector || to_tsvector('english', 'zeppelin') "
            "WHERE id % 100 = 0"
        )
        cursor.execute(f"ANALYZE {table}; ANALYZE {through}")
    # Search learns its common words ("postgres", in every post) as a worker does when it starts.
    monkeypatch.setitem(search._search_index, connection.alias, search.search_index(connection.alias))
    assert search.ranks_newest_matches("postgres", search.learn_search_index(connection.alias).common)
    RelatedPost.objects.retire_all()  # rows inserted behind the model's back
    return Post.objects.public().order_by("-published_at")[POSTS // 2]


def pages(post, author):
    tag = post.tags.first()
    return {
        "/": 1,
        "/?page=1500": 1,  # deep: its count is kept with the list's anchors
        post.get_absolute_url(): 2,
        tag.get_absolute_url(): 2,
        f"{tag.get_absolute_url()}?page=150": 2,  # deep in a tag's 2,000 posts, from its anchors
        author.get_absolute_url(): 2,
        f"{author.get_absolute_url()}?page=1500": 2,
        "/api/posts": 1,
        "/api/posts?page=1500": 1,
        f"/api/posts?tag={tag.slug}": 2,  # the tag's id by its slug, then as a tag's page
        f"/api/posts?tag={tag.slug}&page=150": 2,  # deep: from the tag's anchors
        f"/api/posts?author={author.username}&page=1500": 2,
        "/api/users": 2,
        f"/api/users/{author.pk}": 1,
        "/feed/": None,
        f"{tag.get_absolute_url()}feed/": 3,
        "/tags/": 1,  # every tag, counted from the kept counts
        "/sitemap.xml": 7,  # each section's lastmod and count (the posts' kept)
        "/sitemap-tags.xml": 2,
        "/sitemap-authors.xml": 2,
        "/search/?q=zeppelin": None,
        "/search/?q=postgres": None,  # in every post: its newest matches are ranked
    }


def table_scans(sql: str) -> list[str]:
    """The plan nodes of ``sql`` that read the posts table from end to end, the statements of the
    functions it calls included (the search page's cards, migration 0019)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    plans = [plan[0]["Plan"] if isinstance(plan, list) else plan]
    if "posts_search_cards(" in sql:
        plans += nested_plans(sql)
    found, stack = [], plans
    while stack:
        node = stack.pop()
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") == Post._meta.db_table:
            found.append(sql[:200])
        stack.extend(node.get("Plans", []))
    return found


def nested_plans(sql: str) -> list[dict]:
    """The plans of the statements ``sql`` runs inside the functions it calls, as PostgreSQL's
    auto_explain reports them when it runs (EXPLAIN shows a function's call, not its statement)."""
    notices = []

    def keep(notice):  # a notice is readable only while it is handled
        notices.append(notice.message_primary)

    connection.connection.add_notice_handler(keep)
    settings = {"log_min_duration": "0", "log_nested_statements": "on"}
    settings |= {"log_format": "json", "log_level": "notice"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("LOAD 'auto_explain'")
            for name, value in settings.items():
                cursor.execute(f"SET LOCAL auto_explain.{name} = '{value}'")
            cursor.execute(sql)
            for name in settings:
                cursor.execute(f"RESET auto_explain.{name}")
    finally:
        connection.connection.remove_notice_handler(keep)
    plans = [json.loads(notice.split("plan:", 1)[1])["Plan"] for notice in notices]
    assert len(plans) == 2, "the function's statement and the page's"
    return plans


@pytest.fixture(autouse=True)
def pages_rendered_afresh(settings):
    """The page cache keeps no page, while what pages are made from stays kept."""
    settings.PAGE_CACHE_SECONDS = 0


def queries_of(client, url, *, first_read=False) -> list[str]:
    """The SQL of a page rendered afresh, after a first read (which makes a post's related-posts
    ranking, and finds where a deep page starts); with ``first_read``, that read's SQL too."""
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    queries = (first.captured_queries if first_read else []) + captured.captured_queries
    return [query["sql"] for query in queries]


def test_no_public_page_reads_the_whole_posts_table(client, big_blog, author):
    for url in pages(big_blog, author):
        queries = queries_of(client, url, first_read=True)
        assert queries, url
        assert [scan for sql in queries for scan in table_scans(sql)] == [], url


def test_pages_run_as_many_queries_at_20000_posts_as_at_a_handful(client, big_blog, author):
    for url, count in pages(big_blog, author).items():
        if count is not None:
            assert len(queries_of(client, url)) == count, url

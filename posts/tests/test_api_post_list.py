from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from posts import api
from posts.models import Post, Tag

from .api_helpers import assert_problem, bearer

pytestmark = pytest.mark.django_db


def titles(response):
    assert response.status_code == 200, response.content
    return [post["title"] for post in response.json()["results"]]


def test_it_lists_public_posts_newest_first(client, author, make_post):
    make_post(author, "Older", published_at=timezone.now() - timedelta(days=2))
    make_post(author, "Newer")
    make_post(author, "Draft", status=Post.Status.DRAFT)
    make_post(author, "Scheduled", published_at=timezone.now() + timedelta(days=1))
    response = client.get("/api/posts")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert titles(response) == ["Newer", "Older"]
    assert response.json()["count"] == 2


def test_it_shows_the_list_shape_without_bodies(client, author, make_post):
    make_post(author, "Tagged", body="Hello *world*", tags=["Django", "Postgres"])
    [post] = client.get("/api/posts").json()["results"]
    assert post["url"] == "http://testserver/posts/tagged/"
    assert post["status"] == "published"
    assert post["tags"] == ["Django", "Postgres"]
    assert post["author"] == {
        "id": author.pk,
        "username": "asha",
        "display_name": "Asha Author",
        "url": "http://testserver/authors/asha/",
    }
    assert post["excerpt"] == "Hello world"
    published = Post.objects.get().published_at
    assert post["published_at"] == published.isoformat().replace("+00:00", "Z")  # as stored
    assert "body" not in post and "body_html" not in post and "snippet" not in post
    assert "email" not in post["author"]


def test_it_pages_with_absolute_next_and_previous_links(client, author, make_post):
    for n in range(5):
        make_post(author, f"Post {n}", published_at=timezone.now() - timedelta(hours=n + 1))
    page = client.get("/api/posts?page=2&page_size=2").json()
    assert [p["title"] for p in page["results"]] == ["Post 2", "Post 3"]
    assert page["count"] == 5
    assert page["next"] == "http://testserver/api/posts?page=3&page_size=2"
    assert page["previous"] == "http://testserver/api/posts?page=1&page_size=2"
    last = client.get(page["next"]).json()
    assert last["next"] is None and len(last["results"]) == 1
    assert client.get("/api/posts?page=9").json()["results"] == []


def test_a_public_list_shows_each_change_to_what_it_remembered(
    client, author, make_post, settings, monkeypatch
):
    """Each post of a public list is written once for all it shows (docs/decisions/0109): read
    again, nothing is written; a change to the post, its tags or its writer is written anew."""
    settings.PAGE_CACHE_SECONDS = 0
    post = make_post(author, "First title", tags=["Django"])
    make_post(author, "Another")
    assert titles(client.get("/api/posts")) == ["Another", "First title"]
    written, write = [], api.written

    def counted(request, schema, data, **options):
        written.append(data["title"])
        return write(request, schema, data, **options)

    monkeypatch.setattr(api, "written", counted)

    assert titles(client.get("/api/posts")) == ["Another", "First title"]
    assert titles(client.get("/api/posts?author=asha")) == ["Another", "First title"]
    assert written == []
    post.title = "Second title"
    post.save()
    assert titles(client.get("/api/posts")) == ["Another", "Second title"]
    assert written == ["Second title"]
    tag = Tag.objects.get(slug="django")
    tag.name = "Djangonauts"  # the post's own columns unchanged
    tag.save()
    [listed] = client.get("/api/posts?tag=django").json()["results"]
    assert listed["tags"] == ["Djangonauts"]
    author.display_name = "Asha R."
    author.save()
    names = {item["author"]["display_name"] for item in client.get("/api/posts").json()["results"]}
    assert names == {"Asha R."}
    assert sorted(written) == ["Another", "Second title", "Second title", "Second title"]


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=x", "page_size=0", "page_size=101", "status=gone", "mine=perhaps", "author=%00"],
)
def test_it_refuses_unknown_query_values(client, query):
    problem = assert_problem(client.get(f"/api/posts?{query}"), 400)
    assert problem["errors"]


def test_it_filters_by_tag_and_author(client, author, other_author, make_post):
    make_post(author, "Asha on Django", tags=["django"])
    make_post(other_author, "Ben on Django", tags=["django"])
    make_post(author, "Asha on SQL", tags=["sql"])
    assert titles(client.get("/api/posts?tag=django&author=asha")) == ["Asha on Django"]
    assert titles(client.get("/api/posts?author=nobody")) == []


def test_it_lists_the_callers_own_posts_by_status(client, author, other_author, make_post):
    make_post(author, "My draft", status=Post.Status.DRAFT)
    make_post(author, "My post")
    make_post(author, "My scheduled", published_at=timezone.now() + timedelta(days=1))
    make_post(other_author, "Ben's draft", status=Post.Status.DRAFT)
    assert titles(client.get("/api/posts?status=draft", **bearer(author))) == ["My draft"]
    assert titles(client.get("/api/posts?status=scheduled", **bearer(author))) == ["My scheduled"]
    assert titles(client.get("/api/posts?status=published", **bearer(author))) == ["My post"]
    assert sorted(titles(client.get("/api/posts?mine=true", **bearer(author)))) == [
        "My draft",
        "My post",
        "My scheduled",
    ]


def test_editors_filter_everyones_posts_by_status(client, author, editor, make_post):
    make_post(author, "Asha's review", status=Post.Status.REVIEW)
    assert titles(client.get("/api/posts?status=review", **bearer(editor))) == ["Asha's review"]


@pytest.mark.parametrize(
    "query",
    [
        "status=draft",
        "status=review",
        "status=scheduled",
        "mine=true&author=asha",
        "author=asha",
        "tag=secret",
    ],
)
def test_drafts_of_others_never_show_through_any_filter(client, author, other_author, make_post, query):
    make_post(author, "Secret draft", status=Post.Status.DRAFT, tags=["secret"])
    make_post(author, "Secret review", status=Post.Status.REVIEW, tags=["secret"])
    make_post(author, "Secret scheduled", published_at=timezone.now() + timedelta(days=1), tags=["secret"])
    for caller in ({}, bearer(other_author)):
        response = client.get(f"/api/posts?{query}", **caller)
        if response.status_code == 401 and not caller:
            continue  # ?mine=true asks a visitor to sign in
        found = titles(response)
        assert not [title for title in found if title.startswith("Secret")], (query, found)


def test_status_is_ignored_for_anonymous_callers(client, author, make_post):
    make_post(author, "Draft", status=Post.Status.DRAFT)
    make_post(author, "Public")
    assert titles(client.get("/api/posts?status=draft")) == ["Public"]


def test_mine_needs_a_signed_in_caller(client):
    response = client.get("/api/posts?mine=true")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_bad_token_is_refused_even_where_visitors_are_welcome(client):
    response = client.get("/api/posts", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def count_queries(client, path, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **headers)
    assert response.status_code == 200
    return len(queries)


def test_it_runs_the_same_queries_for_5_or_50_posts(client, author, other_author, make_post):
    for n in range(5):
        make_post(author if n % 2 else other_author, f"Post {n}", tags=["a", "b"])
    # The page's posts with their authors and tags, and the list's kept count (docs/decisions/0101).
    assert count_queries(client, "/api/posts?page_size=100") == 1
    for n in range(45):
        make_post(author if n % 2 else other_author, f"More {n}", tags=["a", "c"])
    assert count_queries(client, "/api/posts?page_size=100") == 1
    # Past the end: the page (empty), then the count alone.
    assert count_queries(client, "/api/posts?page=99") == 2
    # A tag's list: its kept count, then its page.
    assert count_queries(client, "/api/posts?tag=a") == 2
    # Signed in by token: the caller's user row, then the same three.
    assert count_queries(client, "/api/posts?page_size=100&mine=true", **bearer(author)) == 4


def test_anonymous_reads_are_rate_limited_per_address(client, make_post, author, settings):
    settings.BLOG_ANONYMOUS_READS_PER_MINUTE = 3
    for _ in range(3):
        assert client.get("/api/posts").status_code == 200
    response = client.get("/api/posts")
    assert_problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60
    assert client.get("/api/posts", REMOTE_ADDR="10.0.0.2").status_code == 200  # another address
    assert client.get("/api/posts", **bearer(author)).status_code == 200  # signed-in reads are not limited

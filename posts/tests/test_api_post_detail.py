from datetime import timedelta

import pytest
from django.utils import timezone

from posts.models import Post

from .api_helpers import assert_problem, bearer

pytestmark = pytest.mark.django_db


def test_it_shows_a_public_post_to_anyone(client, author, make_post):
    post = make_post(author, "Hello", body="# Title\n\nSome *text*.", tags=["intro"])
    response = client.get(f"/api/posts/{post.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == post.pk
    assert data["body"] == "# Title\n\nSome *text*."
    assert "<em>text</em>" in data["body_html"]
    assert data["tags"] == ["intro"]
    assert data["reading_time_minutes"] == 1
    assert set(data) == {
        "id", "title", "slug", "url", "status", "author", "tags", "excerpt", "body", "body_html",
        "reading_time_minutes", "published_at", "created_at", "updated_at", "cover",
    }  # fmt: skip


@pytest.mark.parametrize(
    "status, published_at",
    [
        (Post.Status.DRAFT, None),
        (Post.Status.REVIEW, None),
        (Post.Status.PUBLISHED, timezone.now() + timedelta(days=1)),
    ],
)
def test_unpublished_posts_of_others_are_not_found(
    client, author, other_author, make_post, status, published_at
):
    post = make_post(author, "Hidden", status=status, published_at=published_at)
    for caller in ({}, bearer(other_author)):
        problem = assert_problem(client.get(f"/api/posts/{post.pk}", **caller), 404)
        assert problem["detail"] == f"No post with id {post.pk}."


def test_writers_and_editors_see_unpublished_posts(client, author, editor, make_post):
    post = make_post(author, "Mine", status=Post.Status.DRAFT)
    assert client.get(f"/api/posts/{post.pk}", **bearer(author)).json()["status"] == "draft"
    assert client.get(f"/api/posts/{post.pk}", **bearer(editor)).status_code == 200
    client.force_login(author)  # the session works as well as a token
    assert client.get(f"/api/posts/{post.pk}").status_code == 200


def test_a_scheduled_post_says_scheduled(client, author, make_post):
    post = make_post(author, "Soon", published_at=timezone.now() + timedelta(days=1))
    assert client.get(f"/api/posts/{post.pk}", **bearer(author)).json()["status"] == "scheduled"


def test_it_answers_304_while_the_etag_still_matches(client, author, make_post):
    post = make_post(author, "Cached")
    response = client.get(f"/api/posts/{post.pk}")
    etag = response["ETag"]
    assert etag.startswith('"')
    fresh = client.get(f"/api/posts/{post.pk}", HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 304
    assert fresh["ETag"] == etag
    assert fresh.content == b""
    post.title = "Changed"
    post.save()
    changed = client.get(f"/api/posts/{post.pk}", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_a_missing_post_is_a_problem(client):
    problem = assert_problem(client.get("/api/posts/999999"), 404)
    assert problem == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No post with id 999999.",
    }

"""HEAD under the API prefix answers as GET would, without the body (it answered 405)."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_answers_head_like_get_without_a_body(client, author, make_post):
    post = make_post(author, "Hello")
    for path in ("/api/posts", f"/api/posts/{post.pk}", "/api/users", "/api/openapi.json"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b""
        assert head["Content-Type"] == got["Content-Type"]
        assert head["Content-Length"] == str(len(got.content))
    assert client.head(f"/api/posts/{post.pk}")["ETag"] == client.get(f"/api/posts/{post.pk}")["ETag"]


def test_it_answers_head_for_a_missing_post_with_a_404(client):
    response = client.head("/api/posts/999")
    assert response.status_code == 404
    assert response.content == b""

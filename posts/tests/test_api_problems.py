"""Every error under /api/ is an RFC 9457 problem, whoever raised it (see API.md, Errors)."""

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

from posts.models import Post

from .api_helpers import assert_problem, bearer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/nothing-here", "/api/posts/", "/api/posts/abc", "/api/"])
def test_unknown_api_paths_are_404_problems(client, path):
    assert_problem(client.get(path), 404)


def test_a_method_a_path_does_not_allow_is_a_405_problem_with_allow(client, author):
    response = client.delete("/api/posts", **bearer(author))
    assert_problem(response, 405)
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_malformed_json_is_a_400_problem(client, author):
    response = client.post("/api/posts", "{not json", content_type="application/json", **bearer(author))
    assert assert_problem(response, 400)["detail"] == "Cannot parse request body"


def test_a_body_that_is_not_json_is_a_415_problem(client, author):
    response = client.post(
        "/api/posts", "title=Hi", content_type="application/x-www-form-urlencoded", **bearer(author)
    )
    assert_problem(response, 415)
    assert not Post.objects.exists()


def test_a_body_over_one_mebibyte_is_a_413_problem(client, author):
    body = '{"title": "Big", "body": "' + "x" * (1024 * 1024) + '"}'
    assert_problem(client.post("/api/posts", body, content_type="application/json", **bearer(author)), 413)


def test_a_server_error_is_a_problem_without_a_stack_trace(client, author, make_post, monkeypatch):
    from posts import api

    post = make_post(author)

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api, "post_data", explode)
    response = client.get(f"/api/posts/{post.pk}")
    assert_problem(response, 500)
    assert b"secret internals" not in response.content and b"Traceback" not in response.content


def test_pages_outside_the_api_keep_their_html_errors(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_cors_allows_only_the_configured_origins(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    allowed = client.get("/api/posts", HTTP_ORIGIN="https://app.example.com")
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "etag" in allowed["Access-Control-Expose-Headers"].lower()
    assert "Access-Control-Allow-Origin" not in client.get("/api/posts", HTTP_ORIGIN="https://evil.example")
    preflight = client.options(
        "/api/posts",
        HTTP_ORIGIN="https://app.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, if-match",
    )
    assert preflight.status_code == 200
    assert "if-match" in preflight["Access-Control-Allow-Headers"]


def test_a_single_post_allows_only_its_methods(client):
    response = client.post("/api/posts/1", "{}", content_type="application/json")
    assert_problem(response, 405)
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PUT", "PATCH", "DELETE"}


def test_the_api_answers_a_database_outage_with_a_503_problem(db, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection to server at 10.1.2.3 failed")

    monkeypatch.setattr(CursorWrapper, "execute", unreachable)  # every query the list makes
    response = Client(raise_request_exception=False).get("/api/posts")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "30"
    assert "10.1.2.3" not in response.content.decode()

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from posts.models import Post

from .api_helpers import assert_problem, bearer, send

pytestmark = pytest.mark.django_db

NEW = {"title": "Hello API", "body": "Some **words**.", "tags": ["api", "django"]}


def test_writers_create_drafts(client, contributor):
    response = send(client, "post", "/api/posts", NEW, user=contributor)
    assert response.status_code == 201, response.content
    post = Post.objects.get()
    assert response["Location"] == f"/api/posts/{post.pk}"
    data = response.json()
    assert data["status"] == "draft" and data["slug"] == post.slug
    assert data["slug"].startswith("hello-api--")  # provisional until it is published
    assert data["tags"] == ["api", "django"]
    assert data["body_html"] == "<p>Some <strong>words</strong>.</p>\n"
    assert post.author == contributor
    assert post.revisions.count() == 1  # saved through the publishing workflow


def test_authors_publish_and_schedule_on_create(client, author):
    published = send(client, "post", "/api/posts", NEW | {"status": "published"}, user=author).json()
    assert published["status"] == "published" and published["published_at"]
    assert published["slug"] == "hello-api"
    later = (timezone.now() + timedelta(days=2)).isoformat()
    scheduled = send(
        client, "post", "/api/posts", NEW | {"status": "scheduled", "published_at": later}, user=author
    )
    assert scheduled.json()["status"] == "scheduled"


@pytest.mark.parametrize("status", ["published", "scheduled"])
def test_a_contributor_cannot_publish_on_create(client, contributor, status):
    later = (timezone.now() + timedelta(days=2)).isoformat()
    response = send(
        client, "post", "/api/posts", NEW | {"status": status, "published_at": later}, user=contributor
    )
    assert_problem(response, 403)
    assert not Post.objects.exists()


def test_scheduling_needs_a_future_time_with_a_zone(client, author):
    response = send(client, "post", "/api/posts", NEW | {"status": "scheduled"}, user=author)
    assert "published_at" in assert_problem(response, 400)["errors"]
    naive = send(client, "post", "/api/posts", NEW | {"published_at": "2030-01-01T10:00:00"}, user=author)
    assert "published_at" in assert_problem(naive, 400)["errors"]
    assert not Post.objects.exists()


def test_visitors_must_sign_in_to_write(client):
    response = send(client, "post", "/api/posts", NEW)
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def test_invalid_posts_get_messages_per_field(client, author):
    problem = assert_problem(send(client, "post", "/api/posts", {"body": 42, "tags": "x"}, user=author), 400)
    assert set(problem["errors"]) == {"title", "body", "tags"}
    assert problem["errors"]["title"] == ["Field required"]
    too_long = assert_problem(send(client, "post", "/api/posts", {"title": "x" * 201}, user=author), 400)
    assert list(too_long["errors"]) == ["title"]


def test_publishing_needs_a_body(client, author):
    response = send(client, "post", "/api/posts", {"title": "Empty", "status": "published"}, user=author)
    assert assert_problem(response, 400)["errors"] == {
        "body": ["A post needs a body before it is published."]
    }
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("id", 7),
        ("author", 1),
        ("slug", "mine"),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("body_html", "<b>"),
    ],
)
def test_read_only_fields_are_refused_not_applied(client, author, other_author, field, value):
    response = send(client, "post", "/api/posts", NEW | {field: value}, user=author)
    assert list(assert_problem(response, 400)["errors"]) == [field]
    assert not Post.objects.exists()


def test_it_replaces_every_writable_field_with_put(client, author, make_post):
    post = make_post(author, "Old", status=Post.Status.DRAFT, tags=["old"])
    new = {
        "title": "New",
        "body": "New body",
        "excerpt": "Short",
        "tags": ["new"],
        "status": "draft",
        "published_at": None,
    }
    response = send(client, "put", f"/api/posts/{post.pk}", new, user=author)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["title"], data["excerpt"], data["tags"]) == ("New", "Short", ["new"])
    assert response["ETag"] == client.get(f"/api/posts/{post.pk}", **bearer(author))["ETag"]
    partial = send(client, "put", f"/api/posts/{post.pk}", {"title": "Only a title"}, user=author)
    assert set(assert_problem(partial, 400)["errors"]) == {
        "body",
        "excerpt",
        "tags",
        "status",
        "published_at",
    }


def test_it_changes_only_the_given_fields_with_patch(client, author, make_post):
    post = make_post(author, "Title", body="Body", tags=["kept"])
    response = send(client, "patch", f"/api/posts/{post.pk}", {"title": "Retitled"}, user=author)
    assert response.status_code == 200
    data = response.json()
    assert (data["title"], data["body"], data["tags"], data["status"]) == (
        "Retitled",
        "Body",
        ["kept"],
        "published",
    )
    assert data["slug"] == "title"  # a published post keeps its address


def test_a_contributor_cannot_publish_by_put_or_patch(client, contributor, make_post):
    post = make_post(contributor, "Draft", status=Post.Status.DRAFT)
    full = {"title": "T", "body": "B", "excerpt": "", "tags": [], "status": "published", "published_at": None}
    assert_problem(send(client, "put", f"/api/posts/{post.pk}", full, user=contributor), 403)
    assert_problem(
        send(client, "patch", f"/api/posts/{post.pk}", {"status": "published"}, user=contributor), 403
    )
    post.refresh_from_db()
    assert (post.status, post.title) == (Post.Status.DRAFT, "Draft")  # nothing changed


def test_a_contributor_submits_for_review_and_editors_hear_of_it(
    client, contributor, editor, make_post, django_capture_on_commit_callbacks
):
    post = make_post(contributor, "Please read", status=Post.Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, "patch", f"/api/posts/{post.pk}", {"status": "review"}, user=contributor)
    assert response.json()["status"] == "review"
    assert [message.to for message in mail.outbox] == [[editor.email]]


def test_authors_unpublish_and_reschedule(client, author, make_post):
    post = make_post(author, "Live")
    assert (
        send(client, "patch", f"/api/posts/{post.pk}", {"status": "draft"}, user=author).json()["status"]
        == "draft"
    )
    later = (timezone.now() + timedelta(days=3)).isoformat()
    response = send(
        client, "patch", f"/api/posts/{post.pk}", {"status": "published", "published_at": later}, user=author
    )
    assert response.json()["status"] == "scheduled"


def test_others_cannot_edit_and_do_not_see_drafts(client, author, other_author, editor, make_post):
    public = make_post(author, "Public")
    draft = make_post(author, "Draft", status=Post.Status.DRAFT)
    assert_problem(
        send(client, "patch", f"/api/posts/{public.pk}", {"title": "Mine"}, user=other_author), 403
    )
    assert_problem(send(client, "patch", f"/api/posts/{draft.pk}", {"title": "Mine"}, user=other_author), 404)
    assert_problem(send(client, "delete", f"/api/posts/{draft.pk}", user=other_author), 404)
    assert (
        send(client, "patch", f"/api/posts/{draft.pk}", {"title": "Edited"}, user=editor).status_code == 200
    )


def test_a_stale_if_match_changes_nothing(client, author, make_post):
    post = make_post(author, "Original")
    etag = client.get(f"/api/posts/{post.pk}")["ETag"]
    assert (
        send(
            client, "patch", f"/api/posts/{post.pk}", {"title": "First"}, user=author, HTTP_IF_MATCH=etag
        ).status_code
        == 200
    )
    stale = send(
        client, "patch", f"/api/posts/{post.pk}", {"title": "Second"}, user=author, HTTP_IF_MATCH=etag
    )
    assert_problem(stale, 412)
    assert_problem(send(client, "delete", f"/api/posts/{post.pk}", user=author, HTTP_IF_MATCH=etag), 412)
    post.refresh_from_db()
    assert post.title == "First"


def test_delete_follows_the_publishing_rights(client, contributor, author, editor, make_post):
    own_draft = make_post(contributor, "Mine", status=Post.Status.DRAFT)
    assert_problem(send(client, "delete", f"/api/posts/{own_draft.pk}", user=contributor), 403)
    response = send(client, "delete", f"/api/posts/{own_draft.pk}", user=editor)
    assert response.status_code == 204 and response.content == b""
    post = make_post(author, "Asha's")
    current = client.get(f"/api/posts/{post.pk}")["ETag"]
    assert (
        send(client, "delete", f"/api/posts/{post.pk}", user=author, HTTP_IF_MATCH=current).status_code == 204
    )
    assert not Post.objects.exists()


def test_session_writes_need_the_csrf_token_but_bearer_writes_do_not(author):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    assert_problem(send(client, "post", "/api/posts", NEW), 403)
    token = "t" * 32  # a CSRF secret, as the cookie holds it; the header must repeat it
    client.cookies["csrftoken"] = token
    assert_problem(send(client, "post", "/api/posts", NEW, HTTP_X_CSRFTOKEN="u" * 32), 403)
    assert send(client, "post", "/api/posts", NEW, HTTP_X_CSRFTOKEN=token).status_code == 201
    assert send(Client(enforce_csrf_checks=True), "post", "/api/posts", NEW, user=author).status_code == 201


def test_writes_are_rate_limited_per_user(client, author, other_author, settings):
    settings.BLOG_WRITES_PER_MINUTE = 3
    assert send(client, "post", "/api/posts", {"title": ""}, user=author).status_code == 400  # counts too
    for _ in range(2):
        assert send(client, "post", "/api/posts", NEW, user=author).status_code == 201
    response = send(client, "post", "/api/posts", NEW, user=author)
    assert_problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60
    assert send(client, "post", "/api/posts", NEW, user=other_author).status_code == 201
    assert Post.objects.count() == 3


def test_a_slug_clash_is_a_409_and_saves_nothing(client, author, make_post, monkeypatch):
    from posts import models

    taken = make_post(author, "Taken", status=Post.Status.DRAFT)
    monkeypatch.setattr(
        models, "provisional_slug", lambda *args, **kwargs: taken.slug
    )  # as if others won every race
    assert_problem(send(client, "post", "/api/posts", NEW, user=author), 409)
    assert Post.objects.count() == 1


def test_session_edits_and_deletes_need_the_csrf_token_too(author, make_post):
    post = make_post(author, "Mine")
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    assert_problem(send(client, "patch", f"/api/posts/{post.pk}", {"title": "X"}), 403)
    assert_problem(send(client, "delete", f"/api/posts/{post.pk}"), 403)
    assert_problem(send(client, "patch", "/api/profile", {"bio": "X"}), 403)
    assert client.get(f"/api/posts/{post.pk}").status_code == 200  # reading needs no token
    post.refresh_from_db()
    assert post.title == "Mine"


def test_put_refuses_read_only_fields_too(client, author, make_post):
    post = make_post(author, "Mine", status=Post.Status.DRAFT)
    full = {"title": "T", "body": "B", "excerpt": "", "tags": [], "status": "draft", "published_at": None}
    response = send(client, "put", f"/api/posts/{post.pk}", full | {"author": 99, "id": 5}, user=author)
    assert set(assert_problem(response, 400)["errors"]) == {"author", "id"}
    post.refresh_from_db()
    assert (post.title, post.author) == ("Mine", author)


FULL = {"title": "T", "body": "B", "excerpt": "", "tags": [], "status": "draft", "published_at": None}


@pytest.mark.parametrize("method, body", [("put", FULL), ("patch", {"title": "T"}), ("delete", None)])
def test_every_write_to_a_post_has_its_failures(client, author, other_author, make_post, method, body):
    public = make_post(author, "Public")
    draft = make_post(author, "Draft", status=Post.Status.DRAFT)
    path = f"/api/posts/{public.pk}"
    assert_problem(send(client, method, path, body), 401)
    assert_problem(send(client, method, path, body, user=other_author), 403)
    assert_problem(send(client, method, f"/api/posts/{draft.pk}", body, user=other_author), 404)
    assert_problem(send(client, method, "/api/posts/999999", body, user=author), 404)
    assert_problem(send(client, method, path, body, user=author, HTTP_IF_MATCH='"stale"'), 412)
    public.refresh_from_db()
    assert public.title == "Public"
    if body is not None:
        bad = send(client, method, path, {"title": 5}, user=author)
        assert "title" in assert_problem(bad, 400)["errors"]
        not_json = client.generic(method.upper(), path, b"x", content_type="text/plain", **bearer(author))
        assert_problem(not_json, 415)

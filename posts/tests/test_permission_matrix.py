"""Every role (and a visitor) by every action, on their own and on others' posts, through the HTML views.

Outcomes: "ok" (the action happened), 403 (the post is visible but the action is not allowed),
404 (the post is not visible to this user), "login" (sign in first). Denials change nothing.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from posts.models import Post

pytestmark = pytest.mark.django_db

ROLE_FIXTURES = {"contributor": "contributor", "author": "author", "editor": "editor", "admin": "admin_user"}
ALL_OK = dict.fromkeys(["view_draft", "edit", "publish", "schedule", "unpublish", "delete"], "ok")
NOT_VISIBLE = {
    "view_draft": 404,
    "edit": 404,
    "publish": 404,
    "schedule": 404,
    "unpublish": 403,  # a published post is visible to all, so acting on it is forbidden, not hidden
    "delete": 404,
}
EXPECTED = {
    ("anonymous", "others"): {
        "view_draft": 404,
        "edit": "login",
        "publish": "login",
        "schedule": "login",
        "unpublish": "login",
        "delete": "login",
    },
    ("contributor", "own"): {
        "view_draft": "ok",
        "edit": "ok",
        "publish": 403,
        "schedule": 403,
        "unpublish": 403,  # an editor published it; the contributor no longer changes it
        "delete": 403,
    },
    ("contributor", "others"): NOT_VISIBLE,
    ("author", "own"): ALL_OK,
    ("author", "others"): NOT_VISIBLE,
    ("editor", "own"): ALL_OK,
    ("editor", "others"): ALL_OK,
    ("admin", "own"): ALL_OK,
    ("admin", "others"): ALL_OK,
}
CASES = [(role, whose, action) for (role, whose), actions in EXPECTED.items() for action in actions]


def form_data(post, action, **extra):
    return {
        "title": "Changed title",
        "body": "Changed body",
        "excerpt": "",
        "tags": "",
        "version": post.version,
        "action": action,
    } | extra


def do(client, action, post):
    """Perform one action the way the HTML pages do; return the response."""
    if action == "view_draft":
        return client.get(post.get_absolute_url())
    if action == "delete":
        return client.post(f"/dashboard/posts/{post.pk}/delete/")
    if action == "schedule":
        later = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
        return client.post(post.get_edit_url(), form_data(post, "schedule", published_at=later))
    return client.post(post.get_edit_url(), form_data(post, {"edit": "save"}.get(action, action)))


def happened(action, post_id):
    post = Post.objects.filter(pk=post_id).first()
    return {
        "edit": lambda: post.title == "Changed title" and post.revisions.exists(),
        "publish": lambda: post.is_public,
        "schedule": lambda: post.is_scheduled,
        "unpublish": lambda: post.status == Post.Status.DRAFT,
        "delete": lambda: post is None,
    }[action]()


@pytest.mark.parametrize(("role", "whose", "action"), CASES)
def test_permission_matrix(request, client, make_post, other_author, role, whose, action):
    actor = request.getfixturevalue(ROLE_FIXTURES[role]) if role != "anonymous" else None
    owner = actor if whose == "own" else other_author
    if actor:
        client.force_login(actor)
    status = Post.Status.PUBLISHED if action == "unpublish" else Post.Status.DRAFT
    post = make_post(owner, "Original title", body="Original body", status=status)
    before = Post.objects.filter(pk=post.pk).values().get()

    response = do(client, action, post)
    expected = EXPECTED[(role, whose)][action]

    if expected == "ok":
        if action == "view_draft":
            assert response.status_code == 200
            assert "Original title" in response.content.decode()
        else:
            assert response.status_code == 302, response.content.decode()[:500]
            assert happened(action, post.pk)
        return
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == expected
    assert Post.objects.filter(pk=post.pk).values().get() == before  # nothing changed


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", "login"), ("contributor", 403), ("author", 403), ("editor", 200), ("admin", 200)],
)
def test_review_queue_matrix(request, client, role, expected):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(ROLE_FIXTURES[role]))
    response = client.get("/dashboard/review/")
    if expected == "login":
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", "login"), ("contributor", "login"), ("author", "login"), ("editor", 200), ("admin", 200)],
)
@pytest.mark.parametrize("whose", ["own", "others"])
def test_admin_matrix(request, client, make_post, other_author, role, expected, whose):
    """Only staff (editors and admins) reach the admin; others are sent to its sign-in page."""
    actor = request.getfixturevalue(ROLE_FIXTURES[role]) if role != "anonymous" else None
    if actor:
        client.force_login(actor)
    post = make_post(actor if whose == "own" and actor else other_author, "In the admin", status="draft")
    for url in ("/admin/", f"/admin/posts/post/{post.pk}/change/"):
        response = client.get(url)
        if expected == "login":
            assert response.status_code == 302
            assert response["Location"].startswith("/admin/login/")
        else:
            assert response.status_code == expected


def test_a_contributor_cannot_publish_by_crafting_a_new_post(client, contributor):
    client.force_login(contributor)
    response = client.post("/dashboard/posts/new/", {"title": "Sneaky", "body": "x", "action": "publish"})
    assert response.status_code == 403
    assert not Post.objects.exists()


def test_a_contributor_submits_and_withdraws_their_draft(client, contributor, make_post):
    post = make_post(contributor, "Mine", body="words", status=Post.Status.DRAFT)
    client.force_login(contributor)
    assert client.post(post.get_edit_url(), form_data(post, "submit")).status_code == 302
    post.refresh_from_db()
    assert post.status == Post.Status.REVIEW
    assert client.post(post.get_edit_url(), form_data(post, "withdraw")).status_code == 302
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT

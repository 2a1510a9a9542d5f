"""Issue 13, finding 4: every date a writer or the API gives is bounded (years 1970 to 2200),
checked before anything is written, so no stored date can break the pages that show it."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from posts import services
from posts.models import Post

from .api_helpers import assert_problem, send

pytestmark = pytest.mark.django_db

FAR_FUTURE = "9999-12-31T23:59:59-14:00"
OUT_OF_RANGE = [
    FAR_FUTURE,
    "2201-01-01T00:00:00+00:00",
    "1969-12-31T23:59:59+00:00",
    "0001-01-01T00:00:00+14:00",
]


@pytest.mark.parametrize("when", OUT_OF_RANGE)
def test_the_api_refuses_a_date_out_of_range_and_writes_nothing(client, author, make_post, when):
    fields = {"title": "Far", "body": "Words.", "status": "scheduled", "published_at": when}
    response = send(client, "post", "/api/posts", fields, user=author)
    assert list(assert_problem(response, 400)["errors"]) == ["published_at"]
    assert not Post.objects.exists()
    post = make_post(author, "Soon", status=Post.Status.DRAFT)
    response = send(
        client, "patch", f"/api/posts/{post.pk}", {"published_at": when, "status": "scheduled"}, user=author
    )
    assert list(assert_problem(response, 400)["errors"]) == ["published_at"]
    post.refresh_from_db()
    assert (post.status, post.published_at) == ("draft", None)
    assert client.get("/dashboard/").status_code in (200, 302)


def test_the_api_accepts_a_date_within_range(client, author):
    fields = {
        "title": "Later",
        "body": "Words.",
        "status": "scheduled",
        "published_at": "2199-06-01T12:00:00-14:00",
    }
    response = send(client, "post", "/api/posts", fields, user=author)
    assert response.status_code == 201
    assert response.json()["status"] == "scheduled"


def test_the_editor_refuses_to_schedule_out_of_range(client, author):
    client.force_login(author)
    data = {"title": "Far", "body": "Words.", "excerpt": "", "tags": "", "action": "schedule"}
    response = client.post("/dashboard/posts/new/", data | {"published_at": "9999-12-31T23:59"})
    assert response.status_code == 200
    assert "between the years 1970 and 2200" in response.content.decode()
    assert not Post.objects.exists()


def test_the_admin_refuses_a_date_out_of_range(client, editor, author, make_post):
    post = make_post(author, "Kept", status=Post.Status.DRAFT)
    client.force_login(editor)
    data = {
        "title": post.title,
        "author": author.pk,
        "status": "published",
        "published_at_0": "9999-12-31",
        "published_at_1": "23:59:59",
        "body": post.body,
        "excerpt": "",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/posts/post/{post.pk}/change/", data)
    assert response.status_code == 200
    assert "between the years 1970 and 2200" in response.content.decode()
    post.refresh_from_db()
    assert (post.status, post.published_at) == ("draft", None)
    assert client.get("/admin/posts/post/").status_code == 200


def test_the_services_refuse_a_date_out_of_range(author, make_post):
    post = make_post(author, "Draft", status=Post.Status.DRAFT)
    far = datetime(2500, 1, 1, tzinfo=UTC)
    with pytest.raises(ValidationError) as refused:
        services.post_publish(post=post, by=author, at=far)
    assert "published_at" in refused.value.message_dict

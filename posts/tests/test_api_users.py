import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from posts.models import Post

from .api_helpers import assert_problem, bearer, send

pytestmark = pytest.mark.django_db

PUBLIC_USER_FIELDS = {"id", "username", "display_name", "bio", "url", "post_count"}


def test_it_lists_writers_with_published_posts(client, author, other_author, contributor, make_post):
    make_post(author, "One")
    make_post(author, "Two")
    make_post(author, "Draft", status=Post.Status.DRAFT)
    make_post(contributor, "Only a draft", status=Post.Status.DRAFT)
    response = client.get("/api/users")
    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 1 and page["next"] is None
    [asha] = page["results"]
    assert set(asha) == PUBLIC_USER_FIELDS
    assert asha == {
        "id": author.pk,
        "username": "asha",
        "display_name": "Asha Author",
        "bio": "Writes about databases.",
        "url": "http://testserver/authors/asha/",
        "post_count": 2,
    }


def test_the_users_list_runs_a_constant_number_of_queries(client, author, other_author, editor, make_post):
    for writer in (author, other_author, editor):
        make_post(writer, "A post")
    with CaptureQueriesContext(connection) as queries:
        assert len(client.get("/api/users").json()["results"]) == 3
    assert len(queries) == 2  # COUNT, then the page of users with their post counts


def test_it_shows_a_public_profile_without_the_email_address(client, author, make_post):
    make_post(author, "One")
    response = client.get(f"/api/users/{author.pk}")
    assert set(response.json()) == PUBLIC_USER_FIELDS
    assert b"@example.com" not in response.content
    assert b"@example.com" not in client.get("/api/users").content
    assert b"@example.com" not in client.get("/api/posts").content


def test_writers_without_published_posts_have_no_public_profile(client, contributor, make_post):
    make_post(contributor, "Draft", status=Post.Status.DRAFT)
    assert_problem(client.get(f"/api/users/{contributor.pk}"), 404)
    assert_problem(client.get("/api/users/999999"), 404)


def test_the_profile_shows_the_callers_email_and_role(client, contributor):
    response = client.get("/api/profile", **bearer(contributor))
    assert response.json() | {"id": 0} == {
        "id": 0,
        "username": "cora",
        "display_name": "Cora Contributor",
        "bio": "",
        "url": "http://testserver/authors/cora/",
        "post_count": 0,
        "email": "cora@example.com",
        "role": "contributor",
    }
    assert_problem(client.get("/api/profile"), 401)


def test_writers_change_their_display_name_and_bio(client, author):
    response = send(
        client, "patch", "/api/profile", {"display_name": " Asha R. ", "bio": "New bio"}, user=author
    )
    assert response.status_code == 200
    assert (response.json()["display_name"], response.json()["bio"]) == ("Asha R.", "New bio")
    author.refresh_from_db()
    assert (author.display_name, author.bio) == ("Asha R.", "New bio")


@pytest.mark.parametrize(
    "field, value", [("role", "admin"), ("email", "x@example.com"), ("username", "boss")]
)
def test_other_profile_fields_are_refused_not_applied(client, contributor, field, value):
    response = send(client, "patch", "/api/profile", {field: value, "bio": "Hi"}, user=contributor)
    assert list(assert_problem(response, 400)["errors"]) == [field]
    contributor.refresh_from_db()
    assert (contributor.role, contributor.email, contributor.username, contributor.bio) == (
        "contributor",
        "cora@example.com",
        "cora",
        "",
    )


def test_profile_values_are_checked(client, author):
    response = send(client, "patch", "/api/profile", {"display_name": "x" * 101, "bio": None}, user=author)
    assert set(assert_problem(response, 400)["errors"]) == {"display_name", "bio"}


def test_visitors_have_no_profile_to_change(client):
    response = send(client, "patch", "/api/profile", {"bio": "Hi"})
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"

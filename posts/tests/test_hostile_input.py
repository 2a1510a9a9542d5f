"""Hostile input against the API, the editor and rendering: never a 500, never a half-done write.

Each example either succeeds whole (the post saved and rendered) or is refused with a clear
error (a problem+json, a form error) and leaves the database as it was.
"""

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from blogsite.tests.hostile import (
    extreme_numbers,
    hostile_settings,
    lines,
    markdown_bodies,
    odd_text,
    tag_lists,
)
from posts.models import Post, Revision, Tag

from .api_helpers import send

pytestmark = pytest.mark.django_db

BODY_LENGTH = 20_000  # big enough for deep nesting; the full 200,000 is test_rendering_cost's


def database_state():
    """What a refused request must leave unchanged."""
    return (
        list(Post.objects.order_by("pk").values_list("pk", "title", "body", "updated_at", "status")),
        Tag.objects.count(),
        Revision.objects.count(),
    )


def assert_refused_cleanly(response, before):
    assert response.status_code in (400, 404, 409, 413, 422), response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    assert database_state() == before


@hostile_settings(max_examples=40)
@given(page=extreme_numbers, page_size=extreme_numbers, q=odd_text, tag=odd_text)
def test_it_answers_any_list_parameters_without_a_500(client, author, make_post, page, page_size, q, tag):
    cache.clear()  # no rate limit between examples
    for params in ({"page": page, "page_size": page_size}, {"q": q, "tag": tag, "author": q}):
        response = client.get("/api/posts", params)
        assert response.status_code in (200, 400, 404), response.content[:500]


@hostile_settings(max_examples=30)
@given(post_id=st.one_of(st.integers(min_value=0), st.sampled_from([2**31, 2**63 - 1, 2**63, 2**64, 10**30])))
def test_it_answers_any_post_id_without_a_500(client, editor, post_id):
    cache.clear()
    before = database_state()
    for method, data in (("get", None), ("patch", {"title": "x"}), ("put", {"title": "x"}), ("delete", None)):
        response = send(client, method, f"/api/posts/{post_id}", data, user=editor)
        assert response.status_code in (400, 404), (method, response.content[:500])
        assert response["Content-Type"] == "application/problem+json"
    assert database_state() == before


@hostile_settings(max_examples=40)
@given(title=lines, body=markdown_bodies(BODY_LENGTH), excerpt=odd_text, tags=tag_lists)
def test_it_creates_or_cleanly_refuses_a_hostile_post(client, author, title, body, excerpt, tags):
    cache.clear()
    before = database_state()
    data = {"title": title, "body": body, "excerpt": excerpt, "tags": tags}
    response = send(client, "post", "/api/posts", data, user=author)
    if response.status_code == 201:
        post = Post.objects.get(pk=response.json()["id"])
        assert (post.title, post.body) == (title.strip(), body)
        assert post.revisions.count() == 1
        assert "<script" not in post.body_html
    else:
        assert_refused_cleanly(response, before)


@hostile_settings(max_examples=30)
@given(
    changes=st.fixed_dictionaries(
        {},
        optional={
            "title": lines,
            "body": markdown_bodies(BODY_LENGTH),
            "excerpt": odd_text,
            "tags": tag_lists,
            "status": st.sampled_from(["draft", "review", "published", "scheduled", "", "x\x00"]),
        },
    )
)
def test_it_updates_or_cleanly_refuses_hostile_changes(client, author, make_post, changes):
    cache.clear()
    post = Post.objects.filter(title="Target").first() or make_post(author, "Target", tags=["kept"])
    before = database_state()
    response = send(client, "patch", f"/api/posts/{post.pk}", changes, user=author)
    if response.status_code == 200:
        post.refresh_from_db()
        assert post.body_html is not None
        assert "<script" not in post.body_html
    else:
        assert_refused_cleanly(response, before)


@hostile_settings(max_examples=30)
@given(
    title=lines,
    body=markdown_bodies(BODY_LENGTH),
    tags=st.one_of(odd_text, tag_lists.map(", ".join)),
    action=st.sampled_from(["preview", "save", "publish", "schedule", "nonsense"]),
)
def test_the_editor_saves_or_refuses_hostile_input_with_a_form_error(
    client, author, title, body, tags, action
):
    cache.clear()
    client.force_login(author)
    before = database_state()
    data = {"title": title, "body": body, "tags": tags, "action": action}
    response = client.post("/dashboard/posts/new/", data)
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code != 302:
        assert database_state() == before

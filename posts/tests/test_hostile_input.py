"""Hostile input against the API, the editor and rendering: never a 500, never a half-done write.

Each example either succeeds whole (the post saved and rendered) or is refused with a clear
error (a problem+json, a form error) and leaves the database as it was.
"""

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from blogsite.tests.hostile import (
    extreme_date_strings,
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


# Zones at the ends of the world's offsets, one off the hour, and one with a daylight-saving gap.
ODD_TIME_ZONES = ["UTC", "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kathmandu", "America/New_York"]


def assert_dates_in_bounds():
    for when in Post.objects.exclude(published_at=None).values_list("published_at", flat=True):
        assert 1970 <= when.year <= 2200, when


@hostile_settings(max_examples=40)
@given(
    when=st.one_of(extreme_date_strings, extreme_date_strings.map(lambda text: text[:16])),
    zone=st.sampled_from(ODD_TIME_ZONES),
    action=st.sampled_from(["save", "schedule", "publish"]),
)
def test_the_editor_schedules_or_refuses_extreme_dates_in_any_time_zone(
    client, author, settings, when, zone, action
):
    cache.clear()
    settings.TIME_ZONE = zone
    client.force_login(author)
    before = database_state()
    data = {"title": "Dated", "body": "Words.", "tags": "", "published_at": when, "action": action}
    response = client.post("/dashboard/posts/new/", data)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code != 302:
        assert database_state() == before
    assert_dates_in_bounds()


@hostile_settings(max_examples=40)
@given(when=extreme_date_strings, status=st.sampled_from(["scheduled", "published", "draft"]))
def test_the_api_schedules_or_cleanly_refuses_extreme_dates(client, author, make_post, when, status):
    cache.clear()
    post = Post.objects.filter(title="Dated").first() or make_post(author, "Dated", status=Post.Status.DRAFT)
    before = database_state()
    for method, url in (("post", "/api/posts"), ("patch", f"/api/posts/{post.pk}")):
        data = {"title": "Dated", "body": "Words.", "status": status, "published_at": when}
        response = send(client, method, url, data, user=author)
        if response.status_code not in (200, 201):
            assert_refused_cleanly(response, before)
        before = database_state()
    assert_dates_in_bounds()


@hostile_settings(max_examples=30)
@given(page=extreme_numbers)
def test_every_list_page_answers_any_page_number_without_a_500(client, author, make_post, page):
    cache.clear()
    if not Post.objects.exists():
        make_post(author, "Listed", tags=["news"])
    client.force_login(author)
    for url in [
        "/",
        "/tags/news/",
        "/authors/asha/",
        "/search/?q=listed",
        "/dashboard/",
        "/dashboard/media/",
    ]:
        response = client.get(url, {"page": page})
        assert response.status_code in (200, 400, 404), (url, response.status_code)
    for url in ["/api/posts", "/api/users", "/api/media"]:
        response = client.get(url, {"page": page, "page_size": page})
        assert response.status_code in (200, 400, 404), (url, response.status_code)

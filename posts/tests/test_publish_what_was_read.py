"""Issue 13, finding 10: publishing from review publishes exactly the version the editor read,
or refuses with a conflict, whether through the API, the admin's bulk action or the dashboard."""

import re

import pytest

from posts import services
from posts.models import Post

from .api_helpers import assert_problem, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(contributor, make_post):
    post = make_post(contributor, "For review", body="The words the editor reads.", status=Post.Status.DRAFT)
    return services.post_submit(post=post, by=contributor)


def change_behind_the_editors_back(post, contributor):
    services.post_save(by=contributor, post=post, title=post.title, body="Words nobody reviewed.")


def test_the_api_refuses_to_publish_a_post_in_review_without_if_match(client, editor, submitted):
    response = send(client, "patch", f"/api/posts/{submitted.pk}", {"status": "published"}, user=editor)
    assert "If-Match" in assert_problem(response, 428)["detail"]
    submitted.refresh_from_db()
    assert submitted.status == Post.Status.REVIEW


def test_the_api_refuses_to_publish_a_version_the_editor_did_not_read(client, editor, contributor, submitted):
    etag = send(client, "get", f"/api/posts/{submitted.pk}", user=editor)["ETag"]
    change_behind_the_editors_back(submitted, contributor)
    changes = {"status": "published"}
    response = send(client, "patch", f"/api/posts/{submitted.pk}", changes, user=editor, HTTP_IF_MATCH=etag)
    assert_problem(response, 412)
    submitted.refresh_from_db()
    assert submitted.status == Post.Status.REVIEW


def test_the_api_publishes_the_version_the_editor_read(client, editor, submitted):
    etag = send(client, "get", f"/api/posts/{submitted.pk}", user=editor)["ETag"]
    changes = {"status": "published"}
    response = send(client, "patch", f"/api/posts/{submitted.pk}", changes, user=editor, HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["body"] == "The words the editor reads."
    assert response.json()["status"] == "published"


def test_the_admin_bulk_action_refuses_a_post_changed_since_the_list_was_shown(
    client, editor, contributor, submitted
):
    client.force_login(editor)
    listing = client.get("/admin/posts/post/").content.decode()
    versions = dict(re.findall(r'name="(_version_\d+)" value="([^"]+)"', listing))
    change_behind_the_editors_back(submitted, contributor)
    data = {"action": "publish_now", "_selected_action": [submitted.pk]} | versions
    content = client.post("/admin/posts/post/", data, follow=True).content.decode()
    assert "changed since this list was shown" in content
    assert "0 post(s) published." in content
    submitted.refresh_from_db()
    assert submitted.status == Post.Status.REVIEW


def test_the_admin_bulk_action_refuses_a_post_in_review_without_the_version_shown(client, editor, submitted):
    client.force_login(editor)
    data = {"action": "publish_now", "_selected_action": [submitted.pk]}
    content = client.post("/admin/posts/post/", data, follow=True).content.decode()
    assert "the version you read is the one that goes live" in content
    submitted.refresh_from_db()
    assert submitted.status == Post.Status.REVIEW


def test_the_dashboard_refuses_to_publish_a_version_the_editor_did_not_read(
    client, editor, contributor, submitted
):
    client.force_login(editor)
    page = client.get(submitted.get_edit_url()).content.decode()
    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    change_behind_the_editors_back(submitted, contributor)
    data = {"title": "For review", "body": "The words the editor reads.", "excerpt": "", "tags": ""}
    response = client.post(submitted.get_edit_url(), data | {"version": version, "action": "publish"})
    assert response.status_code == 409
    submitted.refresh_from_db()
    assert (submitted.status, submitted.body) == (Post.Status.REVIEW, "Words nobody reviewed.")


def test_the_services_refuse_to_publish_from_review_without_a_version(editor, submitted):
    with pytest.raises(services.VersionRequired):
        services.post_publish(post=submitted, by=editor)
    services.post_publish(post=submitted, by=editor, expected_version=submitted.version)
    submitted.refresh_from_db()
    assert submitted.is_public

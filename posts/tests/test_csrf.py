"""Every form checks the CSRF token: a forged POST (no token) is refused and changes nothing."""

import re

import pytest
from django.test import Client

from posts.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client(author):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    return client


@pytest.fixture
def draft(make_post, author):
    return make_post(author, "Untouched", body="original", status=Post.Status.DRAFT)


def token_from(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


def form_data(post, action="save"):
    return {"title": "Forged", "body": "forged", "tags": "", "version": post.version, "action": action}


@pytest.mark.parametrize("action", ["save", "publish", "submit"])
def test_a_forged_edit_changes_nothing(strict_client, draft, action):
    response = strict_client.post(draft.get_edit_url(), form_data(draft, action))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert (draft.title, draft.body, draft.status) == ("Untouched", "original", "draft")
    assert not draft.revisions.exists()


def test_a_forged_new_post_is_not_created(strict_client):
    response = strict_client.post("/dashboard/posts/new/", {"title": "Forged", "body": "x", "action": "save"})
    assert response.status_code == 403
    assert not Post.objects.exists()


def test_a_forged_delete_changes_nothing(strict_client, draft):
    assert strict_client.post(f"/dashboard/posts/{draft.pk}/delete/").status_code == 403
    assert Post.objects.filter(pk=draft.pk).exists()


def test_a_forged_autosave_changes_nothing(strict_client, draft):
    response = strict_client.post(f"/dashboard/posts/{draft.pk}/autosave/", form_data(draft))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.title == "Untouched"


def test_a_forged_restore_changes_nothing(strict_client, author):
    from posts import services

    post = services.post_save(by=author, title="v1", body="one")
    services.post_save(by=author, post=post, title="v2", body="two")
    response = strict_client.post(
        f"/dashboard/posts/{post.pk}/revisions/1/restore/", {"version": post.version}
    )
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.title == "v2" and post.revisions.count() == 2


def test_forged_account_forms_are_refused(strict_client, author):
    profile = strict_client.post(
        "/accounts/profile/", {"display_name": "Forged", "bio": "", "email": "x@example.com"}
    )
    assert profile.status_code == 403
    author.refresh_from_db()
    assert author.display_name == "Asha Author"
    assert strict_client.post("/accounts/logout/").status_code == 403
    assert "_auth_user_id" in strict_client.session
    fresh = Client(enforce_csrf_checks=True)
    assert fresh.post("/accounts/login/", {"username": "asha", "password": "x"}).status_code == 403


def test_the_real_form_with_its_token_works(strict_client, draft):
    token = token_from(strict_client.get(draft.get_edit_url()))
    response = strict_client.post(draft.get_edit_url(), form_data(draft) | {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Forged"


def test_autosave_accepts_the_token_in_the_header_like_the_script_sends_it(strict_client, draft):
    token = token_from(strict_client.get(draft.get_edit_url()))
    response = strict_client.post(
        f"/dashboard/posts/{draft.pk}/autosave/", form_data(draft), headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200

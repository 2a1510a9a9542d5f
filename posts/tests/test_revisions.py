"""Revisions on the editor page: what changed between two, and restoring one."""

import pytest

from posts import services
from posts.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(author):
    post = services.post_save(by=author, title="First", body="line one\nline two", tags=["a"])
    services.post_save(by=author, post=post, title="Second", body="line one\nline 2\nline three", tags=["b"])
    return Post.objects.get(pk=post.pk)


def test_the_editor_page_lists_revisions(client, author, post):
    client.force_login(author)
    html = client.get(post.get_edit_url()).content.decode()
    assert "#2" in html and "#1" in html
    assert f"/dashboard/posts/{post.pk}/revisions/1/restore/" in html


def test_it_shows_what_changed_between_two_revisions(client, author, post):
    client.force_login(author)
    response = client.get(f"/dashboard/posts/{post.pk}/revisions/?a=1&b=2")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>-First</del>" in html and "<ins>+Second</ins>" in html
    assert "<del>-line two</del>" in html
    assert "<ins>+line 2</ins>" in html and "<ins>+line three</ins>" in html
    assert "<del>-a</del>" in html and "<ins>+b</ins>" in html


def test_it_compares_the_newest_with_the_one_before_by_default(client, author, post):
    client.force_login(author)
    html = client.get(f"/dashboard/posts/{post.pk}/revisions/?a=zzz").content.decode()
    assert "From #1" in html and "to #2" in html


def test_restoring_a_revision_brings_its_words_back_as_a_new_revision(client, author, post):
    client.force_login(author)
    response = client.post(f"/dashboard/posts/{post.pk}/revisions/1/restore/", {"version": post.version})
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.title, post.body) == ("First", "line one\nline two")
    assert [t.name for t in post.tags.all()] == ["a"]
    assert post.revisions.first().number == 3
    assert "Restored revision #1" in client.get(post.get_edit_url()).content.decode()


def test_restoring_from_a_stale_page_changes_nothing(client, author, post):
    stale = post.version
    services.post_save(by=author, post=post, title="Third", body="newer")
    client.force_login(author)
    client.post(f"/dashboard/posts/{post.pk}/revisions/1/restore/", {"version": stale})
    post.refresh_from_db()
    assert post.title == "Third"
    assert "nothing was restored" in client.get(post.get_edit_url()).content.decode()


def test_others_cannot_see_or_restore_revisions_of_a_draft(client, other_author, post):
    client.force_login(other_author)
    assert client.get(f"/dashboard/posts/{post.pk}/revisions/").status_code == 404
    assert (
        client.post(f"/dashboard/posts/{post.pk}/revisions/1/restore/", {"version": post.version}).status_code
        == 404
    )
    assert Post.objects.get(pk=post.pk).title == "Second"


def test_an_unknown_revision_is_not_found(client, author, post):
    client.force_login(author)
    assert (
        client.post(f"/dashboard/posts/{post.pk}/revisions/9/restore/", {"version": post.version}).status_code
        == 404
    )


def test_the_admin_shows_revisions_read_only(client, editor, post):
    client.force_login(editor)
    html = client.get(f"/admin/posts/post/{post.pk}/change/").content.decode()
    assert "Revisions" in html and "Second" in html
    assert 'name="revisions-0-title"' not in html  # no editable inline fields


def test_a_save_in_the_admin_keeps_a_revision(client, editor, post):
    client.force_login(editor)
    data = {
        "title": "Edited in admin",
        "author": post.author_id,
        "status": "draft",
        "body": "admin body",
        "excerpt": "",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "2",
        "revisions-MIN_NUM_FORMS": "0",
        "revisions-MAX_NUM_FORMS": "0",
    }
    response = client.post(f"/admin/posts/post/{post.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    newest = post.revisions.first()
    assert (newest.number, newest.title, newest.created_by) == (3, "Edited in admin", editor)

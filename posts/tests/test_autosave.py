"""The editor script's background save: keeps words, never publishes, never overwrites a newer save."""

import pytest

from posts import services
from posts.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer_client(client, author):
    client.force_login(author)
    return client


def data(**fields):
    return {"title": "Autosaved", "body": "typed words", "excerpt": "", "tags": "", "version": ""} | fields


def test_the_first_autosave_creates_a_draft_and_tells_the_script_where_it_lives(writer_client, author):
    response = writer_client.post("/dashboard/posts/autosave/", data())
    assert response.status_code == 200
    post = Post.objects.get()
    body = response.json()
    assert body["id"] == post.pk
    assert body["edit_url"] == f"/dashboard/posts/{post.pk}/edit/"
    assert body["autosave_url"] == f"/dashboard/posts/{post.pk}/autosave/"
    assert body["version"] == post.version
    assert (post.status, post.author, post.body) == ("draft", author, "typed words")


def test_later_autosaves_update_the_draft_with_the_version_they_were_given(writer_client, author):
    post = services.post_save(by=author, title="Draft", body="a")
    url = f"/dashboard/posts/{post.pk}/autosave/"
    first = writer_client.post(url, data(body="ab", version=post.version)).json()
    second = writer_client.post(url, data(body="abc", version=first["version"]))
    assert second.status_code == 200
    post.refresh_from_db()
    assert post.body == "abc"
    assert list(post.revisions.values_list("number", "is_autosave")) == [(2, True), (1, False)]


def test_an_autosave_from_a_stale_page_overwrites_nothing(writer_client, author):
    post = services.post_save(by=author, title="Draft", body="opened")
    stale = post.version
    services.post_save(by=author, post=post, title="Draft", body="saved in another tab")
    response = writer_client.post(
        f"/dashboard/posts/{post.pk}/autosave/", data(body="old tab", version=stale)
    )
    assert response.status_code == 409
    post.refresh_from_db()
    assert post.body == "saved in another tab"


def test_autosave_never_publishes(writer_client, author):
    post = services.post_save(by=author, title="Draft", body="a")
    response = writer_client.post(
        f"/dashboard/posts/{post.pk}/autosave/",
        data(version=post.version, action="publish", status="published", published_at="2001-01-01T10:00"),
    )
    assert response.status_code == 200
    post.refresh_from_db()
    assert (post.status, post.published_at) == ("draft", None)


def test_autosave_leaves_a_published_post_alone(writer_client, author):
    post = services.post_save(by=author, title="Live", body="live words")
    services.post_publish(post=post, by=author)
    response = writer_client.post(f"/dashboard/posts/{post.pk}/autosave/", data(version=post.version))
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.body == "live words"


def test_autosave_reports_bad_input_as_json(writer_client):
    response = writer_client.post("/dashboard/posts/autosave/", data(title="t" * 201))
    assert response.status_code == 400
    assert "title" in response.json()["errors"]
    assert not Post.objects.exists()


def test_autosave_of_someone_elses_draft_is_not_found(client, other_author, author):
    post = services.post_save(by=other_author, title="Ben's", body="a")
    client.force_login(author)
    response = client.post(f"/dashboard/posts/{post.pk}/autosave/", data(version=post.version))
    assert response.status_code == 404


def test_autosave_is_post_only(writer_client):
    assert writer_client.get("/dashboard/posts/autosave/").status_code == 405


def test_the_editor_page_loads_our_script_and_no_inline_code(writer_client, settings):
    settings.BLOG_AUTOSAVE_IDLE_MS = 1234
    html = writer_client.get("/dashboard/posts/new/").content.decode()
    assert '<script src="/static/js/editor' in html
    assert 'data-autosave-delay="1234"' in html
    assert "<script>" not in html and " onclick=" not in html and " style=" not in html

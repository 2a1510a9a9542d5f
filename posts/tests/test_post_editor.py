"""The editor page: writing, previewing, saving, publishing and scheduling through the HTML form."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from posts.models import Post

pytestmark = pytest.mark.django_db


def edit(client, post, **fields):
    data = {
        "title": post.title,
        "body": post.body,
        "excerpt": post.excerpt,
        "tags": "",
        "version": post.version,
        "action": "save",
    }
    return client.post(post.get_edit_url(), data | fields)


def test_it_asks_visitors_to_sign_in(client):
    response = client.get("/dashboard/posts/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/dashboard/posts/new/")


def test_a_writer_starts_a_draft(client, contributor):
    client.force_login(contributor)
    page = client.get("/dashboard/posts/new/")
    assert page.status_code == 200
    assert b'name="title"' in page.content
    assert b'value="publish"' not in page.content  # contributors are not offered it
    response = client.post(
        "/dashboard/posts/new/", {"title": "My draft", "body": "# Hi", "tags": "a, b", "action": "save"}
    )
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == post.get_edit_url()
    assert (post.title, post.author, post.status) == ("My draft", contributor, "draft")
    assert [t.name for t in post.tags.order_by("name")] == ["a", "b"]
    assert "Saved." in client.get(post.get_edit_url()).content.decode()


def test_an_author_publishes_from_the_editor(client, author):
    client.force_login(author)
    client.post("/dashboard/posts/new/", {"title": "Live now", "body": "Hello", "action": "publish"})
    post = Post.objects.get()
    assert post.is_public
    assert "Live now" in client.get("/").content.decode()


def test_preview_renders_like_the_public_page_and_saves_nothing(client, author):
    client.force_login(author)
    response = client.post(
        "/dashboard/posts/new/",
        {"title": "Preview me", "body": "## Sub\n\n<script>alert(1)</script>\n\n- one", "action": "preview"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>Sub</h2>" in html and "<li>one</li>" in html
    assert "<script>alert" not in html
    assert "Preview me" in html
    assert not Post.objects.exists()


def test_scheduling_in_the_site_time_zone_is_stored_in_utc(client, author, settings):
    settings.TIME_ZONE = "Europe/Paris"
    year = timezone.now().year + 2
    client.force_login(author)
    client.post(
        "/dashboard/posts/new/",
        {"title": "Later", "body": "x", "published_at": f"{year}-07-15T10:30", "action": "schedule"},
    )
    post = Post.objects.get()
    assert post.is_scheduled
    # 10:30 in Paris in July (UTC+2) is 08:30 UTC.
    assert post.published_at == datetime(year, 7, 15, 8, 30, tzinfo=UTC)
    page = client.get(post.get_edit_url()).content.decode()
    assert f'value="{year}-07-15T10:30"' in page  # shown back as the writer entered it
    assert f"15 July {year}, 10:30" in page


def test_a_stale_save_shows_a_conflict_and_overwrites_nothing(client, author, make_post):
    post = make_post(author, "Shared", body="original", status=Post.Status.DRAFT)
    stale_version = post.version
    client.force_login(author)
    assert edit(client, post, body="from tab one").status_code == 302
    response = edit(client, post, body="from tab two", version=stale_version)
    assert response.status_code == 409
    assert "Nothing was saved" in response.content.decode()
    assert "from tab two" in response.content.decode()  # the writer's text is kept
    post.refresh_from_db()
    assert post.body == "from tab one"


def test_submitting_from_the_editor_e_mails_the_editors(
    client, contributor, editor, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(contributor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/dashboard/posts/new/", {"title": "For review", "body": "words", "action": "submit"}
        )
    post = Post.objects.get()
    assert response["Location"] == post.get_edit_url()
    assert post.status == Post.Status.REVIEW
    (message,) = mailoutbox
    assert message.to == ["edith@example.com"]
    assert f"http://testserver/dashboard/posts/{post.pk}/edit/" in message.body
    assert "Submitted for review" in client.get(post.get_edit_url()).content.decode()


def test_the_post_page_links_to_the_editor_for_those_who_may_edit(client, author, other_author, make_post):
    post = make_post(author, "Public post")
    assert post.get_edit_url() not in client.get(post.get_absolute_url()).content.decode()
    client.force_login(other_author)
    assert post.get_edit_url() not in client.get(post.get_absolute_url()).content.decode()
    client.force_login(author)
    assert post.get_edit_url() in client.get(post.get_absolute_url()).content.decode()

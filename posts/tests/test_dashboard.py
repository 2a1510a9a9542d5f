"""The dashboard: a writer's posts by status with counts, newest first, each status's newest ten and
the rest a page at a time; editors also see the review queue."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.template import engines
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from posts.dashboard import ROWS_PER_PAGE, ROWS_PER_STATUS, PostRows
from posts.models import Post

pytestmark = pytest.mark.django_db


def section(html, heading_id):
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_it_asks_visitors_to_sign_in(client):
    assert client.get("/dashboard/")["Location"] == "/accounts/login/?next=/dashboard/"


@pytest.fixture
def one_of_each_other_status(author, other_author, make_post):
    """The writer's posts in review, scheduled and live, and a draft of somebody else's."""
    make_post(author, "Waiting", status="review")
    make_post(author, "Later", published_at=timezone.now() + timedelta(days=1))
    make_post(author, "Live")
    make_post(other_author, "Not mine", status="draft")


def test_it_groups_the_writers_posts_by_status_with_counts(
    client, author, make_post, one_of_each_other_status
):
    make_post(author, "Draft old", status="draft")
    make_post(author, "Draft new", status="draft")
    client.force_login(author)
    html = client.get("/dashboard/").content.decode()
    drafts = section(html, "draft-heading")
    assert '<span class="count">2</span>' in drafts
    assert drafts.index("Draft new") < drafts.index("Draft old")  # newest first
    assert "Waiting" in section(html, "review-heading")
    assert "Later" in section(html, "scheduled-heading")
    assert "Live" in section(html, "published-heading") and "Later" not in section(html, "published-heading")
    assert "Not mine" not in html
    assert "Review queue" not in html


def test_editors_also_see_the_review_queue(client, editor, contributor, make_post):
    make_post(contributor, "Please publish me", status="review")
    make_post(contributor, "Still a draft", status="draft")
    client.force_login(editor)
    html = client.get("/dashboard/").content.decode()
    queue = section(html, "review-queue-heading")
    assert "Please publish me" in queue and "Cora Contributor" in queue
    assert "Still a draft" not in html
    assert "Please publish me" in client.get("/dashboard/review/").content.decode()


def test_a_change_to_a_remembered_list_of_rows_shows_at_once(client, editor, contributor, make_post):
    """A list's rows are made once and remembered (blogsite.jinja2.Remembered) by every string they
    show: a new title, or a writer's new name in the review queue, is on the next read."""
    mine = make_post(editor, "First title", status="draft")
    theirs = make_post(contributor, "Please publish me", status="review")
    client.force_login(editor)
    remembered = engines["jinja2"].env.globals["remembered"]
    client.get("/dashboard/")
    kept = len(remembered.made)
    html = client.get("/dashboard/").content.decode()
    assert "First title" in section(html, "draft-heading")
    assert len(remembered.made) == kept  # read again, made no list anew

    Post.objects.filter(pk=mine.pk).update(title="Second title")
    contributor.display_name = "Cora Renamed"
    contributor.save()
    html = client.get("/dashboard/").content.decode()
    assert "Second title" in section(html, "draft-heading") and "First title" not in html
    assert "Cora Renamed" in section(html, "review-queue-heading") and theirs.title in html


def test_a_list_read_as_before_is_not_built_again(client, author, make_post, monkeypatch, settings):
    """A list's rows are remembered by what they were read as: a dashboard read again builds none of
    their strings; a changed post, or another time zone, builds its list anew."""
    post = make_post(author, "First title", status="draft")
    make_post(author, "Live", status="published")
    client.force_login(author)
    client.get("/dashboard/")
    built = []
    rows = PostRows.rows
    monkeypatch.setattr(PostRows, "rows", lambda self: built.append(len(self)) or rows(self))
    assert "First title" in section(client.get("/dashboard/").content.decode(), "draft-heading")
    assert built == []

    Post.objects.filter(pk=post.pk).update(title="Second title")
    assert "Second title" in section(client.get("/dashboard/").content.decode(), "draft-heading")
    assert built == [1]  # the drafts, not the published list

    settings.TIME_ZONE = "Asia/Tokyo"
    html = client.get("/dashboard/").content.decode()
    assert built == [1, 1, 1]
    assert timezone.localtime(post.updated_at, ZoneInfo("Asia/Tokyo")).isoformat(timespec="seconds") in html


def test_the_dashboard_takes_a_constant_number_of_queries(
    client, editor, contributor, make_post, django_assert_num_queries
):
    for n in range(12):
        make_post(editor, f"Mine {n}", status=["draft", "review", "published"][n % 3])
        make_post(contributor, f"Queued {n}", status="review")
    client.force_login(editor)
    # user, the writer's posts, the review queue (the session comes from the cache)
    with django_assert_num_queries(3):
        response = client.get("/dashboard/")
    assert response.status_code == 200


def dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/").status_code == 200
    return len(queries)


def test_a_writers_dashboard_takes_as_many_queries_for_100_posts_as_for_10(client, author, make_post):
    for n in range(10):
        make_post(author, f"Post {n}", status=["draft", "review", "published"][n % 3])
    client.force_login(author)
    # user, the writer's posts (the session comes from the cache)
    assert dashboard_queries(client) == 2
    for n in range(90):
        make_post(author, f"More {n}", status=["draft", "review", "published"][n % 3])
    assert dashboard_queries(client) == 2


@pytest.mark.parametrize("zone", ["UTC", "America/St_Johns", "Asia/Kathmandu"])
def test_each_row_shows_its_time_as_the_date_filter_would(client, author, make_post, settings, zone):
    settings.TIME_ZONE = zone
    edited = make_post(author, "Edited", status="draft")
    live = make_post(author, "Live", published_at=datetime(2025, 3, 9, 23, 59, 30, 123456, tzinfo=UTC))
    later = make_post(author, "Later", published_at=datetime(2031, 12, 31, 23, 5, tzinfo=UTC))
    client.force_login(author)
    html = client.get("/dashboard/").content.decode()
    with timezone.override(zone):
        for post, moment, shown in [
            (edited, edited.updated_at, "edited"),
            (live, live.published_at, "published"),
            (later, later.published_at, "goes live"),
        ]:
            local = timezone.localtime(moment)
            text = date_filter(local, "j M Y" if shown == "published" else "j M Y, H:i")
            row = f'{shown} <time datetime="{local.isoformat(timespec="seconds")}">{text}</time>'
            assert row in section(html, f"{post.display_status}-heading")


def test_the_review_queue_page_takes_a_constant_number_of_queries(
    client, editor, contributor, make_post, django_assert_num_queries
):
    for n in range(12):
        make_post(contributor, f"Queued {n}", status="review")
    client.force_login(editor)
    # user, the queue's length, its page (the session comes from the cache)
    with django_assert_num_queries(3):
        client.get("/dashboard/review/")


def test_an_editor_publishes_a_submission_from_the_queue(client, editor, contributor, make_post):
    post = make_post(contributor, "Submitted", body="words", status=Post.Status.REVIEW)
    client.force_login(editor)
    html = client.get("/dashboard/review/").content.decode()
    assert post.get_edit_url() in html
    response = client.post(
        post.get_edit_url(),
        {"title": post.title, "body": post.body, "tags": "", "version": post.version, "action": "publish"},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.is_public and post.author == contributor


def test_delete_asks_for_confirmation_on_its_own_page(client, author, make_post):
    post = make_post(author, "Doomed", status="draft")
    client.force_login(author)
    page = client.get(f"/dashboard/posts/{post.pk}/delete/")
    assert page.status_code == 200
    assert "Delete “Doomed”?" in page.content.decode()
    assert Post.objects.filter(pk=post.pk).exists()
    response = client.post(f"/dashboard/posts/{post.pk}/delete/", follow=True)
    assert "Deleted “Doomed”." in response.content.decode()
    assert not Post.objects.filter(pk=post.pk).exists()


def test_a_contributors_published_post_links_to_its_page_not_the_editor(client, contributor, make_post):
    post = make_post(contributor, "Published by an editor")
    client.force_login(contributor)
    html = section(client.get("/dashboard/").content.decode(), "published-heading")
    assert f'href="{post.get_absolute_url()}"' in html
    assert post.get_edit_url() not in html


def test_saves_share_the_writers_per_minute_budget(client, author, make_post, settings):
    settings.BLOG_WRITES_PER_MINUTE = 2
    client.force_login(author)
    new_post = {"title": "Again", "body": "x", "action": "save"}
    assert client.post("/dashboard/posts/new/", new_post).status_code == 302
    assert client.post("/dashboard/posts/new/", new_post).status_code == 302
    response = client.post("/dashboard/posts/new/", new_post)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Post.objects.count() == 2
    assert client.get("/dashboard/posts/new/").status_code == 200  # reading is not limited


def titles(html) -> list[str]:
    return re.findall(r'class="post-row__title" href="[^"]*">([^<]*)</a>', html)


def test_each_status_shows_its_newest_posts_and_links_to_the_rest(client, author, make_post):
    for n in range(ROWS_PER_STATUS + 3):
        make_post(author, f"Draft {n}", status="draft")
    for n in range(ROWS_PER_STATUS):
        make_post(author, f"Waiting {n}", status="review")
    client.force_login(author)
    html = client.get("/dashboard/").content.decode()
    drafts, waiting = section(html, "draft-heading"), section(html, "review-heading")
    assert f'<span class="count">{ROWS_PER_STATUS + 3}</span>' in drafts
    assert titles(drafts) == [f"Draft {n}" for n in reversed(range(3, ROWS_PER_STATUS + 3))]
    assert f'<a href="?status=draft">All {ROWS_PER_STATUS + 3} drafts</a>' in drafts
    assert len(titles(waiting)) == ROWS_PER_STATUS and "?status=review" not in waiting  # nothing more to see
    assert f'href="#draft">Drafts <span class="count">{ROWS_PER_STATUS + 3}</span>' in html


@pytest.fixture
def page_and_a_bit_of_drafts(author, make_post):
    for n in range(ROWS_PER_PAGE + 2):
        make_post(author, f"Draft {n}", status="draft")


def test_a_status_lists_all_its_posts_a_page_at_a_time(
    client, author, page_and_a_bit_of_drafts, one_of_each_other_status
):
    client.force_login(author)
    first = client.get("/dashboard/?status=draft").content.decode()
    assert titles(first) == [f"Draft {n}" for n in reversed(range(2, ROWS_PER_PAGE + 2))]
    assert '<a rel="next" href="?status=draft&amp;page=2">' in first
    second = client.get("/dashboard/?status=draft&page=2").content.decode()
    assert (
        titles(second) == ["Draft 1", "Draft 0"]
        and '<a rel="prev" href="?status=draft&amp;page=1">' in second
    )
    assert titles(client.get("/dashboard/?status=draft&page=x").content.decode()) == titles(first)
    assert titles(client.get("/dashboard/?status=scheduled").content.decode()) == ["Later"]
    assert titles(client.get("/dashboard/?status=published").content.decode()) == ["Live"]
    assert titles(client.get("/dashboard/?status=review").content.decode()) == ["Waiting"]
    assert client.get("/dashboard/?status=deleted").status_code == 404


def test_a_status_page_takes_a_constant_number_of_queries(
    client, author, page_and_a_bit_of_drafts, django_assert_num_queries
):
    client.force_login(author)
    # user, the status's length, its page (the session comes from the cache)
    with django_assert_num_queries(3):
        assert client.get("/dashboard/?status=draft&page=2").status_code == 200


def test_the_review_queue_shows_the_oldest_submissions_and_links_to_the_whole_queue(
    client, editor, contributor, make_post
):
    for n in range(ROWS_PER_PAGE + 1):
        make_post(contributor, f"Queued {n}", status="review")
    client.force_login(editor)
    queue = section(client.get("/dashboard/").content.decode(), "review-queue-heading")
    assert titles(queue) == [f"Queued {n}" for n in range(ROWS_PER_STATUS)]  # first come, first served
    assert f'<span class="count">{ROWS_PER_PAGE + 1}</span>' in queue
    assert f"The whole queue: {ROWS_PER_PAGE + 1} posts" in queue
    first = client.get("/dashboard/review/").content.decode()
    assert titles(first) == [f"Queued {n}" for n in range(ROWS_PER_PAGE)]
    assert titles(client.get("/dashboard/review/?page=2").content.decode()) == [f"Queued {ROWS_PER_PAGE}"]

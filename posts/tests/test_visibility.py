"""Drafts, posts in review and scheduled posts do not exist for anyone but their author and editors."""

from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from blogsite import pagecache
from posts.models import Post

pytestmark = pytest.mark.django_db

LIST_PAGES = ["/", "/tags/news/", "/authors/asha/"]


@pytest.fixture
def hidden_posts(author, make_post):
    """One public post and one post of each hidden kind, all by the same author and tag."""
    make_post(author, "Public post", tags=["news"])
    return {
        "draft": make_post(author, "Secret draft", status=Post.Status.DRAFT, tags=["news"]),
        "review": make_post(author, "Secret review", status=Post.Status.REVIEW, tags=["news"]),
        "scheduled": make_post(
            author, "Secret scheduled", published_at=timezone.now() + timedelta(days=1), tags=["news"]
        ),
        "unpublished": make_post(
            author,
            "Secret unpublished",
            status=Post.Status.DRAFT,
            published_at=timezone.now() - timedelta(days=3),
            tags=["news"],
        ),
    }


def _sign_in(client, user):
    if user is not None:
        client.force_login(user)


@pytest.mark.parametrize("url", LIST_PAGES)
@pytest.mark.parametrize("viewer", ["visitor", "author", "other_author", "editor"])
def test_it_lists_only_public_posts_whoever_looks(client, request, hidden_posts, url, viewer):
    _sign_in(client, None if viewer == "visitor" else request.getfixturevalue(viewer))
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Public post" in content
    assert "Secret" not in content


@pytest.mark.parametrize("kind", ["draft", "review", "scheduled", "unpublished"])
def test_it_answers_404_to_visitors_for_hidden_posts(client, hidden_posts, kind):
    response = client.get(hidden_posts[kind].get_absolute_url())
    assert response.status_code == 404
    assert "Secret" not in response.content.decode()


@pytest.mark.parametrize("kind", ["draft", "review", "scheduled", "unpublished"])
@pytest.mark.parametrize("viewer", ["other_author", "contributor"])
def test_it_answers_404_to_other_writers_for_hidden_posts(client, request, hidden_posts, kind, viewer):
    client.force_login(request.getfixturevalue(viewer))
    assert client.get(hidden_posts[kind].get_absolute_url()).status_code == 404


@pytest.mark.parametrize("kind", ["draft", "review", "scheduled", "unpublished"])
@pytest.mark.parametrize("viewer", ["author", "editor", "admin_user"])
def test_it_shows_hidden_posts_to_their_author_and_editors(client, request, hidden_posts, kind, viewer):
    client.force_login(request.getfixturevalue(viewer))
    response = client.get(hidden_posts[kind].get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert hidden_posts[kind].title in content
    assert "only you and the editors can see it" in content


def test_it_tells_the_author_when_a_scheduled_post_goes_out(client, author, hidden_posts):
    client.force_login(author)
    content = client.get(hidden_posts["scheduled"].get_absolute_url()).content.decode()
    assert "This post is scheduled for" in content


def test_it_tells_the_author_a_post_is_in_review(client, author, hidden_posts):
    client.force_login(author)
    content = client.get(hidden_posts["review"].get_absolute_url()).content.decode()
    assert "This post is in review" in content


def test_it_shows_no_notice_on_public_posts(client, author, make_post):
    post = make_post(author, "Out there")
    client.force_login(author)
    assert "only you and the editors" not in client.get(post.get_absolute_url()).content.decode()


def test_it_publishes_a_scheduled_post_by_itself_when_its_time_comes(client, author, make_post):
    in_two_hours = timezone.now() + timedelta(hours=2)
    post = make_post(author, "Tomorrow's news", published_at=in_two_hours, tags=["news"])
    for url in ["/", "/tags/news/", post.get_absolute_url()]:
        assert "Tomorrow's news" not in unescape(client.get(url).content.decode())
    assert client.get("/authors/asha/").status_code == 404

    # Time passes: nothing runs, only the clock (here: the stored time) moves. A bulk update
    # sends no signal, so it retires the cached pages itself (they would last until 2 hours on).
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    pagecache.retire_pages()

    for url in ["/", "/tags/news/", "/authors/asha/", post.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Tomorrow's news" in unescape(response.content.decode()), url


def test_it_answers_404_for_an_author_with_nothing_public(client, author, make_post):
    make_post(author, "Only a draft", status=Post.Status.DRAFT)
    assert client.get("/authors/asha/").status_code == 404


def test_it_answers_404_for_a_tag_used_only_by_hidden_posts(client, author, make_post):
    make_post(author, "Only a draft", status=Post.Status.DRAFT, tags=["merger-plans"])
    make_post(author, "Only scheduled", published_at=timezone.now() + timedelta(days=1), tags=["launch"])
    assert client.get("/tags/merger-plans/").status_code == 404
    assert client.get("/tags/launch/").status_code == 404


def test_it_answers_404_for_unknown_posts_tags_and_authors(client, author):
    for url in ["/posts/nope/", "/tags/nope/", "/authors/nope/"]:
        assert client.get(url).status_code == 404


def test_it_answers_404_for_an_inactive_author(client, author, make_post):
    make_post(author, "Old post")
    author.is_active = False
    author.save()
    assert client.get("/authors/asha/").status_code == 404


def test_it_shows_no_hidden_neighbours_as_previous_or_next(client, author, make_post):
    now = timezone.now()
    make_post(author, "First public", published_at=now - timedelta(days=3))
    middle = make_post(author, "Middle public", published_at=now - timedelta(days=2))
    make_post(author, "Hidden draft between", status=Post.Status.DRAFT, published_at=now - timedelta(days=1))
    make_post(author, "Hidden future", published_at=now + timedelta(days=1))
    content = client.get(middle.get_absolute_url()).content.decode()
    assert "First public" in content
    assert "Hidden" not in content

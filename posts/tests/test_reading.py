"""Reading on: previous, next and related posts under a post, and the list of tags."""

from datetime import timedelta

import pytest
from django.utils import timezone

from posts.models import Post, PostLink, RelatedPost

pytestmark = pytest.mark.django_db


def test_it_shows_posts_sharing_the_most_tags_first(client, author, make_post):
    make_post(author, "Shares one", tags=["django"])
    make_post(
        author, "Shares two", tags=["django", "postgres"], published_at=timezone.now() - timedelta(days=9)
    )
    make_post(author, "Draft sharing all", status=Post.Status.DRAFT, tags=["django", "postgres", "search"])
    make_post(author, "Shares none", tags=["cooking"])  # the previous post
    post = make_post(author, "Main", tags=["django", "postgres", "search"], published_at=timezone.now())
    assert [p.title for p in post.related_public(list(post.tags.all()))] == ["Shares two", "Shares one"]
    content = client.get(post.get_absolute_url()).content.decode()
    related = content[content.index("Related posts") :]
    assert related.index("Shares two") < related.index("Shares one")
    assert "Shares none" not in related and "Draft sharing all" not in related


def test_a_post_without_tags_has_no_related_section(client, author, make_post):
    post = make_post(author, "Lonely")
    make_post(author, "Other", tags=["x"])
    assert "Related posts" not in client.get(post.get_absolute_url()).content.decode()


def test_the_post_page_runs_a_constant_number_of_queries(
    client, author, make_post, django_assert_num_queries
):
    post = make_post(author, "Main", tags=["a", "b"])
    for n in range(8):
        make_post(author, f"Other {n}", tags=["a", "b", f"t{n}"])
    # post and author; its tags, previous and next, related (one query: Post.page_links)
    with django_assert_num_queries(2):
        response = client.get(post.get_absolute_url())
    assert response.content.decode().count('<li><a href="/posts/other-') == 3


def test_the_tag_list_counts_public_posts_only(client, author, make_post, django_assert_num_queries):
    make_post(author, "One", tags=["django", "postgres"])
    make_post(author, "Two", tags=["django"])
    make_post(author, "Draft", status=Post.Status.DRAFT, tags=["django", "secret"])
    make_post(author, "Later", published_at=timezone.now() + timedelta(days=3), tags=["django", "future"])
    with django_assert_num_queries(1):  # the tags with their kept counts, the scheduled posts left out
        content = client.get("/tags/").content.decode()
    assert 'href="/tags/django/">#django <span class="tag__count">2' in content
    assert 'href="/tags/postgres/">#postgres <span class="tag__count">1' in content
    assert "secret" not in content and "future" not in content
    assert client.get("/tags/django/feed/").status_code == 200
    assert client.get("/tags/future/feed/").status_code == client.get("/tags/secret/feed/").status_code == 404


def test_related_posts_leave_out_the_previous_and_next_posts(client, author, make_post):
    older = make_post(author, "Older", tags=["django"], published_at=timezone.now() - timedelta(days=3))
    make_post(author, "Oldest", tags=["django"], published_at=timezone.now() - timedelta(days=5))
    post = make_post(author, "Main", tags=["django"], published_at=timezone.now() - timedelta(days=2))
    content = client.get(post.get_absolute_url()).content.decode()
    related = content[content.index("Related posts") :]
    assert "Oldest" in related and older.title not in related.replace("Oldest", "")


def link(post):
    """A post as its neighbours link to it."""
    return None if post is None else PostLink.to(post)


def test_previous_and_next_walk_posts_in_publication_order_even_at_the_same_second(author, make_post):
    at = timezone.now() - timedelta(days=1)
    older = make_post(author, "Older", published_at=at - timedelta(hours=1))
    first, second, third = (make_post(author, f"Same time {n}", published_at=at) for n in range(3))
    newer = make_post(author, "Newer", published_at=at + timedelta(hours=1))
    order = [older, first, second, third, newer]
    for before, post, after in zip([None, *order[:-1]], order, [*order[1:], None], strict=True):
        assert post.previous_public() == before
        assert post.next_public() == after
        assert post.neighbours() == (link(before), link(after))


def test_previous_and_next_pass_over_drafts_pages_and_scheduled_posts_at_the_same_second(author, make_post):
    at = timezone.now() - timedelta(days=1)
    older = make_post(author, "Older", published_at=at - timedelta(hours=1))
    make_post(author, "Draft before", status=Post.Status.DRAFT, published_at=at - timedelta(minutes=1))
    post = make_post(author, "Main", published_at=at)
    page = make_post(author, "About", published_at=at)
    page.is_page = True
    page.save()
    make_post(author, "Draft at the same second", status=Post.Status.DRAFT, published_at=at)
    newer = make_post(author, "Newer", published_at=at + timedelta(hours=1))
    make_post(author, "Scheduled", published_at=timezone.now() + timedelta(days=1))
    assert (post.previous_public(), post.next_public()) == (older, newer)
    assert post.neighbours() == (link(older), link(newer))
    assert newer.neighbours() == (link(post), None)
    assert older.neighbours() == (None, link(post))


def test_a_post_reads_its_tags_in_the_order_its_tag_list_has(author, make_post):
    post = make_post(author, "Tagged", tags=["web", "Django", "ops", "api"])
    make_post(author, "Other", tags=["zebra", "web"])
    assert post.tags_by_name() == [(tag.pk, tag.name, tag.slug) for tag in post.tags.all()]
    assert [tag.get_absolute_url() for tag in post.tags_by_name()] == [
        tag.get_absolute_url() for tag in post.tags.all()
    ]


def test_a_post_pages_links_are_read_in_one_query_as_their_own_reads_give_them(
    author, make_post, django_assert_num_queries
):
    at = timezone.now() - timedelta(days=1)
    older = make_post(author, "Older", tags=["web", "ops"], published_at=at - timedelta(hours=1))
    post = make_post(author, "Main", tags=["web", "Django", "ops"], published_at=at)
    make_post(author, "Newer", tags=["ops"], published_at=at + timedelta(hours=1))
    make_post(author, "Shares two", tags=["web", "Django"], published_at=at - timedelta(days=3))
    expected = (post.tags_by_name(), post.neighbours(), RelatedPost.objects.of(post))
    assert [tag.name for tag in expected[0]] == ["Django", "ops", "web"]
    assert expected[1][0] == link(older) and len(expected[2]) == 4  # three, and the post itself
    with django_assert_num_queries(1):
        assert post.page_links() == expected

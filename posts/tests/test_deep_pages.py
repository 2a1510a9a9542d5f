"""Deep pages of the site's list and a writer's are read from anchors (``posts.cards.ListAnchors``):
they hold what reading by offset holds, whatever changed in the list since the anchors were found."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from posts.cards import ApiCards, ListAnchors, PostCard, PublicCards
from posts.models import ListCount, Post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def anchors_every_third_post(monkeypatch):
    """Anchors as they are at a thousand posts, at a dozen: past the third post, pages start from one."""
    monkeypatch.setattr(ListAnchors, "EVERY", 3)


@pytest.fixture
def long_blog(author, other_author, make_post):
    """17 public posts (some at the same second) among a draft, a scheduled post and a page."""
    at = timezone.now() - timedelta(days=2)
    posts = [
        make_post(author if n % 3 else other_author, f"Post {n}", published_at=at - timedelta(hours=n // 2))
        for n in range(17)
    ]
    make_post(author, "Draft", status=Post.Status.DRAFT, published_at=at)
    make_post(author, "Scheduled", published_at=timezone.now() + timedelta(days=1))
    page = make_post(author, "About", published_at=at)
    page.is_page = True
    page.save()
    return posts


# The site's list, and a writer's.
LISTS = pytest.mark.parametrize("of_writer", [False, True], ids=["site", "writer"])


def shown(of: dict, *, size: int = 4) -> list[int]:
    """Every page of a list as the site reads it, from anchors once past the first ones."""
    count = ListCount.objects.public_posts(**of)
    return [
        card.pk
        for start in range(0, count, size)
        for card in PostCard.page_of(start, start + size, count=count, **of)
    ]


def expected(of: dict) -> list[int]:
    posts = Post.objects.public()
    if "author" in of:
        posts = posts.filter(author_id=of["author"])
    return list(posts.newest_first().values_list("pk", flat=True))


@LISTS
def test_deep_pages_hold_the_list_in_its_order(long_blog, author, of_writer):
    of = {"author": author.pk} if of_writer else {}
    assert shown(of) == expected(of)
    assert shown(of, size=5) == expected(of)


@LISTS
def test_deep_pages_follow_every_change_to_the_list(long_blog, author, make_post, of_writer):
    of = {"author": author.pk} if of_writer else {}
    assert shown(of) == expected(of)  # the anchors are found and kept
    middle, oldest = long_blog[8], long_blog[-1]

    make_post(author, "Backdated", published_at=oldest.published_at - timedelta(hours=1))
    assert shown(of) == expected(of)
    middle.status = Post.Status.DRAFT
    middle.save()
    assert shown(of) == expected(of)
    oldest.published_at = timezone.now() - timedelta(minutes=5)
    oldest.save()
    assert shown(of) == expected(of)
    Post.objects.filter(pk=long_blog[3].pk).delete()
    assert shown(of) == expected(of)
    Post.objects.filter(pk=long_blog[5].pk).update(published_at=timezone.now() + timedelta(days=3))
    assert shown(of) == expected(of)


def test_a_post_whose_time_comes_does_not_move_the_anchors(
    long_blog, make_post, author, django_assert_num_queries
):
    soon = make_post(author, "Soon", published_at=timezone.now() + timedelta(days=1))
    assert shown({}) == expected({})
    its_time = timezone.now() - timedelta(seconds=1)
    Post.objects.filter(pk=soon.pk).update(published_at=its_time)  # no signal: its time just came
    # No write retired the list, and the kept anchors still hold: counted from the oldest post.
    count = ListCount.objects.public_posts()
    with django_assert_num_queries(1):  # the page's posts with their tags: the anchors are kept
        cards = PostCard.page_of(12, 16, count=count)
    assert [card.pk for card in cards] == expected({})[12:16]


def test_a_deep_page_reads_as_many_queries_as_the_first_once_its_anchors_are_kept(
    long_blog, django_assert_num_queries
):
    count = ListCount.objects.public_posts()
    PostCard.page_of(12, 16, count=count)
    with django_assert_num_queries(1):  # the page's posts with their tags
        PostCard.page_of(12, 16, count=count)


def test_the_apis_deep_pages_hold_what_the_sites_hold(long_blog):
    count = ListCount.objects.public_posts()
    for start in range(0, count, 4):
        assert [card.pk for card in ApiCards(count)[start : start + 4]] == expected({})[start : start + 4]


@LISTS
def test_a_deep_page_reads_no_count_once_its_anchors_are_kept(
    long_blog, author, of_writer, django_assert_num_queries
):
    of = {"author": author.pk} if of_writer else {}
    count = ListCount.objects.public_posts(**of)
    with django_assert_num_queries(2):  # the anchors, found with the list's count; the page
        cards = PublicCards(**of)
        page = cards.counted_page(4, 8)
    assert cards.count() == count
    assert [card.pk for card in page] == expected(of)[4:8]
    with django_assert_num_queries(1):  # the page: the count is kept with the anchors
        cards = PublicCards(**of)
        page = cards.counted_page(4, 8)
    assert [card.pk for card in page] == expected(of)[4:8]
    assert cards.count() == count
    # Past the end: no page, and the count for the paginator to find the last one.
    cards = PublicCards(**of)
    assert cards.counted_page(count + 4, count + 8) is None
    assert cards.count() == count


def test_a_kept_count_takes_in_a_post_whose_time_comes(long_blog, author, make_post):
    before = PublicCards()
    before.counted_page(4, 8)  # the count kept, with the anchors
    soon = make_post(author, "Soon", published_at=timezone.now() + timedelta(seconds=1.5))
    cards = PublicCards()
    cards.counted_page(4, 8)
    assert cards.count() == before.count() == ListCount.objects.public_posts()
    time.sleep(max(0, (soon.published_at - timezone.now()).total_seconds()) + 0.1)
    cards = PublicCards()
    assert [card.pk for card in cards.counted_page(4, 8)] == expected({})[4:8]
    assert cards.count() == before.count() + 1 == ListCount.objects.public_posts()

"""Deep pages of the site's list, a tag's and a writer's are read from anchors (``posts.cards.ListAnchors``):
they hold what reading by offset holds, whatever changed in the list since the anchors were found."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from posts.cards import ApiCards, ListAnchors, PostCard, PublicCards
from posts.models import ListCount, Post, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def anchors_every_third_post(monkeypatch):
    """Anchors as they are at a thousand posts, at a dozen: past the third post, pages start from one."""
    monkeypatch.setattr(ListAnchors, "EVERY", 3)


@pytest.fixture
def long_blog(author, other_author, make_post):
    """17 public posts (some at the same second) among a draft, a scheduled post and a page; all
    but every fifth of them tagged "deep"."""
    at = timezone.now() - timedelta(days=2)
    posts = [
        make_post(
            author if n % 3 else other_author,
            f"Post {n}",
            published_at=at - timedelta(hours=n // 2),
            tags=["deep"] if n % 5 else ["shallow"],
        )
        for n in range(17)
    ]
    make_post(author, "Draft", status=Post.Status.DRAFT, published_at=at, tags=["deep"])
    make_post(author, "Scheduled", published_at=timezone.now() + timedelta(days=1), tags=["deep"])
    page = make_post(author, "About", published_at=at, tags=["deep"])
    page.is_page = True
    page.save()
    return posts


# The site's list, a tag's, and a writer's.
LISTS = pytest.mark.parametrize("kind", ["site", "tag", "writer"])


def list_of(kind: str, author) -> dict:
    """The ``tag`` or ``author`` a list of ``kind`` is named by, by id, as the site's pages name it."""
    if kind == "tag":
        return {"tag": Tag.objects.get(slug="deep").pk}
    return {"author": author.pk} if kind == "writer" else {}


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
    if "tag" in of:
        posts = posts.filter(tags=of["tag"])
    return list(posts.newest_first().values_list("pk", flat=True))


@LISTS
def test_deep_pages_hold_the_list_in_its_order(long_blog, author, kind):
    of = list_of(kind, author)
    assert shown(of) == expected(of)
    assert shown(of, size=5) == expected(of)


@LISTS
def test_deep_pages_follow_every_change_to_the_list(long_blog, author, make_post, kind):
    of = list_of(kind, author)
    assert shown(of) == expected(of)  # the anchors are found and kept
    middle, oldest = long_blog[8], long_blog[-1]

    make_post(author, "Backdated", published_at=oldest.published_at - timedelta(hours=1), tags=["deep"])
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
    Post.objects.filter(pk=long_blog[6].pk).update(is_page=True)
    assert shown(of) == expected(of)
    Post.objects.filter(pk__in=[long_blog[11].pk, long_blog[12].pk]).update(status=Post.Status.DRAFT)
    assert shown(of) == expected(of)
    Post.objects.filter(pk=long_blog[12].pk).update(status=Post.Status.PUBLISHED)
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


def names_of(kind: str, author) -> dict:
    """The ``tag`` or ``author`` a list of ``kind`` is named by in the API: a slug, a username."""
    if kind == "tag":
        return {"tag": "deep"}
    return {"author": author.username} if kind == "writer" else {}


def api_list_url(names: dict) -> str:
    """The API's list of 4 posts a page named by ``names``, ready for its ``page=``."""
    return "/api/posts?page_size=4&" + "".join(f"{name}={value}&" for name, value in names.items())


@LISTS
def test_the_apis_deep_pages_hold_what_the_sites_hold(client, long_blog, author, kind, settings):
    settings.PAGE_CACHE_SECONDS = 0  # every read made afresh
    of, names = list_of(kind, author), names_of(kind, author)
    count = ListCount.objects.public_posts(**of)
    for start in range(0, count, 4):
        assert [card.pk for card in ApiCards.named(**names)[start : start + 4]] == expected(of)[
            start : start + 4
        ]
    url = api_list_url(names)
    pages = [client.get(f"{url}page={number}").json() for number in range(1, count // 4 + 2)]
    assert [post["id"] for page in pages for post in page["results"]] == expected(of)
    assert {page["count"] for page in pages} == {count}


@LISTS
def test_the_apis_deep_pages_read_as_many_queries_as_its_first(client, long_blog, author, kind, settings):
    """By name too: the list's id is found first, and a deep page read from its kept anchors."""
    settings.PAGE_CACHE_SECONDS = 0
    url = api_list_url(names_of(kind, author))
    client.get(f"{url}page=3")  # the anchors, found with the list's count
    queries = []
    for number in (1, 3):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{url}page={number}").status_code == 200
        queries.append([query["sql"] for query in captured.captured_queries])
    first, deep = queries
    assert len(deep) == len(first) == (1 if kind == "site" else 2)
    assert ") >= (" in deep[-1] and ") >= (" not in first[-1]  # the page starts from an anchor


@LISTS
def test_a_deep_page_reads_no_count_once_its_anchors_are_kept(
    long_blog, author, kind, django_assert_num_queries
):
    of = list_of(kind, author)
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


def test_a_tags_deep_pages_follow_its_posts_tags(long_blog, author, make_post):
    of = list_of("tag", author)
    deep, shallow = Tag.objects.get(slug="deep"), Tag.objects.get(slug="shallow")
    assert shown(of) == expected(of)

    long_blog[2].tags.remove(deep)
    assert shown(of) == expected(of)
    long_blog[10].tags.add(deep)  # a post of the other tag joins
    assert shown(of) == expected(of)
    long_blog[4].tags.set([shallow])
    assert shown(of) == expected(of)
    draft = Post.objects.get(title="Draft")
    draft.status = Post.Status.PUBLISHED
    draft.save()
    assert shown(of) == expected(of)
    make_post(author, "Newest", tags=["deep"])
    assert shown(of) == expected(of)


def test_a_tag_row_keeps_its_posts_time_only_while_the_post_is_listed(long_blog):
    """The database's own column behind a tag's pages (migration 0021): the post's time while it
    is published and not a page, else nothing, whichever way the post was written."""
    Post.objects.filter(pk=long_blog[1].pk).update(is_page=True)
    Post.objects.filter(pk=long_blog[2].pk).update(published_at=timezone.now() + timedelta(days=1))
    long_blog[3].status = Post.Status.DRAFT
    long_blog[3].save()
    # Tag rows moved to another post, as raw SQL or a bulk update would move them.
    deep = Tag.objects.get(slug="deep")
    Post.tags.through.objects.filter(post=long_blog[7], tag=deep).update(post=long_blog[15])
    Post.tags.through.objects.filter(post=long_blog[3], tag=deep).update(post=long_blog[10])
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, status, is_page, published_at FROM posts_post")
        listed = {
            pk: at if status == Post.Status.PUBLISHED and not is_page else None
            for pk, status, is_page, at in cursor.fetchall()
        }
        cursor.execute("SELECT post_id, listed_at FROM posts_post_tags")
        kept = cursor.fetchall()
    assert len(kept) == 20
    assert kept == [(pk, listed[pk]) for pk, _at in kept]
    assert listed[long_blog[1].pk] is None and listed[long_blog[3].pk] is None
    assert listed[long_blog[2].pk] is not None  # scheduled: listed, for when its time comes

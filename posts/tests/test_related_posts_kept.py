"""Related posts are read from a kept ranking, and every change keeps each ranking exact."""

import random
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from posts.models import Post, PostLink, RelatedPost, Tag

pytestmark = pytest.mark.django_db


def kept(post):
    """The ranking a post keeps, best first (its own marker row left out)."""
    return [related.pk for related in RelatedPost.objects.of(post) if related.pk != post.pk]


def ranked_now(post):
    """What ranking every published post afresh gives: most shared tags, then newest."""
    return list(
        Post.objects.filter(status=Post.Status.PUBLISHED, tags__in=post.tags.all())
        .exclude(pk=post.pk)
        .annotate(shared=Count("tags"))
        .order_by("-shared", "-published_at", "-id")
        .values_list("pk", flat=True)[: RelatedPost.KEPT]
    )


def days_ago(n):
    return timezone.now() - timedelta(days=n)


def test_it_reads_a_kept_ranking_in_one_query(author, make_post, django_assert_num_queries):
    make_post(author, "Older", tags=["django"], published_at=days_ago(3))
    post = make_post(author, "Main", tags=["django"], published_at=days_ago(1))
    with django_assert_num_queries(1):
        assert [p.title for p in post.related_public(["django"])] == ["Older"]


def test_it_ranks_a_post_whose_ranking_was_never_made_when_first_read(author, make_post):
    older = make_post(author, "Older", tags=["django"], published_at=days_ago(3))
    post = make_post(author, "Main", tags=["django"], published_at=days_ago(1))
    RelatedPost.objects.retire_all()  # as after a bulk load
    assert post.related_public(["django"]) == [PostLink.to(older)]
    assert kept(post) == [older.pk]


def test_a_newly_published_post_joins_the_rankings_it_belongs_in(author, make_post):
    post = make_post(author, "Main", tags=["django", "postgres"], published_at=days_ago(5))
    one = make_post(author, "Shares one", tags=["django"], published_at=days_ago(1))
    two = make_post(author, "Shares two", tags=["django", "postgres"], published_at=days_ago(9))
    assert kept(post) == [two.pk, one.pk]
    draft = make_post(author, "Draft", status=Post.Status.DRAFT, tags=["django", "postgres"])
    assert draft.pk not in kept(post)
    draft.publish()
    assert kept(post) == [draft.pk, two.pk, one.pk]


def test_it_cuts_each_kept_ranking_back_to_its_best(author, make_post):
    post = make_post(author, "Main", tags=["django"], published_at=days_ago(30))
    others = [
        make_post(author, f"Other {n}", tags=["django"], published_at=days_ago(20 - n)) for n in range(12)
    ]
    assert kept(post) == [p.pk for p in reversed(others)][: RelatedPost.KEPT]
    assert RelatedPost.objects.filter(post=post).count() == RelatedPost.KEPT + 1


def test_unpublished_deleted_and_retagged_posts_leave_the_rankings(author, make_post):
    post = make_post(author, "Main", tags=["django"], published_at=days_ago(30))
    a, b, c = (
        make_post(author, f"Other {n}", tags=["django"], published_at=days_ago(9 - n)) for n in range(3)
    )
    a.unpublish()
    assert kept(post) == []  # retired: ranked again when next read
    assert post.related_public(["django"]) == [PostLink.to(c), PostLink.to(b)]
    b.delete()
    assert post.related_public(["django"]) == [PostLink.to(c)]
    c.tags.set(Tag.from_names(["cooking"]))
    assert post.related_public(["django"]) == []


def test_a_scheduled_post_is_kept_but_shown_only_once_it_is_live(author, make_post):
    post = make_post(author, "Main", tags=["django"], published_at=days_ago(3))
    later = make_post(author, "Later", tags=["django"], published_at=timezone.now() + timedelta(days=1))
    assert kept(post) == [later.pk]
    assert post.related_public(["django"]) == []


def test_every_kept_ranking_stays_what_ranking_afresh_gives(author, make_post):
    rng = random.Random(16)
    names = ["a", "b", "c", "d", "e"]
    posts = []
    for n in range(30):
        tags = rng.sample(names, k=rng.randint(1, 3))
        posts.append(make_post(author, f"Post {n}", tags=tags, published_at=days_ago(rng.randint(1, 60))))
    for post in posts[:10]:
        post.related_public(["x"])  # first reads make rankings
    for step in range(40):
        post = rng.choice(posts)
        post.refresh_from_db()
        action = rng.random()
        if action < 0.3:
            post.tags.set(Tag.from_names(rng.sample(names, k=rng.randint(1, 3))))
        elif action < 0.5:
            post.unpublish() if post.status == Post.Status.PUBLISHED else post.publish(at=days_ago(step % 7))
        elif action < 0.7:
            post.published_at = days_ago(rng.randint(1, 60))
            post.save()
        elif action < 0.8 and len(posts) > 20:
            posts.remove(post)
            post.delete()
        else:
            posts.append(make_post(author, f"New {step}", tags=rng.sample(names, k=2)))
        for reader in rng.sample(posts, k=5):  # readers come by and rankings are made
            if reader.status == Post.Status.PUBLISHED:
                reader.related_public(["x"])
    checked = 0
    for post in posts:
        post.refresh_from_db()
        if post.status == Post.Status.PUBLISHED and RelatedPost.objects.filter(post=post).exists():
            assert kept(post) == ranked_now(post), post.title
            checked += 1
    assert checked >= 5  # rankings kept through the changes, not only made afresh

"""Each public list's count of posts is kept by the database, exact after every kind of change,
and read in one query: "page N of M" and the API's ``count`` no longer count every post."""

import random
from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from posts.models import ListCount, Post, Tag

pytestmark = pytest.mark.django_db


def counted_afresh(author_ids, tag_ids) -> dict:
    """What each list's count should be, counted from the posts themselves."""
    public = Post.objects.public()
    expected = {"site": public.count()}
    expected |= {f"author {pk}": public.filter(author_id=pk).count() for pk in author_ids}
    expected |= {f"tag {pk}": public.filter(tags=pk).count() for pk in tag_ids}
    return expected


def as_kept(author_ids, tag_ids) -> dict:
    kept = {"site": ListCount.objects.public_posts()}
    kept |= {f"author {pk}": ListCount.objects.public_posts(author=pk) for pk in author_ids}
    kept |= {f"tag {pk}": ListCount.objects.public_posts(tag=pk) for pk in tag_ids}
    return kept


def test_it_counts_a_list_in_one_query(author, make_post, django_assert_num_queries):
    make_post(author, "One", tags=["news"])
    make_post(author, "Two", tags=["news", "django"])
    make_post(author, "Draft", status=Post.Status.DRAFT, tags=["news"])
    news = Tag.objects.get(name="news")
    with django_assert_num_queries(1):
        assert ListCount.objects.public_posts(tag=news.pk) == 2
    assert ListCount.objects.public_posts() == 2
    assert ListCount.objects.public_posts(author=author.pk) == 2


def test_it_leaves_out_scheduled_posts_until_their_time(author, make_post):
    make_post(author, "Now", tags=["news"])
    make_post(author, "Later", published_at=timezone.now() + timedelta(days=1), tags=["news"])
    news = Tag.objects.get(name="news")
    assert ListCount.objects.public_posts() == 1
    assert ListCount.objects.public_posts(tag=news.pk) == 1
    assert ListCount.objects.public_posts(author=author.pk) == 1
    Post.objects.filter(title="Later").update(published_at=timezone.now() - timedelta(seconds=1))
    assert ListCount.objects.public_posts(tag=news.pk) == 2  # went live: no write needed


def test_it_counts_nothing_for_a_list_never_used(db):
    assert ListCount.objects.public_posts() == 0
    assert ListCount.objects.public_posts(tag=12345) == 0
    assert ListCount.objects.public_posts(author=12345) == 0


def test_it_takes_a_tag_by_subquery(author, make_post):
    make_post(author, "One", tags=["news"])
    assert ListCount.objects.public_posts(tag=Tag.objects.filter(slug="news")) == 1
    assert ListCount.objects.public_posts(tag=Tag.objects.filter(slug="nothing")) == 0


def test_a_list_by_id_and_by_subquery_count_alike(author, other_author, make_post):
    later = timezone.now() + timedelta(days=1)
    make_post(author, "Now", tags=["news", "django"])
    make_post(author, "Later", published_at=later, tags=["news"])
    make_post(other_author, "Theirs", tags=["news"])
    make_post(other_author, "Theirs later", published_at=later, tags=["django"])
    make_post(author, "Draft", status=Post.Status.DRAFT, tags=["news"])
    page = make_post(author, "About", tags=["news"])
    page.is_page = True
    page.save()
    users = type(author).objects
    for tag in Tag.objects.all():
        by_id = ListCount.objects.public_posts(tag=tag.pk)
        assert by_id == ListCount.objects.public_posts(tag=Tag.objects.filter(pk=tag.pk))
        assert by_id == Post.objects.public().filter(tags=tag).count()
    for writer in (author, other_author):
        by_id = ListCount.objects.public_posts(author=writer.pk)
        assert by_id == ListCount.objects.public_posts(author=users.filter(pk=writer.pk))
        assert by_id == Post.objects.public().filter(author=writer).count()
    assert ListCount.objects.public_posts() == Post.objects.public().count() == 2


def test_it_keeps_every_count_exact_through_any_change(author, other_author, make_post):
    """Random publishes, unpublishes, retags, bulk updates, moves between writers, pages and deletes."""
    rng = random.Random(16)
    writers = [author.pk, other_author.pk]
    tags = Tag.from_names([f"t{n}" for n in range(5)])
    tag_ids = [tag.pk for tag in tags]
    now = timezone.now()
    for step in range(120):
        posts = list(Post.objects.all())
        action = rng.choice(["make", "make", "status", "tags", "bulk", "author", "page", "delete", "tag"])
        post = rng.choice(posts) if posts else None
        if action == "make" or post is None:
            status = rng.choice([Post.Status.PUBLISHED, Post.Status.PUBLISHED, Post.Status.DRAFT])
            when = now + timedelta(hours=rng.choice([-5, -1, 3]))
            made = make_post(
                author if rng.random() < 0.5 else other_author,
                f"Post {step}",
                status=status,
                published_at=when if status == Post.Status.PUBLISHED else None,
            )
            made.tags.set(rng.sample(tags, rng.randint(0, 3)))
        elif action == "status":
            post.unpublish() if post.status == Post.Status.PUBLISHED else post.publish()
        elif action == "tags":
            tag = rng.choice(tags)
            change = rng.choice(["add", "remove", "clear", "tag add", "tag remove"])
            if change == "add":
                post.tags.add(tag)
            elif change == "remove":
                post.tags.remove(tag)
            elif change == "clear":
                post.tags.clear()
            elif change == "tag add":
                tag.posts.add(post)
            else:
                tag.posts.remove(post)
        elif action == "bulk":
            Post.objects.filter(Q(pk=post.pk) | Q(title__endswith="7")).update(
                status=rng.choice(Post.Status.values), published_at=now - timedelta(minutes=step)
            )
        elif action == "author":
            Post.objects.filter(pk=post.pk).update(author_id=rng.choice(writers))
        elif action == "page":
            Post.objects.filter(pk=post.pk).update(is_page=not post.is_page)
        elif action == "tag":
            rng.choice(tags).posts.clear()
        else:
            post.delete()
        assert as_kept(writers, tag_ids) == counted_afresh(writers, tag_ids), f"step {step}: {action}"


def test_a_deleted_tag_takes_its_posts_out_of_its_count(author, make_post):
    make_post(author, "One", tags=["news", "django"])
    news = Tag.objects.get(name="news")
    news_id = news.pk
    news.delete()
    assert ListCount.objects.public_posts(tag=news_id) == 0
    assert ListCount.objects.public_posts() == 1

"""The cards of the home, tag and author pages are read with written-out SQL (posts/cards.py):
they hold the posts PostQuerySet.public() names, in its order, with what a card shows."""

import re
from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.utils import timezone

from media.models import Image, Rendition
from media.tests import images
from posts.cards import (
    CARDS_SQL,
    ApiCards,
    PostCard,
    PublicCards,
    PublicListPaginator,
    public_post,
    written_for,
)
from posts.models import KEPT_COUNT_SQL, ListCount, Post, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def blog(author, other_author, make_post):
    """Public posts, some at the same second, among drafts, pages and scheduled posts."""
    at = timezone.now() - timedelta(days=1)
    for n in range(7):
        writer = author if n % 2 else other_author
        make_post(writer, f"Post {n}", published_at=at - timedelta(hours=n // 3), tags=["news", f"t{n % 2}"])
    make_post(author, "Draft", status=Post.Status.DRAFT, published_at=at, tags=["news"])
    make_post(author, "Scheduled", published_at=timezone.now() + timedelta(days=1), tags=["news"])
    page = make_post(author, "About", published_at=at, tags=["news"])
    page.is_page = True
    page.save()


def test_cards_hold_the_public_posts_in_their_order_page_by_page(blog, author):
    news = Tag.objects.get(name="news")
    lists = [
        ({}, Post.objects.public()),
        ({"tag": news.pk}, Post.objects.public().filter(tags=news)),
        ({"author": author.pk}, Post.objects.public().filter(author=author)),
    ]
    for of, posts in lists:
        expected = list(posts.newest_first())
        for start in range(0, 8, 3):
            cards = PostCard.page_of(start, start + 3, **of)
            assert [card.pk for card in cards] == [post.pk for post in expected[start : start + 3]]
            for card, post in zip(cards, expected[start : start + 3], strict=True):
                assert (card.title, card.published_at, card.author_id) == (
                    post.title,
                    post.published_at,
                    post.author_id,
                )
                assert card.get_absolute_url() == post.get_absolute_url()
                # What the list template reads: the addresses the models give.
                assert card.url == post.url == post.get_absolute_url()
                assert card.author.url == post.author.url == post.author.get_absolute_url()
                assert [tag.url for tag in card.tags] == [tag.get_absolute_url() for tag in post.tags.all()]
                assert card.author.name == post.author.name
                assert card.tags == [(tag.pk, tag.name, tag.slug) for tag in post.tags.all()]


def test_an_empty_page_asks_the_database_nothing(blog, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert PostCard.page_of(0, 0) == []


def test_a_card_shows_its_cover_with_the_renditions_read_once(author, make_post, django_assert_num_queries):
    cover = Image.objects.create_from_upload(images.upload(images.jpeg(2000, 1000)), author, alt="Hills")
    post = make_post(author, "With a cover", tags=["news"])
    post.cover = cover
    post.save()
    make_post(author, "Without")
    fields = ("pk", "image_id", "file", "width", "height", "content_type", "bytes")
    stored = list(Rendition.objects.filter(image=cover).values_list(*fields))  # in the model's order
    assert len(stored) > 1
    with django_assert_num_queries(1):  # the posts with their writers, tags, covers and renditions
        cards = PostCard.page_of(0, 10)
        shown = [tuple(getattr(r, f) for f in fields) for r in cards[1].cover.renditions.all()]
    assert shown == stored
    shown = cards[1].cover
    assert (shown.pk, shown.alt, shown.file.name) == (cover.pk, cover.alt, cover.file.name)
    assert (shown.width, shown.height, shown.content_type) == (2000, 1000, cover.content_type)
    assert cards[0].cover is None


def test_a_list_named_by_slug_or_username_holds_the_cards_it_holds_by_id(blog, author):
    news = Tag.objects.get(name="news")
    by_slug, by_username = PublicCards.named(tag="news"), PublicCards.named(author=author.username)
    assert (by_slug.tag, by_slug.author, by_username.tag, by_username.author) == (
        news.pk,
        None,
        None,
        author.pk,
    )
    assert by_slug[0:10] == PostCard.page_of(0, 10, tag=news.pk)
    assert by_username[2:5] == PostCard.page_of(2, 5, author=author.pk)
    assert by_slug.count() == 7 and by_username.count() == 3
    assert PublicCards.named().count() == PublicCards().count()
    for unknown in (PublicCards.named(tag="unknown"), PublicCards.named(author="nobody")):
        assert unknown.count() == 0 and unknown[0:10] == []
    with pytest.raises(ValueError):
        PublicCards.named(tag="news", author=author.username)


def test_the_api_reads_the_cards_the_pages_read(blog, author, make_post):
    """ApiCards (one query, tags joined, columns rather than models) holds what PostCard.page_of does."""
    cover = Image.objects.create_from_upload(images.upload(images.jpeg(800, 600)), author, alt="Hills")
    post = make_post(author, "With a cover", tags=["news", "hills"])
    post.cover = cover
    post.save()
    news = Tag.objects.get(name="news")
    lists = [({}, {}), ({"tag": "news"}, {"tag": news.pk})]
    lists.append(({"author": author.username}, {"author": author.pk}))
    for by_name, by_id in lists:
        for start in range(0, 9, 4):
            shown = ApiCards.named(**by_name)[start : start + 4]
            expected = PostCard.page_of(start, start + 4, **by_id)
            assert [card[:11] for card in shown] == [card[:11] for card in expected]
            assert [[(t.pk, t.name, t.slug, t.get_absolute_url()) for t in card.tags] for card in shown] == [
                [(t.pk, t.name, t.slug, t.get_absolute_url()) for t in card.tags] for card in expected
            ]
    [card] = ApiCards(9)[0:1]
    assert card.cover == cover
    shown = card.cover
    assert (shown.alt, shown.file.name, shown.created_at) == (cover.alt, cover.file.name, cover.created_at)


def test_the_api_cards_give_a_covers_uploader_with_their_public_posts(author, make_post):
    cover = Image.objects.create_from_upload(images.upload(images.jpeg(800, 600)), author, alt="Hills")
    post = make_post(author, "With a cover")
    post.cover = cover
    post.save()
    make_post(author, "Scheduled", published_at=timezone.now() + timedelta(days=1))  # not counted
    make_post(author, "Draft", status=Post.Status.DRAFT)  # not counted
    cards = ApiCards(1)
    [card] = cards[0:10]
    uploader = cards.uploader_of(card.cover)
    assert (uploader.pk, uploader.username, uploader.name, uploader.bio) == (
        author.pk,
        author.username,
        author.name,
        author.bio,
    )
    assert uploader.get_absolute_url() == author.get_absolute_url()
    assert uploader.post_count == Post.objects.public().filter(author=author).count() == 1


def test_a_post_page_reads_the_public_post_as_the_orm_does(blog, author, django_assert_num_queries):
    # Drafts, scheduled posts and pages are not public posts, whatever their slug.
    for post in Post.objects.all():
        visible = Post.objects.posts().live().select_related("author", "cover")
        expected = visible.filter(slug=post.slug).first()
        with django_assert_num_queries(1):  # the post with its writer and (no) cover
            found = public_post(post.slug)
            if expected is None:
                assert found is None
                continue
            assert found.author.name == expected.author.name and found.cover is None
        fields = [field.attname for field in Post._meta.concrete_fields if field.attname != "search_vector"]
        assert [getattr(found, name) for name in fields] == [getattr(expected, name) for name in fields]
        assert [getattr(found.author, f.attname) for f in author._meta.concrete_fields] == [
            getattr(expected.author, f.attname) for f in author._meta.concrete_fields
        ]
    assert public_post("no-such-post") is None


def test_a_post_page_reads_its_cover_with_the_renditions_once(author, make_post, django_assert_num_queries):
    cover = Image.objects.create_from_upload(images.upload(images.jpeg(2000, 1000)), author, alt="Hills")
    post = make_post(author, "With a cover")
    post.cover = cover
    post.save()
    stored = list(Rendition.objects.filter(image=cover))
    with django_assert_num_queries(1):  # the post with its writer, its cover and the cover's renditions
        found = public_post(post.slug)
        assert list(found.cover.renditions.all()) == stored
    assert (found.cover.pk, found.cover.alt, found.cover.file.name) == (cover.pk, cover.alt, cover.file.name)


def test_a_tag_page_reads_its_tag_as_the_orm_does(blog, django_assert_num_queries):
    for expected in Tag.objects.all():
        with django_assert_num_queries(1):
            found = Tag.at_slug(expected.slug)
        fields = [field.attname for field in Tag._meta.concrete_fields]
        assert [getattr(found, name) for name in fields] == [getattr(expected, name) for name in fields]
    assert Tag.at_slug("no-such-tag") is None


needs_generic_plans = pytest.mark.skipif(
    not (
        connection.vendor == "postgresql" and connection.settings_dict["OPTIONS"].get("server_side_binding")
    ),
    reason="PostgreSQL's plans for parameters it is not told",
)


def generic_plan(sql: str, values: dict, *, options: str = ""):
    """EXPLAIN of the one plan PostgreSQL would keep for ``sql`` prepared, made without its values:
    its lines as text, or the plan itself with ``(FORMAT JSON)``."""
    names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", sql)))
    sql = re.sub(r"%\((\w+)\)s", lambda name: f"${names.index(name[1]) + 1}", sql)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test's few posts would be read whole
        cursor.execute(f"PREPARE planned AS {sql}")
        try:
            arguments = ", ".join(["%s"] * len(names))
            explain = f"EXPLAIN {options} EXECUTE planned({arguments})"
            cursor.execute(connection.ops.compose_sql(explain, [values[n] for n in names]))
            lines = [row[0] for row in cursor.fetchall()]
        finally:
            cursor.execute("DEALLOCATE planned")
    return lines[0][0] if options else "\n".join(lines)


@needs_generic_plans
@pytest.mark.parametrize("kind", ["site", "author"])
def test_the_plan_kept_for_a_list_can_use_its_partial_index(blog, author, kind):
    """public_sql() writes the status in: a prepared statement's one plan, made without its
    parameters, can still use the index of public posts, whose predicate names the status."""
    sql = written_for(CARDS_SQL[kind], connection.vendor)
    sql = sql.replace("%(limit)s", "10").replace("%(offset)s", "0")
    plan = generic_plan(sql, {"now": timezone.now(), "id": author.pk})
    index = {"site": "post_public_list_idx", "author": "post_author_list_idx"}[kind]
    assert f"using {index} on posts_post q" in plan


@needs_generic_plans
def test_the_plan_kept_for_a_writers_count_expects_few_scheduled_posts(author):
    """scheduled_sql() bounds the time above: a plan made without the time expects a few posts
    after it, not a third of the writer's, and costs less than planning afresh each read."""
    now = timezone.now()
    Post.objects.bulk_create(
        Post(
            title=f"Old {n}",
            slug=f"old-{n}",
            author=author,
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(hours=n + 1),
        )
        for n in range(600)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE posts_post")
    values = {"now": now, "key": f"author-{author.pk}-posts", "id": author.pk}
    plan = generic_plan(KEPT_COUNT_SQL["author"], values, options="(FORMAT JSON)")
    scans = [node for node in _nodes(plan["Plan"]) if node.get("Relation Name") == "posts_post"]
    assert scans and all(node["Plan Rows"] <= 10 for node in scans)  # a third would be 200


def _nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def test_a_first_page_is_read_with_its_lists_count_in_one_query(blog, author, django_assert_num_queries):
    news = Tag.objects.get(name="news")
    for of in ({}, {"tag": news.pk}, {"author": author.pk}):
        count = ListCount.objects.public_posts(**of)  # the scheduled post is not counted
        for start in range(0, count, 3):
            cards, expected = PublicCards(**of), PostCard.page_of(start, start + 3, **of)
            with django_assert_num_queries(1):
                assert cards.counted_page(start, start + 3) == expected
                assert cards.count() == count
        past_the_end = PublicCards(**of)
        assert past_the_end.counted_page(count, count + 3) is None
        assert past_the_end.count() == count


def test_a_paginator_reading_counts_with_pages_gives_djangos_pages(blog, author):
    news = Tag.objects.get(name="news")
    for of in ({}, {"tag": news.pk}, {"author": author.pk}):
        count = ListCount.objects.public_posts(**of)
        for number in (None, "1", "2", "3", "99", "0", "-1", "x", "2.0", 2, 2.5):
            page = PublicListPaginator(PublicCards(**of), 3).get_page(number)
            django = Paginator(PublicCards(count, **of), 3).get_page(number)
            assert (page.number, list(page), page.paginator.count) == (django.number, list(django), count)

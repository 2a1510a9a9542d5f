"""Every post and tag gets a unique, valid slug; a post's address never moves once it went out."""

from datetime import timedelta

import pytest
from django.core.validators import validate_slug
from django.utils import timezone

from posts.models import Post, Tag

pytestmark = pytest.mark.django_db


def test_it_makes_the_slug_from_the_title(make_post, author):
    assert make_post(author, "Hello, World: Part One!").slug == "hello-world-part-one"


def test_it_numbers_clashing_slugs(make_post, author, other_author):
    slugs = [make_post(author, "Same title").slug, make_post(other_author, "Same Title").slug]
    slugs.append(make_post(author, "same  title", status=Post.Status.DRAFT).slug)
    assert slugs == ["same-title", "same-title-2", "same-title-3"]


def test_it_keeps_numbering_past_a_title_that_looks_numbered(make_post, author):
    make_post(author, "Ten")
    make_post(author, "Ten 2")
    assert make_post(author, "Ten").slug == "ten-3"


def test_it_does_not_count_slugs_that_only_share_a_prefix(make_post, author):
    make_post(author, "Django tips")
    assert make_post(author, "Django").slug == "django"


def test_it_follows_the_title_while_the_post_is_a_draft(make_post, author):
    post = make_post(author, "First idea", status=Post.Status.DRAFT)
    post.title = "Better idea"
    post.save()
    assert post.slug == "better-idea"


def test_it_keeps_its_own_slug_when_saved_again(make_post, author):
    post = make_post(author, "Stable", status=Post.Status.DRAFT)
    post.save()
    assert post.slug == "stable"


def test_it_freezes_the_slug_once_published(make_post, author):
    post = make_post(author, "Original title")
    post.title = "A completely new title"
    post.save()
    post.refresh_from_db()
    assert post.slug == "original-title"
    assert post.title == "A completely new title"


def test_it_freezes_the_slug_once_scheduled(make_post, author):
    post = make_post(author, "Coming soon", published_at=timezone.now() + timedelta(days=3))
    post.title = "Coming later"
    post.save()
    assert post.slug == "coming-soon"


def test_it_keeps_the_slug_after_unpublishing(make_post, author):
    post = make_post(author, "Went out once")
    post.unpublish()
    post.title = "Back in the drafts"
    post.save()
    assert post.slug == "went-out-once"


def test_it_freezes_the_slug_when_a_draft_is_published(make_post, author):
    post = make_post(author, "Draft title", status=Post.Status.DRAFT)
    post.publish()
    post.title = "Published title"
    post.save()
    assert post.slug == "draft-title"


@pytest.mark.parametrize("title", ["日本語のタイトル", "Привет, мир", "🎉🎉🎉", "!!!", "---"])
def test_it_gives_titles_without_ascii_letters_a_valid_unique_slug(make_post, author, title):
    first, second = make_post(author, title), make_post(author, title)
    validate_slug(first.slug)
    validate_slug(second.slug)
    assert first.slug != second.slug
    assert first.slug
    assert first.get_absolute_url() == f"/posts/{first.slug}/"


def test_it_transliterates_accented_titles(make_post, author):
    assert make_post(author, "Café crème à Zürich").slug == "cafe-creme-a-zurich"


def test_it_cuts_long_titles_to_a_slug_that_fits(make_post, author):
    title = "word " * 40
    slugs = {make_post(author, title).slug for _ in range(3)}
    assert len(slugs) == 3
    assert all(len(slug) <= Post._meta.get_field("slug").max_length for slug in slugs)
    assert all(not slug.endswith("--") for slug in slugs)


def test_it_gives_tags_unique_slugs():
    first = Tag.objects.create(name="C++")
    second = Tag.objects.create(name="C")
    third = Tag.objects.create(name="日本")
    fourth = Tag.objects.create(name="中文")
    assert (first.slug, second.slug) == ("c", "c-2")
    assert third.slug != fourth.slug
    validate_slug(third.slug)
    validate_slug(fourth.slug)


def test_it_reuses_tags_whatever_their_case():
    first = Tag.from_names(["Django", " python "])
    second = Tag.from_names(["django", "PYTHON", "new"])
    assert [t.pk for t in first] == [t.pk for t in second[:2]]
    assert Tag.objects.count() == 3

"""Every post and tag gets a unique, valid slug; a post's address never moves once it went out.

A post no one else may see has a provisional slug (``title--k3x9q2``); it gets its address for
good (``title``, ``title-2``, … counted only against posts that went public or are scheduled)
when it is published or scheduled (docs/decisions/0021).
"""

import re
from datetime import timedelta

import pytest
from django.core.validators import validate_slug
from django.utils import timezone
from django.utils.text import slugify

from posts import services
from posts.models import Post, Tag
from posts.tests.api_helpers import send

pytestmark = pytest.mark.django_db

PROVISIONAL = re.compile(r"^(?P<base>[a-z0-9-]+)--[a-z0-9]{6}$")


def provisional_base(slug: str) -> str:
    """The title part of a provisional slug; fails the test when the slug is not provisional."""
    match = PROVISIONAL.match(slug)
    assert match, f"{slug!r} is not a provisional slug"
    return match["base"]


def test_it_makes_the_slug_from_the_title(make_post, author):
    assert make_post(author, "Hello, World: Part One!").slug == "hello-world-part-one"


def test_it_numbers_clashing_slugs_of_published_posts(make_post, author, other_author):
    slugs = [make_post(author, "Same title").slug, make_post(other_author, "Same Title").slug]
    draft = make_post(author, "same  title", status=Post.Status.DRAFT)
    assert provisional_base(draft.slug) == "same-title"
    draft.publish()
    assert [*slugs, draft.slug] == ["same-title", "same-title-2", "same-title-3"]


def test_finding_9_a_hidden_post_never_numbers_anyone_elses_slug(client, author, contributor, make_post):
    """Issue 13, finding 9: a contributor titling a post "Author secret draft" got
    ``author-secret-draft-2``, because the author's draft held ``author-secret-draft``."""
    make_post(author, "Author secret draft", status=Post.Status.DRAFT)
    make_post(author, "Author secret review", status=Post.Status.REVIEW)
    called_off = make_post(author, "Author secret plan", published_at=timezone.now() + timedelta(days=1))
    called_off.unpublish()  # scheduled, then taken back before it went live
    for title in ["Author secret draft", "Author secret review", "Author secret plan", "Nobody has this"]:
        answer = send(client, "post", "/api/posts", {"title": title, "body": "Mine."}, user=contributor)
        assert answer.status_code == 201
        mine = answer.json()
        assert provisional_base(mine["slug"]) == slugify(title)  # never ``…-2``
        assert mine["url"] == f"http://testserver/posts/{mine['slug']}/"


def test_finding_9_a_post_settles_its_slug_against_public_posts_only(author, contributor, editor, make_post):
    make_post(author, "Author secret draft", status=Post.Status.DRAFT)
    mine = services.post_save(by=contributor, title="Author secret draft", body="Mine.")
    services.post_submit(post=mine, by=contributor)
    services.post_publish(post=mine, by=editor, expected_version=mine.version)
    assert mine.slug == "author-secret-draft"  # the author's draft, still hidden, counted for nothing


def test_it_keeps_numbering_past_a_title_that_looks_numbered(make_post, author):
    make_post(author, "Ten")
    make_post(author, "Ten 2")
    assert make_post(author, "Ten").slug == "ten-3"


def test_it_does_not_count_slugs_that_only_share_a_prefix(make_post, author):
    make_post(author, "Django tips")
    assert make_post(author, "Django").slug == "django"


def test_it_follows_the_title_while_the_post_is_a_draft_keeping_its_token(make_post, author):
    post = make_post(author, "First idea", status=Post.Status.DRAFT)
    token = post.slug.partition("--")[2]
    post.title = "Better idea"
    post.save()
    assert post.slug == f"better-idea--{token}"


def test_it_keeps_its_own_slug_when_saved_again(make_post, author):
    post = make_post(author, "Stable", status=Post.Status.DRAFT)
    slug = post.slug
    post.save()
    assert provisional_base(slug) == "stable"
    assert post.slug == slug


def test_two_hidden_posts_of_one_title_have_different_provisional_slugs(make_post, author, other_author):
    first = make_post(author, "Same", status=Post.Status.DRAFT)
    second = make_post(other_author, "Same", status=Post.Status.REVIEW)
    assert provisional_base(first.slug) == provisional_base(second.slug) == "same"
    assert first.slug != second.slug


def test_a_provisional_slug_taken_in_a_race_is_made_again(make_post, author, monkeypatch):
    from posts import models

    taken = make_post(author, "Taken", status=Post.Status.DRAFT)
    tokens = iter([taken.slug.partition("--")[2], "fresh1"])
    monkeypatch.setattr(models, "get_random_string", lambda *args: next(tokens))
    assert make_post(author, "Taken", status=Post.Status.DRAFT).slug == "taken--fresh1"


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


def test_a_schedule_called_off_gives_back_its_address_and_date(make_post, author, other_author):
    post = make_post(author, "Coming soon", published_at=timezone.now() + timedelta(days=3))
    post.unpublish()
    assert provisional_base(post.slug) == "coming-soon"
    assert post.published_at is None  # it never went live
    assert make_post(other_author, "Coming soon").slug == "coming-soon"


def test_it_keeps_the_slug_after_unpublishing(make_post, author):
    post = make_post(author, "Went out once")
    post.unpublish()
    post.title = "Back in the drafts"
    post.save()
    assert post.slug == "went-out-once"


def test_it_settles_and_freezes_the_slug_when_a_draft_is_published(make_post, author):
    post = make_post(author, "Draft title", status=Post.Status.DRAFT)
    post.publish()
    assert post.slug == "draft-title"
    post.title = "Published title"
    post.save()
    assert post.slug == "draft-title"


@pytest.mark.parametrize("title", ["日本語のタイトル", "Привет, мир", "🎉🎉🎉", "!!!", "---"])
def test_it_gives_titles_without_ascii_letters_a_valid_unique_slug(make_post, author, title):
    first, second = make_post(author, title), make_post(author, title)
    draft = make_post(author, title, status=Post.Status.DRAFT)
    validate_slug(draft.slug)
    assert draft.get_absolute_url() == f"/posts/{draft.slug}/"
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
    slugs |= {make_post(author, title, status=Post.Status.DRAFT).slug for _ in range(2)}
    assert len(slugs) == 5
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


def test_the_migration_gives_posts_that_never_went_out_a_provisional_slug(make_post, author):
    """Drafts made before provisional slugs held plain ones, which numbered others' (finding 9)."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("posts.migrations.0013_provisional_slugs_for_hidden_posts")
    draft = make_post(author, "Old draft", status=Post.Status.DRAFT)
    went_out = make_post(author, "Went out", status=Post.Status.DRAFT, published_at=timezone.now())
    live = make_post(author, "Live")
    Post.objects.filter(pk=draft.pk).update(slug="plain")
    Post.objects.filter(pk=went_out.pk).update(slug="went-out")
    migration.make_provisional(apps, None)
    slugs = dict(Post.objects.values_list("title", "slug"))
    assert provisional_base(slugs["Old draft"]) == "plain"
    assert (slugs["Went out"], slugs["Live"]) == ("went-out", live.slug)

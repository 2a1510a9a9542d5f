"""The workflow services the dashboard, the API and the admin share: rules enforced on the server."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from posts import services
from posts.models import Post

pytestmark = pytest.mark.django_db


def test_it_creates_a_draft_with_tags_and_a_first_revision(author):
    post = services.post_save(by=author, title="Hello", body="Words", tags=["Django", " django ", "sql"])
    assert post.status == Post.Status.DRAFT
    assert post.author == author
    assert sorted(t.name for t in post.tags.all()) == ["Django", "sql"]
    revision = post.revisions.get()
    assert (revision.number, revision.title, revision.tags, revision.created_by) == (
        1,
        "Hello",
        ["Django", "sql"],
        author,
    )


def test_it_records_a_revision_on_every_save(author):
    post = services.post_save(by=author, title="One", body="a")
    services.post_save(by=author, post=post, title="Two", body="b", expected_version=post.version)
    services.post_save(by=author, post=post, title="Three", body="c", expected_version=post.version)
    assert list(post.revisions.values_list("number", "title")) == [(3, "Three"), (2, "Two"), (1, "One")]


def test_a_run_of_autosaves_keeps_one_revision(author):
    post = services.post_save(by=author, title="One", body="a")
    for body in ("ab", "abc", "abcd"):
        services.post_save(by=author, post=post, title="One", body=body, autosave=True)
    assert list(post.revisions.values_list("number", "body", "is_autosave")) == [
        (2, "abcd", True),
        (1, "a", False),
    ]


def test_it_refuses_a_stale_version_and_saves_nothing(author):
    post = services.post_save(by=author, title="Original", body="a")
    stale = post.version
    services.post_save(by=author, post=post, title="From another tab", body="b", expected_version=stale)
    with pytest.raises(services.EditConflict):
        services.post_save(by=author, post=post, title="From this tab", body="c", expected_version=stale)
    post.refresh_from_db()
    assert post.title == "From another tab"
    assert post.revisions.count() == 2


def test_a_contributor_never_publishes(contributor):
    post = services.post_save(by=contributor, title="Mine", body="words")
    with pytest.raises(PermissionDenied):
        services.post_publish(post=post, by=contributor)
    with pytest.raises(PermissionDenied):
        services.post_set_status(post=post, by=contributor, status="published")
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT and post.published_at is None


def test_publishing_needs_a_title_and_a_body(author):
    post = services.post_save(by=author, title="   ", body="")
    with pytest.raises(ValidationError) as error:
        services.post_publish(post=post, by=author)
    assert set(error.value.message_dict) == {"title", "body"}
    assert Post.objects.get(pk=post.pk).status == Post.Status.DRAFT


def test_a_published_post_cannot_lose_its_body(author):
    post = services.post_save(by=author, title="Live", body="words")
    services.post_publish(post=post, by=author)
    with pytest.raises(ValidationError):
        services.post_save(by=author, post=post, title="Live", body="  ")
    assert Post.objects.get(pk=post.pk).body == "words"


def test_it_schedules_only_in_the_future(author):
    post = services.post_save(by=author, title="Later", body="words")
    with pytest.raises(ValidationError):
        services.post_publish(post=post, by=author, at=timezone.now() - timedelta(minutes=1))
    when = timezone.now() + timedelta(days=1)
    services.post_publish(post=post, by=author, at=when)
    post.refresh_from_db()
    assert post.is_scheduled and post.published_at == when
    assert not Post.objects.public().filter(pk=post.pk).exists()


def test_a_scheduled_post_goes_live_by_itself(author, monkeypatch):
    post = services.post_save(by=author, title="Soon", body="words")
    when = timezone.now() + timedelta(hours=1)
    services.post_publish(post=post, by=author, at=when)
    assert not Post.objects.public().filter(pk=post.pk).exists()
    monkeypatch.setattr(timezone, "now", lambda: when + timedelta(seconds=1))  # an hour later
    assert Post.objects.public().filter(pk=post.pk).exists()
    assert Post.objects.get(pk=post.pk).is_public


def test_the_slug_is_settled_when_published_and_frozen_from_then_on(author):
    post = services.post_save(by=author, title="First title", body="words")
    services.post_save(by=author, post=post, title="Second title", body="words")
    assert post.slug.startswith("second-title--")  # provisional while no one else may see it
    services.post_publish(post=post, by=author)
    assert post.slug == "second-title"
    services.post_save(by=author, post=post, title="Third title", body="words")
    post.refresh_from_db()
    assert post.slug == "second-title"


def test_unpublishing_makes_a_draft_again(author):
    post = services.post_save(by=author, title="Live", body="words")
    services.post_publish(post=post, by=author)
    services.post_unpublish(post=post, by=author)
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    with pytest.raises(ValidationError):
        services.post_unpublish(post=post, by=author)


def test_authors_act_only_on_their_own_posts(author, other_author, editor):
    post = services.post_save(by=author, title="Asha's", body="words")
    for action in (services.post_publish, services.post_delete):
        with pytest.raises(PermissionDenied):
            action(post=post, by=other_author)
    with pytest.raises(PermissionDenied):
        services.post_save(by=other_author, post=post, title="Taken over", body="x")
    services.post_publish(post=post, by=editor)
    services.post_delete(post=post, by=editor)
    assert not Post.objects.filter(pk=post.pk).exists()


def test_submitting_e_mails_every_editor_a_link(
    contributor, editor, admin_user, author, mailoutbox, django_capture_on_commit_callbacks
):
    post = services.post_save(by=contributor, title="Please review", body="words")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_submit(post=post, by=contributor)
    assert post.status == Post.Status.REVIEW
    assert sorted(m.to[0] for m in mailoutbox) == ["edith@example.com", "root@example.com"]
    assert f"/dashboard/posts/{post.pk}/edit/" in mailoutbox[0].body
    assert "Please review" in mailoutbox[0].subject


def test_a_submission_that_fails_sends_nothing(
    contributor, editor, mailoutbox, django_capture_on_commit_callbacks
):
    post = services.post_save(by=contributor, title="Empty", body="")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.post_submit(post=post, by=contributor)
    assert mailoutbox == []


def test_restoring_a_revision_is_a_new_revision(author):
    post = services.post_save(by=author, title="v1", body="first", tags=["a"])
    services.post_save(by=author, post=post, title="v2", body="second", tags=["b"])
    first = post.revisions.get(number=1)
    services.revision_restore(
        revision=first, by=author, expected_version=Post.objects.get(pk=post.pk).version
    )
    post.refresh_from_db()
    assert (post.title, post.body, [t.name for t in post.tags.all()]) == ("v1", "first", ["a"])
    newest = post.revisions.first()
    assert (newest.number, newest.note) == (3, "Restored revision #1")


def test_set_status_maps_states_to_transitions(author):
    post = services.post_save(by=author, title="T", body="words")
    services.post_set_status(post=post, by=author, status="review")
    assert post.status == "review"
    services.post_set_status(post=post, by=author, status="draft")
    assert post.status == "draft"
    later = timezone.now() + timedelta(hours=2)
    services.post_set_status(post=post, by=author, status="published", published_at=later)
    assert post.is_scheduled
    with pytest.raises(ValidationError):
        services.post_set_status(post=post, by=author, status="archived")


def test_the_review_e_mail_links_to_the_public_site_url(
    contributor, editor, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://blog.example.com"
    post = services.post_save(by=contributor, title="Linked", body="words")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_submit(post=post, by=contributor)
    assert f"https://blog.example.com/dashboard/posts/{post.pk}/edit/" in mailoutbox[0].body

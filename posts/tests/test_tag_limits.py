"""Issue 13, finding 13: one dashboard save created 270 tags. The same tag rules hold in the
editor, the API, the admin and the services, and writers below editor create only
BLOG_NEW_TAGS_PER_DAY new tags a day."""

import pytest
from django.core.exceptions import ValidationError

from posts import services
from posts.models import MAX_TAGS_PER_POST, Post, Tag

from .api_helpers import assert_problem, send

pytestmark = pytest.mark.django_db

MANY = ",".join(str(n) for n in range(270))  # 969 characters: the field takes them


def test_the_editor_refuses_270_tags_in_one_save(client, contributor):
    client.force_login(contributor)
    data = {"title": "Tagged", "body": "Words.", "excerpt": "", "tags": MANY, "action": "save"}
    response = client.post("/dashboard/posts/new/", data)
    assert response.status_code == 200
    assert f"A post has at most {MAX_TAGS_PER_POST} tags." in response.content.decode()
    assert not Tag.objects.exists() and not Post.objects.exists()


def test_the_api_and_the_services_refuse_more_tags_than_a_post_may_have(client, editor):
    names = [f"t{n}" for n in range(MAX_TAGS_PER_POST + 1)]
    response = send(client, "post", "/api/posts", {"title": "Tagged", "tags": names}, user=editor)
    assert list(assert_problem(response, 400)["errors"]) == ["tags"]
    with pytest.raises(ValidationError) as refused:
        services.post_save(by=editor, title="Tagged", tags=names)
    assert refused.value.message_dict["tags"] == [f"A post has at most {MAX_TAGS_PER_POST} tags."]
    assert not Tag.objects.exists()


def test_the_admin_refuses_more_tags_than_a_post_may_have(client, editor, author, make_post):
    post = make_post(author, "Tagged")
    tags = [Tag.objects.create(name=f"t{n}") for n in range(MAX_TAGS_PER_POST + 1)]
    client.force_login(editor)
    data = {
        "title": post.title,
        "author": author.pk,
        "status": "published",
        "published_at_0": "",
        "published_at_1": "",
        "body": post.body,
        "excerpt": "",
        "tags": [tag.pk for tag in tags],
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/posts/post/{post.pk}/change/", data)
    assert response.status_code == 200
    assert f"A post has at most {MAX_TAGS_PER_POST} tags." in response.content.decode()
    assert post.tags.count() == 0


def test_writers_below_editor_create_only_so_many_new_tags_a_day(client, contributor, settings):
    settings.BLOG_NEW_TAGS_PER_DAY = 3
    post = services.post_save(by=contributor, title="First", tags=["a", "b"])
    services.post_save(by=contributor, post=post, title="First", tags=["a", "b", "c"])
    with pytest.raises(ValidationError) as refused:
        services.post_save(by=contributor, post=post, title="First", tags=["a", "b", "c", "d"])
    assert "You may create 0 new tag(s) today" in refused.value.message_dict["tags"][0]
    services.post_save(by=contributor, post=post, title="First", tags=["A", "B"])  # existing tags stay free
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["a", "b", "c"]
    response = send(client, "post", "/api/posts", {"title": "More", "tags": ["e"]}, user=contributor)
    assert "tags" in assert_problem(response, 400)["errors"]


def test_editors_create_tags_without_the_daily_limit(editor, settings):
    settings.BLOG_NEW_TAGS_PER_DAY = 0
    services.post_save(by=editor, title="Many", tags=[f"t{n}" for n in range(MAX_TAGS_PER_POST)])
    assert Tag.objects.count() == MAX_TAGS_PER_POST
    assert set(Tag.objects.values_list("created_by", flat=True)) == {editor.pk}

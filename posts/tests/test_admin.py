"""Editors manage posts and tags in the Django admin; writers of lower roles never reach it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from posts.models import Post, Tag

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/posts/post/"


@pytest.fixture
def posts(author, other_author, contributor, make_post):
    now = timezone.now()
    return {
        "live": make_post(author, "Live post", tags=["django", "news"]),
        "old": make_post(other_author, "Old post", published_at=now - timedelta(days=400), tags=["ops"]),
        "scheduled": make_post(author, "Scheduled post", published_at=now + timedelta(days=2)),
        "draft": make_post(author, "Draft post", status=Post.Status.DRAFT, tags=["django"]),
        "review": make_post(contributor, "Review post", status=Post.Status.REVIEW, body="Ready."),
    }


def _titles(response):
    return sorted(post.title for post in response.context["cl"].result_list)


def test_it_lists_every_post_to_an_editor_with_readable_columns(client, editor, posts):
    client.force_login(editor)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert len(_titles(response)) == 5
    content = response.content.decode()
    for label in ("Scheduled", "In review", "Draft", "Published"):
        assert f">{label}</td>" in content
    assert "django, news" in content
    assert f'<a href="{posts["live"].get_absolute_url()}">View</a>' in content
    assert f'<a href="{posts["draft"].get_absolute_url()}">Preview</a>' in content


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("draft", ["Draft post"]),
        ("review", ["Review post"]),
        ("scheduled", ["Scheduled post"]),
        ("live", ["Live post", "Old post"]),
    ],
)
def test_it_filters_posts_by_status(client, editor, posts, status, expected):
    client.force_login(editor)
    assert _titles(client.get(CHANGELIST, {"status": status})) == expected


def test_it_filters_posts_by_author_and_tag(client, editor, posts, other_author):
    client.force_login(editor)
    assert _titles(client.get(CHANGELIST, {"author__id__exact": other_author.pk})) == ["Old post"]
    django = Tag.objects.get(name="django")
    assert _titles(client.get(CHANGELIST, {"tags__id__exact": django.pk})) == ["Draft post", "Live post"]


def test_it_searches_titles_bodies_and_authors(client, editor, posts):
    client.force_login(editor)
    assert _titles(client.get(CHANGELIST, {"q": "scheduled"})) == ["Scheduled post"]
    assert _titles(client.get(CHANGELIST, {"q": "Ready."})) == ["Review post"]
    assert _titles(client.get(CHANGELIST, {"q": "ben"})) == ["Old post"]


def test_it_browses_posts_by_date(client, editor, posts):
    client.force_login(editor)
    year = posts["old"].published_at.year
    content = client.get(CHANGELIST).content.decode()
    assert '<nav class="toplinks">' in content  # the date hierarchy bar
    assert f'href="?published_at__year={year}"' in content
    assert "Old post" in _titles(client.get(CHANGELIST, {"published_at__year": year}))


@pytest.mark.parametrize("count", [5, 40])
def test_it_lists_posts_in_a_constant_number_of_queries(
    client, editor, author, make_post, django_assert_num_queries, count
):
    client.force_login(editor)
    for n in range(count):
        make_post(author, f"Post {n}", tags=[f"tag-{n}", "shared"])
    # (the session comes from the cache)  1. the signed-in editor  2. the authors with posts
    # (author filter)  3. every tag (tag filter)  4-5. the counts of matching and of all posts
    # 6-7. the editor's model permissions (user and group), asked by the actions
    # 8. the page of posts with their authors (JOIN)  9. their tags (prefetch)
    # 10-11. the date hierarchy: first and last date, then the distinct days
    with django_assert_num_queries(11):
        response = client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == count


def test_it_prefills_a_new_tags_slug_from_its_name(client, editor):
    client.force_login(editor)
    content = client.get("/admin/posts/tag/add/").content.decode()
    assert "data-prepopulated-fields=" in content
    assert "&quot;#id_slug&quot;" in content
    assert "&quot;dependency_ids&quot;: [&quot;#id_name&quot;]" in content


def test_it_lets_an_editor_add_and_rename_tags(client, editor):
    client.force_login(editor)
    response = client.post("/admin/posts/tag/add/", {"name": "Machine learning", "slug": "machine-learning"})
    assert response.status_code == 302
    tag = Tag.objects.get(slug="machine-learning")
    response = client.post(f"/admin/posts/tag/{tag.pk}/change/", {"name": "ML", "slug": "ml"})
    assert response.status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("ML", "ml")


def test_it_refuses_a_tag_slug_that_is_taken(client, editor):
    Tag.objects.create(name="Python", slug="python")
    client.force_login(editor)
    response = client.post("/admin/posts/tag/add/", {"name": "Python 3", "slug": "python"})
    assert response.status_code == 200
    assert "Tag with this Slug already exists." in response.content.decode()


def shown_versions(client):
    """The versions the change list shows (hidden beside each status), as its form sends them."""
    return dict(re.findall(r'name="(_version_\d+)" value="([^"]+)"', client.get(CHANGELIST).content.decode()))


def test_it_publishes_the_selected_posts_now(client, editor, posts):
    client.force_login(editor)
    selected = [posts["draft"].pk, posts["review"].pk, posts["scheduled"].pk]
    data = {"action": "publish_now", "_selected_action": selected} | shown_versions(client)
    response = client.post(CHANGELIST, data, follow=True)
    assert response.status_code == 200
    assert "3 post(s) published." in response.content.decode()
    for post in Post.objects.filter(pk__in=selected):
        assert post.is_public, post.title


def test_it_unpublishes_the_selected_posts(client, editor, posts):
    client.force_login(editor)
    selected = [posts["live"].pk, posts["scheduled"].pk]
    client.post(CHANGELIST, {"action": "unpublish", "_selected_action": selected})
    assert set(Post.objects.filter(pk__in=selected).values_list("status", flat=True)) == {"draft"}
    assert client.get(posts["live"].get_absolute_url()).status_code == 200  # editors still see it
    client.logout()
    assert client.get(posts["live"].get_absolute_url()).status_code == 404


def test_it_says_which_posts_an_action_could_not_change(client, editor, posts, make_post, author):
    empty = make_post(author, "Empty", body="", status=Post.Status.DRAFT)
    client.force_login(editor)
    selected = [empty.pk, posts["draft"].pk]
    data = {"action": "publish_now", "_selected_action": selected} | shown_versions(client)
    response = client.post(CHANGELIST, data, follow=True)
    content = response.content.decode()
    assert "1 post(s) published." in content
    assert "A post needs a body before it is published." in content
    empty.refresh_from_db()
    assert empty.status == Post.Status.DRAFT


@pytest.mark.parametrize("role", ["contributor", "author"])
def test_it_keeps_writers_below_editor_out_of_the_admin(client, request, posts, role):
    client.force_login(request.getfixturevalue(role))
    for url in ["/admin/", CHANGELIST, f"/admin/posts/post/{posts['draft'].pk}/change/", "/admin/posts/tag/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


@pytest.mark.parametrize("role", ["contributor", "author"])
def test_it_ignores_admin_actions_from_writers_below_editor(client, request, posts, role):
    client.force_login(request.getfixturevalue(role))
    selected = [posts["draft"].pk, posts["live"].pk]
    client.post(CHANGELIST, {"action": "publish_now", "_selected_action": [posts["draft"].pk]})
    client.post(CHANGELIST, {"action": "unpublish", "_selected_action": selected})
    client.post(f"/admin/posts/post/{posts['draft'].pk}/delete/", {"post": "yes"})
    assert Post.objects.get(pk=posts["draft"].pk).status == Post.Status.DRAFT
    assert Post.objects.get(pk=posts["live"].pk).is_public


def test_it_gives_a_post_published_in_the_form_a_publication_time(client, editor, posts):
    client.force_login(editor)
    post = posts["draft"]
    data = {
        "title": post.title,
        "author": post.author_id,
        "status": "published",
        "published_at_0": "",
        "published_at_1": "",
        "body": post.body,
        "excerpt": "",
        "tags": [tag.pk for tag in post.tags.all()],
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/posts/post/{post.pk}/change/", data)
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.is_public
    client.logout()
    assert client.get(post.get_absolute_url()).status_code == 200

"""Reading pages run a fixed number of SQL queries, however many posts and tags there are."""

from datetime import timedelta

import pytest
from django.utils import timezone

from posts.models import Post, Tag

pytestmark = pytest.mark.django_db

TAG_NAMES = ["news", "django", "postgres", "python", "web", "ops"]


@pytest.fixture(params=[5, 50], ids=["5-posts", "50-posts"])
def blog(request, author, other_author, make_post):
    """A blog of 5 or 50 public posts (plus hidden ones), each with three or four tags."""
    now = timezone.now()
    count = request.param
    for n in range(count):
        writer = author if n % 2 else other_author
        tags = [TAG_NAMES[0], TAG_NAMES[1 + n % 5], TAG_NAMES[1 + (n + 1) % 5]]
        if n % 3 == 0:
            tags.append(f"topic-{n}")
        make_post(writer, f"Post {n}", published_at=now - timedelta(hours=count - n), tags=tags)
        make_post(writer, f"Draft {n}", status=Post.Status.DRAFT, tags=tags)
    return Post.objects.public().get(title=f"Post {count // 2}")


def test_it_renders_the_home_page_in_one_query(client, blog, django_assert_num_queries):
    # 1. one page of public posts with their authors and tags (JOIN), and how many public posts
    #    there are (kept by the database: ListCount)
    with django_assert_num_queries(1):
        response = client.get("/")
    assert response.status_code == 200
    assert len(response.context["page"]) == min(10, Post.objects.public().count())


def test_it_renders_a_tag_page_in_two_queries(client, blog, django_assert_num_queries):
    # 1. the tag
    # 2. one page of the tag's public posts with their authors and tags (JOIN), and how many
    #    public posts the tag has (kept: ListCount)
    url = Tag.objects.get(name="news").get_absolute_url()
    with django_assert_num_queries(2):
        response = client.get(url)
    assert response.status_code == 200


def test_it_renders_an_author_page_in_two_queries(client, blog, author, django_assert_num_queries):
    # 1. the author
    # 2. one page of the author's public posts with their author and tags (JOIN), and how many
    #    public posts the author has (kept: ListCount)
    with django_assert_num_queries(2):
        response = client.get(author.get_absolute_url())
    assert response.status_code == 200


def test_it_renders_a_post_page_in_two_queries(client, blog, django_assert_num_queries):
    # 1. the post with its author and cover (JOIN)
    # 2. what it links to: its tags, the previous and the next public post (each picked by its
    #    key), its kept related-posts ranking (RelatedPost)
    with django_assert_num_queries(2):
        response = client.get(blog.get_absolute_url())
    assert response.status_code == 200
    assert response.context["previous_post"] is not None
    assert response.context["next_post"] is not None


def test_it_renders_a_page_further_back_in_as_many_queries(client, blog, django_assert_num_queries):
    # 1. the page of posts with authors and tags, with the kept count
    last = str(-(-Post.objects.public().count() // 10))
    with django_assert_num_queries(1):
        response = client.get("/", {"page": last})
    assert response.status_code == 200 and str(response.context["page"].number) == last


def test_a_page_past_the_end_shows_the_last_in_three_queries(client, blog, django_assert_num_queries):
    # 1. the page asked for with the kept count: no posts there  2. the kept count
    # 3. the last page of posts with authors and tags
    with django_assert_num_queries(3):
        response = client.get("/", {"page": "99"})
    assert response.status_code == 200
    assert response.context["page"].number == response.context["page"].paginator.num_pages

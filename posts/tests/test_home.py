from datetime import timedelta

import pytest
from django.template import engines
from django.utils import timezone

from media.models import Image
from media.tests import images
from posts.models import Post, Tag

pytestmark = pytest.mark.django_db


def test_it_lists_public_posts_newest_first(client, author, make_post):
    make_post(author, "Older", published_at=timezone.now() - timedelta(days=2))
    make_post(author, "Newer")
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert content.index("Newer") < content.index("Older")


def test_it_hides_drafts_reviews_and_scheduled_posts(client, author, make_post):
    make_post(author, "Visible one")
    make_post(author, "Draft one", status=Post.Status.DRAFT)
    make_post(author, "Review one", status=Post.Status.REVIEW)
    make_post(author, "Scheduled one", published_at=timezone.now() + timedelta(days=1))
    content = client.get("/").content.decode()
    assert "Visible one" in content
    for hidden in ("Draft one", "Review one", "Scheduled one"):
        assert hidden not in content


def test_list_pages_show_a_change_to_a_remembered_card_at_once(client, author, make_post, settings):
    """A card's markup is made once and remembered (blogsite.jinja2.Remembered) by all it shows:
    a new title, writer's name, tag name or cover description is on the next page read."""
    settings.PAGE_CACHE_SECONDS = 0  # every read renders its page
    cover = Image.objects.create_from_upload(images.upload(images.jpeg(800, 400)), author, alt="Hills")
    post = make_post(author, "First title", tags=["news"])
    post.cover = cover
    post.save()
    pages = ["/", "/tags/news/", f"/authors/{author.username}/"]
    remembered = engines["jinja2"].env.globals["remembered"]

    def shown():
        return [client.get(page).content.decode() for page in pages]

    shown()
    kept = len(remembered.made)
    assert all("First title" in html for html in shown())
    assert len(remembered.made) == kept  # read again, made no card anew

    Post.objects.filter(pk=post.pk).update(title="Second title")
    author.display_name = "Asha Renamed"
    author.save()
    Tag.objects.filter(slug="news").update(name="Headlines")
    cover.describe(alt="Hills at dawn")
    for html in shown():
        assert "Second title" in html and "First title" not in html
        assert "Asha Renamed" in html
        assert "#Headlines" in html
        assert 'alt="Hills at dawn"' in html

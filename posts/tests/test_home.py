from datetime import timedelta

import pytest
from django.utils import timezone

from posts.models import Post

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

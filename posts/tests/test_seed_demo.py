from io import StringIO

import pytest
from django.core.management import call_command

from media.models import Image
from posts.models import Post

pytestmark = pytest.mark.django_db


def test_it_gives_demo_posts_drawn_covers_and_inline_images_once():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # safe to run again: nothing is added twice

    covered = Post.objects.exclude(cover=None)
    assert covered.count() == 4
    assert Image.objects.count() == 6
    assert all(image.content_type == "image/jpeg" and image.alt for image in Image.objects.all())
    inline = [post for post in covered if "<picture>" in post.body_html]
    assert len(inline) == 2
    assert all(image.status == Image.Status.READY for image in Image.objects.all())

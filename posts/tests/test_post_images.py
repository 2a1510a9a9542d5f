"""Library images in a post's Markdown become responsive markup; the Markdown stays plain."""

import re

import pytest

from media.markup import picture
from media.models import Image
from media.tests import images

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(author):
    return Image.objects.create_from_upload(
        images.upload(images.jpeg(1200, 800)), author, alt="Library words"
    )


def test_it_renders_a_library_image_with_srcset_sizes_and_its_size(author, make_post, photo):
    post = make_post(author, body=f"Intro.\n\n![A red card](http://example.org{photo.get_absolute_url()})\n")

    assert post.body.endswith(f"![A red card](http://example.org{photo.get_absolute_url()})\n")
    html = post.body_html
    assert html.count("<picture>") == 1
    webp = re.search(r'<source type="image/webp" srcset="([^"]+)" sizes="[^"]+">', html).group(1)
    assert "480w" in webp and "960w" in webp
    img = re.search(r"<img [^>]+>", html).group(0)
    assert f'src="{photo.get_absolute_url()}"' in img
    assert 'width="1200"' in img and 'height="800"' in img and 'alt="A red card"' in img
    assert f"{photo.get_absolute_url()} 1200w" in img  # the original is the widest candidate
    assert 'decoding="async"' in img and "sizes=" in img


def test_a_picture_reads_its_images_renditions_once(photo, django_assert_num_queries):
    image = Image.objects.get(pk=photo.pk)
    with django_assert_num_queries(1):  # one query for an image read without its renditions
        html = picture(image)
    assert html.count("srcset=") == 2 and 'type="image/webp"' in html

    with_renditions = Image.objects.prefetch_related("renditions").get(pk=photo.pk)
    with django_assert_num_queries(0):
        assert picture(with_renditions) == html


def test_it_loads_body_images_lazily_but_the_first_one_eagerly_when_there_is_no_cover(
    author, make_post, photo
):
    other = Image.objects.create_from_upload(images.upload(images.png(900, 600)), author, alt="Second")
    body = f"![]({photo.get_absolute_url()})\n\ntext\n\n![Two]({other.get_absolute_url()})"
    post = make_post(author, body=body)

    first, second = re.findall(r"<img [^>]+>", post.body_html)
    assert 'fetchpriority="high"' in first and "loading=" not in first
    assert 'alt="Library words"' in first  # written without words: the library's description
    assert 'loading="lazy"' in second

    post.cover = other
    post.save()
    first, _ = re.findall(r"<img [^>]+>", post.body_html)
    assert 'loading="lazy"' in first  # the cover is what the reader sees first


def test_it_leaves_images_from_elsewhere_as_written(author, make_post):
    post = make_post(author, body="![Elsewhere](https://example.org/media/images/not-ours.jpg)")

    assert "<picture>" not in post.body_html
    assert 'src="https://example.org/media/images/not-ours.jpg"' in post.body_html


def test_it_records_where_each_image_is_used(author, make_post, photo):
    post = make_post(author, body=f"![x]({photo.get_absolute_url()})")

    assert photo.used_by_post_ids() == [post.pk]
    post.body = "Gone."
    post.save()
    assert photo.used_by_post_ids() == []

"""Images in posts always carry an alt, and saving warns about images without a description."""

import pytest

from posts.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved(make_post, author):
    def render(body):
        return make_post(author, "Pictures", body=body).body_html

    return render


def test_it_gives_an_image_in_raw_html_without_alt_an_empty_alt(saved):
    html = saved('<img src="/cat.png">\n\nText <img src=/dog.png title="Dog"/> inline.')
    assert '<img src="/cat.png" alt=""' in html
    assert '<img src="/dog.png" title="Dog" alt=""' in html


def test_it_keeps_the_writers_alt(saved):
    html = saved('![A cat asleep](/cat.png)\n\n<img alt="A dog" src="/dog.png">\n\n<img ALT="" src="/x.png">')
    assert 'alt="A cat asleep"' in html
    assert '<img alt="A dog" src="/dog.png"' in html
    assert html.count("alt=") == 3


def test_it_renders_a_markdown_image_without_text_as_decorative(saved):
    assert '<img src="/line.png" alt=""' in saved("![](/line.png)")


def test_it_counts_images_without_description(make_post, author):
    body = '![](/a.png) ![Described](/b.png) <img src="/c.png"> <img src="/d.png" alt="  ">'
    assert make_post(author, "Count", body=body).images_without_description == 3


def test_it_warns_the_writer_who_saves_an_image_without_a_description(client, author):
    client.force_login(author)
    response = client.post(
        "/dashboard/posts/new/",
        {"title": "Photos", "body": "![](/a.png)\n\n<img src='/b.png'>", "action": "save"},
        follow=True,
    )
    page = response.content.decode()
    assert Post.objects.get().title == "Photos"  # saved all the same
    assert "Saved." in page
    assert '<p class="message message--warning">2 images have no description.' in page


def test_it_does_not_warn_when_every_image_is_described(client, author):
    client.force_login(author)
    response = client.post(
        "/dashboard/posts/new/",
        {"title": "Photos", "body": "![A red bicycle](/a.png)", "action": "save"},
        follow=True,
    )
    assert "no description" not in response.content.decode()

"""A post's cover: on its page (eager, first), on cards, in social cards, JSON-LD, feeds and the API."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.api_helpers import assert_problem, bearer, send
from media.models import Image
from media.tests import images
from posts import cards
from posts.models import Post, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def cover(author):
    return Image.objects.create_from_upload(
        images.upload(images.jpeg(2000, 1000)), author, alt="Hills at dusk"
    )


@pytest.fixture
def post(author, make_post, cover):
    post = make_post(author, "With a cover")
    post.cover = cover
    post.save()
    return post


def test_it_shows_the_cover_first_on_the_post_page_fetched_eagerly(client, post, cover):
    html = client.get(post.get_absolute_url()).content.decode()

    figure = re.search(r'<figure class="post__cover">(.*?)</figure>', html, re.S).group(1)
    img = re.search(r"<img [^>]+>", figure).group(0)
    assert 'fetchpriority="high"' in img and "loading=" not in img
    assert 'width="2000"' in img and 'height="1000"' in img and 'alt="Hills at dusk"' in img
    assert "1600w" in img and 'type="image/webp"' in figure


def test_it_shares_the_cover_in_open_graph_twitter_and_json_ld_with_its_size(client, post, cover):
    html = client.get(post.get_absolute_url()).content.decode()

    shared = cover.renditions.get(content_type="image/jpeg", width=1600)
    assert f'<meta property="og:image" content="http://testserver{shared.url}">' in html
    assert '<meta property="og:image:width" content="1600">' in html
    assert '<meta property="og:image:height" content="800">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1))
    assert data["image"] == {
        "@type": "ImageObject",
        "url": f"http://testserver{shared.url}",
        "width": 1600,
        "height": 800,
    }


def test_it_shows_covers_on_cards_lazily(client, author, make_post, post):
    for n in range(3):
        make_post(author, f"Plain {n}")
    html = client.get("/").content.decode()

    card = re.search(r'<div class="card__cover">(.*?)</div>', html, re.S).group(1)
    assert 'loading="lazy"' in card and "srcset=" in card
    assert f'src="{post.cover.get_absolute_url()}"' in card and 'alt="Hills at dusk"' in card
    assert 'width="2000"' in card and 'height="1000"' in card


def test_a_remembered_card_shows_its_cover_without_making_it_an_image(client, post, settings, monkeypatch):
    """A card's markup remembered (docs/decisions/0103), its cover is shown from what was read."""
    settings.PAGE_CACHE_SECONDS = 0
    first = client.get("/").content.decode()
    made = []
    monkeypatch.setattr(cards, "_cover_of", lambda *args: made.append(args) or None)
    assert client.get("/").content.decode() == first
    assert made == []


def test_it_puts_the_cover_in_the_feeds(client, post, cover):
    rss = client.get("/feed/").content.decode()

    shared = cover.renditions.get(content_type="image/jpeg", width=1600)
    enclosure = re.search(r"<enclosure [^>]+>", rss).group(0)
    for attribute in (
        f'url="http://testserver{shared.url}"',
        f'length="{shared.bytes}"',
        'type="image/jpeg"',
    ):
        assert attribute in enclosure
    assert "Hills at dusk" in rss


def test_the_api_sets_shows_and_removes_a_cover(client, author, make_post, cover):
    post = make_post(author, "Through the API")

    body = send(client, "patch", f"/api/posts/{post.pk}", {"cover": cover.pk}, user=author).json()
    assert body["cover"]["id"] == cover.pk and body["cover"]["width"] == 2000
    assert body["cover"]["used_by"] == [post.pk]
    listed = client.get("/api/posts").json()["results"]
    assert [item["cover"]["id"] for item in listed if item["id"] == post.pk] == [cover.pk]

    assert (
        send(client, "patch", f"/api/posts/{post.pk}", {"cover": None}, user=author).json()["cover"] is None
    )


def test_the_api_refuses_a_cover_from_someone_elses_library(client, author, other_author, make_post):
    theirs = Image.objects.create_from_upload(images.upload(images.jpeg()), other_author, alt="Not mine")
    post = make_post(author, "Mine")

    problem = assert_problem(
        send(client, "patch", f"/api/posts/{post.pk}", {"cover": theirs.pk}, user=author), 400
    )
    assert "cover" in problem["errors"]
    assert_problem(send(client, "patch", f"/api/posts/{post.pk}", {"cover": 999999}, user=author), 400)


def test_the_editor_chooses_a_cover_from_the_library_without_javascript(client, author, cover):
    client.force_login(author)
    form = client.get("/dashboard/posts/new/").content.decode()
    assert f'<option value="{cover.pk}">' in form

    data = {"title": "Chosen cover", "body": "Words.", "excerpt": "", "tags": "", "cover": cover.pk}
    response = client.post("/dashboard/posts/new/", data | {"action": "save"})
    assert response.status_code == 302
    assert cover.cover_of.get().title == "Chosen cover"


def test_the_api_lists_show_a_cover_as_the_post_shows_it(client, author, make_post, post):
    make_post(author, "Without a cover", tags=["hills"])
    make_post(author, "Scheduled", published_at=timezone.now() + timedelta(days=1))  # not counted
    post.tags.add(*Tag.from_names(["hills"]))
    shown = client.get(f"/api/posts/{post.pk}").json()["cover"]
    assert shown["uploaded_by"]["post_count"] == 2 and shown["used_by"] == [post.pk]
    lists = ["/api/posts", "/api/posts?tag=hills", f"/api/posts?author={author.username}"]
    for url in [*lists, "/api/posts?q=cover", "/api/posts?mine=true"]:
        listed = client.get(url, **bearer(author)).json()["results"]
        assert [item["cover"] for item in listed if item["id"] == post.pk] == [shown], url


def test_the_api_list_reads_its_covers_with_its_posts(client, author, make_post, post, cover):
    """The renditions, uploader and uses of the page's covers come with the cards: one query."""
    again = make_post(author, "The same cover again")
    again.cover = cover
    again.save()
    with CaptureQueriesContext(connection) as queries:
        listed = client.get("/api/posts").json()["results"]
    assert len(queries) == 1  # the page's posts with all they show, and the list's kept count
    for item in listed:
        assert item["cover"] == client.get(f"/api/posts/{item['id']}").json()["cover"]
        assert item["cover"]["used_by"] == sorted([post.pk, again.pk])
        assert len(item["cover"]["renditions"]) > 1


def test_the_api_lists_write_a_post_with_a_cover_alike(client, author, make_post, post):
    """A public list's posts are written once each and remembered (docs/decisions/0109), the other
    lists' field by field: the same bytes, first read and remembered."""
    post.tags.set([Tag.objects.create(name="Hills & “dales”")])
    make_post(author, "Ünïcode <title>", body="Text with «quotes» & more.", tags=["Hills & “dales”"])

    def results(path):
        response = client.get(path)
        assert response.status_code == 200, response.content
        return response.content.split(b'"results":', 1)[1]

    field_by_field = results("/api/posts?author=asha&tag=hills-dales")
    assert b'"cover":{' in field_by_field and "Ünïcode <title>".encode() in field_by_field
    assert results("/api/posts?author=asha") == field_by_field
    assert results("/api/posts?tag=hills-dales") == field_by_field  # remembered


def test_the_api_list_remembers_a_cover_by_all_it_shows(
    client, author, make_post, post, cover, settings, monkeypatch
):
    """A list's cover is made once for its columns, renditions, uploader and uses, then given again."""
    settings.PAGE_CACHE_SECONDS = 0

    def listed_cover():
        return next(item["cover"] for item in client.get("/api/posts").json()["results"] if item["cover"])

    first = listed_cover()
    made, make = [], cards._cover_of
    monkeypatch.setattr(cards, "_cover_of", lambda *args: made.append(args) or make(*args))
    assert listed_cover() == first
    assert made == []  # not even its image

    cover.alt = "Hills at dawn"
    cover.save()
    assert listed_cover()["alt"] == "Hills at dawn"
    author.display_name = "Asha R."
    author.save()
    assert listed_cover()["uploaded_by"]["display_name"] == "Asha R."
    draft = make_post(author, "The same cover again", status=Post.Status.DRAFT)  # not counted
    draft.cover = cover
    draft.save()
    assert listed_cover()["used_by"] == sorted([post.pk, draft.pk])
    assert len(made) == 3  # made again after each change, once
    assert listed_cover() == client.get(f"/api/posts/{post.pk}").json()["cover"]

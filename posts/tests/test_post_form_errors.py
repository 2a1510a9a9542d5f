"""Bad input on the editor page comes back as a form error with the writer's text kept; nothing is saved."""

import pytest

from posts.models import MAX_BODY_LENGTH, Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer_client(client, author):
    client.force_login(author)
    return client


def post_new(client, **fields):
    data = {"title": "A title", "body": "A body", "excerpt": "", "tags": "", "action": "save"} | fields
    return client.post("/dashboard/posts/new/", data)


def test_an_empty_title_on_publish_is_an_error_and_the_body_is_kept(writer_client):
    response = post_new(writer_client, title="", body="My precious words", action="publish")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert "My precious words" in html
    assert not Post.objects.exists()


def test_an_empty_body_on_publish_is_an_error(writer_client):
    response = post_new(writer_client, title="Only a title", body="   ", action="publish")
    assert "A post needs a body before it is published" in response.content.decode()
    assert 'value="Only a title"' in response.content.decode()
    assert not Post.objects.exists()


def test_a_201_character_title_is_an_error_and_kept(writer_client):
    title = "t" * 201
    response = post_new(writer_client, title=title)
    html = response.content.decode()
    assert "Ensure this value has at most 200 characters (it has 201)." in html
    assert f'value="{title}"' in html
    assert not Post.objects.exists()


def test_a_200_character_title_is_fine(writer_client):
    assert post_new(writer_client, title="t" * 200).status_code == 302
    assert len(Post.objects.get().title) == 200


@pytest.mark.parametrize("when", ["25/12/2031 10:00", "tomorrow", "2031-13-40T25:61"])
def test_a_date_in_the_wrong_format_is_an_error_and_kept(writer_client, when):
    response = post_new(writer_client, body="Words to keep", published_at=when, action="schedule")
    html = response.content.decode()
    assert "Enter a valid date/time." in html
    assert f'value="{when}"' in html
    assert "Words to keep" in html
    assert not Post.objects.exists()


def test_a_date_in_the_past_cannot_be_scheduled(writer_client):
    response = post_new(writer_client, published_at="2001-01-01T10:00", action="schedule")
    assert "Choose a time in the future" in response.content.decode()
    assert not Post.objects.exists()


def test_a_body_over_200000_characters_is_an_error_and_kept(writer_client):
    body = "word " * (MAX_BODY_LENGTH // 5) + "x"
    assert len(body) == MAX_BODY_LENGTH + 1
    response = post_new(writer_client, body=body)
    html = response.content.decode()
    assert "Ensure this value has at most 200000 characters (it has 200001)." in html
    assert body in html
    assert not Post.objects.exists()


def test_a_body_of_exactly_200000_characters_is_saved(writer_client):
    assert post_new(writer_client, body="x" * MAX_BODY_LENGTH).status_code == 302
    assert len(Post.objects.get().body) == MAX_BODY_LENGTH


def test_a_too_long_tag_is_an_error(writer_client):
    response = post_new(writer_client, tags="fine, " + "t" * 51)
    assert "A tag has at most 50 characters" in response.content.decode()
    assert not Post.objects.exists()


def test_an_unknown_action_just_saves(writer_client):
    assert post_new(writer_client, action="launch-the-rockets").status_code == 302
    assert Post.objects.get().status == Post.Status.DRAFT

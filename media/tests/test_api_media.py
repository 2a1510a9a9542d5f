"""The media endpoints of the JSON API (API.md, section Media), multipart uploads included."""

import pytest
from django.core.files.storage import default_storage

from accounts.tests.api_helpers import assert_problem, bearer, send
from media.models import Image

from . import images

pytestmark = pytest.mark.django_db


def post_image(client, user, content, name="photo.jpg", **fields):
    data = {"file": images.upload(content, name=name)} | {"alt": "A red and blue card"} | fields
    return client.post("/api/media", data, **bearer(user))


def test_it_uploads_an_image_and_answers_with_where_it_is(client, author):
    response = post_image(client, author, images.jpeg(1000, 500))

    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"/api/media/{body['id']}"
    assert body["url"].startswith("http://testserver/media/images/") and body["url"].endswith(".jpg")
    assert body | {"url": "", "renditions": [], "created_at": "", "uploaded_by": {}, "bytes": 0} == {
        "id": body["id"],
        "url": "",
        "alt": "A red and blue card",
        "decorative": False,
        "width": 1000,
        "height": 500,
        "content_type": "image/jpeg",
        "bytes": 0,
        "status": "ready",
        "renditions": [],
        "used_by": [],
        "uploaded_by": {},
        "created_at": "",
    }
    assert body["uploaded_by"]["username"] == "asha" and "email" not in body["uploaded_by"]
    assert {(r["content_type"], r["width"]) for r in body["renditions"]} == {
        ("image/webp", 480),
        ("image/webp", 960),
        ("image/jpeg", 480),
        ("image/jpeg", 960),
    }


def test_it_serves_a_polyglot_only_as_a_re_encoded_jpeg_with_nosniff(client, author):
    body = post_image(client, author, images.polyglot_jpeg_html(), name="page.html.jpg").json()

    response = client.get(body["url"].removeprefix("http://testserver"))
    content = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response["Cache-Control"] and "max-age=31536000" in response["Cache-Control"]
    assert content.startswith(b"\xff\xd8") and b"<script" not in content and b"<html" not in content


@pytest.mark.parametrize(
    ("content", "name", "status"),
    [
        (b"hello, I am text", "notes.png", 415),
        (images.svg_with_script(), "logo.svg", 415),
        (b"", "empty.jpg", 400),
        (images.png_claiming_size(50_000, 50_000), "bomb.png", 400),
    ],
)
def test_it_refuses_bad_files_with_a_problem(client, author, content, name, status):
    problem = assert_problem(post_image(client, author, content, name=name), status)

    assert problem["errors"]["file"] == [problem["detail"]]
    assert not Image.objects.exists()


def test_it_refuses_an_image_without_a_description(client, author):
    problem = assert_problem(post_image(client, author, images.jpeg(), alt=""), 400)

    assert "alt" in problem["errors"]
    response = post_image(client, author, images.jpeg(), alt="", decorative="true")
    assert response.status_code == 201 and response.json()["decorative"] is True


def test_it_refuses_a_file_over_the_size_limit_with_413(client, author, settings):
    settings.BLOG_MEDIA_MAX_BYTES = 2000
    problem = assert_problem(post_image(client, author, images.jpeg(300, 300) + b"\0" * 3000), 413)
    assert "at most" in problem["detail"]

    big_body = images.jpeg(300, 300) + b"\0" * (80 * 1024)  # past the limit and the multipart allowance
    assert_problem(post_image(client, author, big_body), 413)
    assert not Image.objects.exists()


def test_it_refuses_an_upload_past_the_writers_quota_with_413(client, author, editor, settings):
    settings.BLOG_MEDIA_QUOTA_MB = 1
    assert post_image(client, author, images.png(600, 600, mode="RGB") + b"").status_code == 201
    used = Image.objects.bytes_used_by(author)
    settings.BLOG_MEDIA_QUOTA_MB = 0
    problem = assert_problem(post_image(client, author, images.jpeg()), 413)
    assert "quota" in problem["detail"]
    assert Image.objects.bytes_used_by(author) == used
    settings.BLOG_MEDIA_QUOTA_MB = 1
    assert post_image(client, editor, images.jpeg()).status_code == 201  # each writer has their own


def test_it_refuses_a_json_body_for_uploads(client, author):
    assert_problem(send(client, "post", "/api/media", {"alt": "x"}, user=author), 415)


def test_it_refuses_a_multipart_body_without_a_boundary_with_400(client, author):
    response = client.post("/api/media", b"--x\r\n", content_type="multipart/form-data", **bearer(author))
    assert "boundary" in assert_problem(response, 400)["detail"]


def test_it_lists_the_callers_images_newest_first_in_constant_queries(
    client, author, other_author, editor, django_assert_num_queries
):
    for n in range(3):
        Image.objects.create_from_upload(images.upload(images.jpeg(50 + n, 40)), author, alt=f"Mine {n}")
    Image.objects.create_from_upload(
        images.upload(images.jpeg(), name="theirs.jpg"), other_author, alt="Theirs"
    )

    # Token user, COUNT, images, renditions, uses, public post counts of the uploaders.
    with django_assert_num_queries(6):
        page = client.get("/api/media", **bearer(author)).json()
    assert [image["alt"] for image in page["results"]] == ["Mine 2", "Mine 1", "Mine 0"]
    assert client.get("/api/media", **bearer(editor)).json()["count"] == 4
    found = client.get("/api/media?q=theirs", **bearer(editor)).json()["results"]
    assert [image["alt"] for image in found] == ["Theirs"]
    assert client.get("/api/media?q=mine+1", **bearer(author)).json()["count"] == 1


def test_it_hides_other_writers_images_and_lets_editors_manage_them(client, author, other_author, editor):
    image = Image.objects.create_from_upload(images.upload(images.jpeg()), author, alt="Mine")

    assert_problem(client.get(f"/api/media/{image.pk}", **bearer(other_author)), 404)
    assert_problem(send(client, "patch", f"/api/media/{image.pk}", {"alt": "x"}, user=other_author), 404)
    assert_problem(client.delete(f"/api/media/{image.pk}", **bearer(other_author)), 404)
    assert_problem(client.get("/api/media"), 401)

    response = send(client, "patch", f"/api/media/{image.pk}", {"alt": "Edited by the editor"}, user=editor)
    assert response.status_code == 200 and response.json()["alt"] == "Edited by the editor"


def test_it_changes_the_description_but_never_to_nothing(client, author):
    image = Image.objects.create_from_upload(images.upload(images.jpeg()), author, alt="Before")

    assert (
        send(client, "patch", f"/api/media/{image.pk}", {"alt": "After"}, user=author).json()["alt"]
        == "After"
    )
    problem = assert_problem(send(client, "patch", f"/api/media/{image.pk}", {"alt": ""}, user=author), 400)
    assert "alt" in problem["errors"]
    assert_problem(send(client, "patch", f"/api/media/{image.pk}", {"width": 3}, user=author), 400)
    body = send(client, "patch", f"/api/media/{image.pk}", {"decorative": True}, user=author).json()
    assert body["decorative"] is True and body["alt"] == ""


def test_it_deletes_an_unused_image_and_its_files(client, author):
    image = Image.objects.create_from_upload(images.upload(images.jpeg(1000, 600)), author, alt="Going")
    names = [image.file.name, *(r.file.name for r in image.renditions.all())]

    assert client.delete(f"/api/media/{image.pk}", **bearer(author)).status_code == 204
    assert not Image.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_it_refuses_to_delete_an_image_a_post_uses_and_names_the_post(client, author, make_post):
    image = Image.objects.create_from_upload(images.upload(images.jpeg()), author, alt="Cover")
    post = make_post(author, "Where the cover is")
    post.cover = image
    post.save()

    problem = assert_problem(client.delete(f"/api/media/{image.pk}", **bearer(author)), 409)
    assert "“Where the cover is”" in problem["detail"]
    assert Image.objects.filter(pk=image.pk).exists()
    assert default_storage.exists(image.file.name)
    body = client.get(f"/api/media/{image.pk}", **bearer(author)).json()
    assert body["used_by"] == [post.pk]
    assert client.get("/api/media?unused=true", **bearer(author)).json()["count"] == 0


def test_it_lets_no_visitor_upload(client):
    response = client.post("/api/media", {"file": images.upload(images.jpeg()), "alt": "x"})
    assert_problem(response, 401)


def test_it_refuses_a_multipart_body_it_cannot_read_with_400(client, author):
    headers = bearer(author)
    no_boundary = client.post("/api/media", b"x" * 10, content_type="multipart/form-data", **headers)
    assert_problem(no_boundary, 400)
    cut_short = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG'
    broken = client.post("/api/media", cut_short, content_type="multipart/form-data; boundary=b", **headers)
    assert broken.status_code == 400 and broken["Content-Type"] == "application/problem+json"
    assert not Image.objects.exists()

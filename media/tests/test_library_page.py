"""The media library page: a grid, search, where each image is used, describe, delete; no JavaScript."""

import pytest
from django.core.files.storage import default_storage

from media.models import Image

from . import images

pytestmark = pytest.mark.django_db


def add(owner, name="photo.jpg", alt="A red card", content=None):
    return Image.objects.create_from_upload(
        images.upload(content or images.jpeg(), name=name), owner, alt=alt
    )


def test_it_uploads_through_the_plain_form(client, contributor):
    client.force_login(contributor)
    response = client.post(
        "/dashboard/media/", {"file": images.upload(images.png(), name="chart.png"), "alt": "A chart"}
    )

    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.owner, image.alt, image.content_type) == (contributor, "A chart", "image/png")
    page = client.get("/dashboard/media/").content.decode()
    assert "chart.png" in page and "Added “chart.png” to the library." in page


@pytest.mark.parametrize(
    ("content", "name", "data", "status", "message"),
    [
        (b"plain words", "notes.png", {"alt": "x"}, 415, "not an image we accept"),
        (images.svg_with_script(), "logo.svg", {"alt": "x"}, 415, "not an image we accept"),
        (images.png_claiming_size(50_000, 50_000), "bomb.png", {"alt": "x"}, 400, "too many pixels"),
        (images.jpeg(), "photo.jpg", {"alt": ""}, 400, "Describe the image"),
    ],
)
def test_it_explains_a_refused_upload_on_the_form(client, author, content, name, data, status, message):
    client.force_login(author)
    response = client.post("/dashboard/media/", {"file": images.upload(content, name=name)} | data)

    assert response.status_code == status
    assert message in response.content.decode()
    assert not Image.objects.exists()


def test_it_lists_a_writers_own_images_and_finds_them_in_constant_queries(
    client, author, other_author, editor, make_post, django_assert_num_queries
):
    mine = [add(author, name=f"mine-{n}.jpg", alt=f"Mine {n}") for n in range(3)]
    add(other_author, name="theirs.jpg", alt="Theirs")
    make_post(author, "Uses one", body=f"![x]({mine[0].url})")
    client.force_login(author)

    # User (the session is in the cache), COUNT, images with owners, renditions, uses, their posts.
    with django_assert_num_queries(6):
        page = client.get("/dashboard/media/").content.decode()
    assert "mine-2.jpg" in page and "theirs.jpg" not in page
    assert "Used in" in page and "Uses one" in page
    assert "mine-1.jpg" in client.get("/dashboard/media/?q=mine+1").content.decode()
    assert "mine-2.jpg" not in client.get("/dashboard/media/?q=mine+1").content.decode()
    client.force_login(editor)
    assert "theirs.jpg" in client.get("/dashboard/media/").content.decode()


def test_it_changes_a_description(client, author):
    image = add(author)
    client.force_login(author)

    response = client.post(f"/dashboard/media/{image.pk}/edit/", {"alt": "A better description"})
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.alt == "A better description"
    response = client.post(f"/dashboard/media/{image.pk}/edit/", {"alt": ""})
    assert response.status_code == 200 and "Describe the image" in response.content.decode()


def test_it_refuses_to_delete_an_image_in_use_and_names_the_posts(client, author, make_post):
    image = add(author)
    make_post(author, "The post that shows it", body=f"![x]({image.url})")
    client.force_login(author)

    page = client.get(f"/dashboard/media/{image.pk}/delete/").content.decode()
    assert "The post that shows it" in page and "Delete the image" not in page
    response = client.post(f"/dashboard/media/{image.pk}/delete/")
    assert response.status_code == 409
    assert "“The post that shows it”" in response.content.decode()
    assert Image.objects.filter(pk=image.pk).exists()


def test_it_deletes_an_unused_image(client, author):
    image = add(author)
    client.force_login(author)

    assert client.post(f"/dashboard/media/{image.pk}/delete/").status_code == 302
    assert not Image.objects.exists() and not default_storage.exists(image.file.name)


@pytest.mark.parametrize(
    ("role", "own", "others"),
    [("contributor", 200, 404), ("author", 200, 404), ("editor", 200, 200), ("admin_user", 200, 200)],
)
def test_library_permission_matrix(request, client, other_author, role, own, others):
    """Every role on the library pages: manage their own images; editors and admins all images."""
    user = request.getfixturevalue(role)
    client.force_login(user)
    for owner, expected in ((user, own), (other_author, others)):
        image = add(owner)
        assert client.get(f"/dashboard/media/{image.pk}/edit/").status_code == expected
        assert client.get(f"/dashboard/media/{image.pk}/delete/").status_code == expected
        response = client.post(f"/dashboard/media/{image.pk}/delete/")
        assert Image.objects.filter(pk=image.pk).exists() == (expected != 200)
        assert response.status_code == (302 if expected == 200 else 404)


def test_visitors_are_sent_to_sign_in(client):
    response = client.get("/dashboard/media/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_editors_upload_in_the_admin_with_the_same_checks(client, editor, contributor):
    client.force_login(editor)
    response = client.post(
        "/admin/media/image/add/",
        {"upload": images.upload(images.png(), name="admin.png"), "alt": "From the admin"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Image.objects.get().original_name == "admin.png"
    refused = client.post(
        "/admin/media/image/add/", {"upload": images.upload(b"text", name="x.png"), "alt": "x"}
    )
    assert refused.status_code == 200 and "not an image we accept" in refused.content.decode()
    assert client.get("/admin/media/image/").status_code == 200
    client.force_login(contributor)
    assert client.get("/admin/media/image/").status_code == 302  # not staff: off to the admin's sign-in


def test_a_search_keeps_its_words_from_page_to_page(client, contributor, monkeypatch):
    monkeypatch.setattr("media.views.IMAGES_PER_PAGE", 2)
    for n in range(3):
        add(contributor, name=f"red{n}.jpg", alt=f"A red card {n}")
    add(contributor, name="blue.jpg", alt="A blue card")
    client.force_login(contributor)
    first = client.get("/dashboard/media/?q=red").content.decode()
    assert '<a rel="next" href="?q=red&amp;page=2">Older images →</a>' in first
    second = client.get("/dashboard/media/?q=red&page=2").content.decode()
    assert "red0.jpg" in second and "blue.jpg" not in second

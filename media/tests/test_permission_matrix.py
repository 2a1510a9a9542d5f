"""Every role (and a visitor) by every media action, on their own and on others' images, through the API.

Outcomes: the success status, 404 (the image is not visible to this user) or 401 (sign in
first). Denials change nothing.
"""

import pytest

from accounts.tests.api_helpers import bearer, send
from media.models import Image

from . import images

pytestmark = pytest.mark.django_db

ROLE_FIXTURES = {"contributor": "contributor", "author": "author", "editor": "editor", "admin": "admin_user"}
ACTIONS = ("upload", "view", "list", "describe", "delete")
ALL_OK = {"upload": 201, "view": 200, "list": "listed", "describe": 200, "delete": 204}
NOT_VISIBLE = {"upload": 201, "view": 404, "list": "not listed", "describe": 404, "delete": 404}
EXPECTED = {
    ("anonymous", "others"): dict.fromkeys(ACTIONS, 401),
    ("contributor", "own"): ALL_OK,
    ("contributor", "others"): NOT_VISIBLE,
    ("author", "own"): ALL_OK,
    ("author", "others"): NOT_VISIBLE,
    ("editor", "own"): ALL_OK,
    ("editor", "others"): ALL_OK,
    ("admin", "own"): ALL_OK,
    ("admin", "others"): ALL_OK,
}
CASES = [(role, whose, action) for (role, whose), actions in EXPECTED.items() for action in actions]


def do(client, action, image, headers):
    if action == "upload":
        return client.post("/api/media", {"file": images.upload(images.png()), "alt": "New"}, **headers)
    if action == "view":
        return client.get(f"/api/media/{image.pk}", **headers)
    if action == "list":
        return client.get("/api/media", **headers)
    if action == "describe":
        return send(client, "patch", f"/api/media/{image.pk}", {"alt": "Changed"}, **headers)
    return client.delete(f"/api/media/{image.pk}", **headers)


@pytest.mark.parametrize(("role", "whose", "action"), CASES)
def test_media_permission_matrix(request, client, other_author, role, whose, action):
    actor = request.getfixturevalue(ROLE_FIXTURES[role]) if role != "anonymous" else None
    owner = actor if whose == "own" else other_author
    image = Image.objects.create_from_upload(images.upload(images.jpeg()), owner, alt="Original")
    before = list(Image.objects.values())

    response = do(client, action, image, bearer(actor) if actor else {})
    expected = EXPECTED[(role, whose)][action]

    if action == "list" and expected in ("listed", "not listed"):
        assert response.status_code == 200
        ids = [item["id"] for item in response.json()["results"]]
        assert (image.pk in ids) == (expected == "listed")
        return
    assert response.status_code == expected, response.content
    if expected == 201:
        assert Image.objects.filter(owner=actor, alt="New").exists()
    elif expected == 200 and action == "describe":
        assert Image.objects.get(pk=image.pk).alt == "Changed"
    elif expected == 204:
        assert not Image.objects.filter(pk=image.pk).exists()
    else:
        assert list(Image.objects.values()) == before  # nothing changed

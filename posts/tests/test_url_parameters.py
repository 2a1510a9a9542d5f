"""Issue 13, finding 11: every URL parameter answers 404 or 400, never 500 (e.g. /authors/%00/)."""

import pytest

pytestmark = pytest.mark.django_db

ODD_PARAMETERS = ["%00", "a%00b", "%01", "%1F", "%0A", "%E2%80%AE", "%F0%9F%98%80", "..%2F..", "x" * 300]
PATHS = [
    "/authors/{}/",
    "/authors/{}/feed/",
    "/authors/{}/feed/atom/",
    "/tags/{}/",
    "/tags/{}/feed/",
    "/tags/{}/feed/atom/",
    "/posts/{}/",
    "/api/posts/{}",
    "/api/users/{}",
    "/dashboard/posts/{}/edit/",
    "/admin/posts/post/{}/change/",
]


@pytest.mark.parametrize("parameter", ODD_PARAMETERS)
@pytest.mark.parametrize("path", PATHS)
def test_it_answers_odd_url_parameters_with_404_or_400(client, editor, author, make_post, path, parameter):
    make_post(author, "Something public")
    client.force_login(editor)
    response = client.get(path.format(parameter))
    assert response.status_code in (400, 404, 302), (path, parameter, response.status_code)


def test_a_control_character_in_the_address_is_not_found(client):
    response = client.get("/authors/%00/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert client.get("/api/posts/%00").json()["status"] == 404

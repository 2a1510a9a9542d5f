import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.urls("bench.urls")
def test_it_answers_the_floor_with_a_constant_response(client):
    response = client.get("/bench/floor/")
    assert response.status_code == 200
    assert response.content == b"floor\n"


@pytest.mark.urls("bench.urls")
def test_it_serves_the_whole_site_beside_the_floor(client):
    assert client.get("/").status_code == 200
    assert client.get("/no-such-page/").status_code == 404


def test_the_site_itself_has_no_floor(client):
    assert client.get("/bench/floor/").status_code == 404

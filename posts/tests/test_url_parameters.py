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


# Query string values: a page or a 400, never a 500 (the database refuses NUL in a query).
QUERY_VALUES = ["%00", "1%00", "%01", "a%0Ab", "%0D%0A", "%1F", "%7F", "%C2%85", "%ED%A0%80", "%FF"]
QUERY_VALUES += ["1" * 400]
QUERY_URLS = [
    "/?page={}",
    "/search/?q={}",
    "/search/?q=lakes&page={}",
    "/tags/news/?page={}",
    "/authors/asha/?page={}",
    "/feed/?page={}",
    "/sitemap.xml?p={}",
    "/sitemap-posts.xml?p={}",
    "/api/posts?page={}",
    "/api/posts?q={}",
    "/api/posts?tag={}&author={}",
    "/api/posts?status={}",
    "/api/users?page={}",
    "/api/media?q={}",
    "/dashboard/?page={}",
    "/dashboard/media/?q={}",
    "/dashboard/posts/1/revisions/?a={}&b={}",
    "/accounts/login/?next={}",
    "/admin/posts/post/?q={}",
    "/admin/posts/post/?status={}",
    "/admin/posts/post/?p={}",
    "/admin/accounts/user/?q={}",
    "/admin/media/image/?q={}",
]


@pytest.mark.parametrize("value", QUERY_VALUES)
@pytest.mark.parametrize("url", QUERY_URLS)
def test_it_answers_odd_query_values_with_a_page_or_400(client, admin_user, author, make_post, url, value):
    make_post(author, "Lakes", tags=["news"])
    client.force_login(admin_user)
    response = client.get(url.format(value, value))
    assert response.status_code in (200, 302, 400, 404), (url, value, response.status_code)
    if response.status_code == 400 and url.startswith("/api/"):
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("url", ["/search/?q=%00", "/?page=%01", "/tags/news/?page=1%00"])
def test_control_characters_in_query_strings_are_no_500_for_visitors(client, author, make_post, url):
    make_post(author, "Lakes", tags=["news"])
    assert client.get(url).status_code in (200, 400)


def test_the_media_library_searches_the_printable_part_of_a_query(client, author):
    client.force_login(author)
    response = client.get("/dashboard/media/?q=lake%00%0Aside")
    assert response.status_code == 200
    assert response.context["query"] == "lake  side"

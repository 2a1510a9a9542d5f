"""Every list page takes any ``?page=`` a visitor can type and answers with a real page, never a 500."""

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

LIST_PAGES = ["/", "/tags/news/", "/authors/asha/"]


@pytest.fixture
def twenty_five_posts(author, make_post):
    """Three pages of ten: "Post 24" is the newest, "Post 00" the oldest."""
    now = timezone.now()
    for n in range(25):
        make_post(author, f"Post {n:02}", published_at=now - timedelta(hours=100 - n), tags=["news"])


def _titles(response):
    return [post.title for post in response.context["page"]]


@pytest.mark.parametrize("url", LIST_PAGES)
def test_it_shows_ten_posts_a_page_newest_first(client, twenty_five_posts, url):
    response = client.get(url)
    assert response.status_code == 200
    assert _titles(response) == [f"Post {n:02}" for n in range(24, 14, -1)]
    assert 'href="?page=2"' in response.content.decode()
    assert "Page 1 of 3" in response.content.decode()


@pytest.mark.parametrize("url", LIST_PAGES)
def test_it_shows_the_last_page_with_the_remainder(client, twenty_five_posts, url):
    response = client.get(url, {"page": "3"})
    assert _titles(response) == ["Post 04", "Post 03", "Post 02", "Post 01", "Post 00"]
    content = response.content.decode()
    assert 'href="?page=2"' in content
    assert "Older posts" not in content


@pytest.mark.parametrize("url", LIST_PAGES)
@pytest.mark.parametrize("number", ["abc", "", "1.5", "1e3", "%00", "\x00", "0x2", "9" * 5000, "²", "[]"])
def test_it_shows_the_first_page_for_a_page_that_is_not_a_number(client, twenty_five_posts, url, number):
    response = client.get(url, {"page": number})
    assert response.status_code == 200
    assert response.context["page"].number == 1


@pytest.mark.parametrize("url", LIST_PAGES)
@pytest.mark.parametrize("number", ["0", "-1", "-99999", "4", "99999", str(10**30)])
def test_it_shows_the_last_page_for_a_page_out_of_range(client, twenty_five_posts, url, number):
    response = client.get(url, {"page": number})
    assert response.status_code == 200
    assert response.context["page"].number == 3
    assert "Post 00" in response.content.decode()


@pytest.mark.parametrize("url", LIST_PAGES)
def test_it_copes_with_repeated_page_parameters(client, twenty_five_posts, url):
    response = client.get(f"{url}?page=2&page=abc")
    assert response.status_code == 200
    assert response.context["page"].number in (1, 2)


def test_it_shows_no_pagination_when_everything_fits(client, author, make_post):
    make_post(author, "Only one", tags=["news"])
    for url in LIST_PAGES:
        content = client.get(url, {"page": "7"}).content.decode()
        assert "Only one" in content
        assert 'class="pagination"' not in content


def test_it_handles_page_numbers_on_an_empty_home_page(client, db):
    for number in ["0", "2", "abc", "-1", "99999"]:
        response = client.get("/", {"page": number})
        assert response.status_code == 200
        assert "No posts here yet." in response.content.decode()

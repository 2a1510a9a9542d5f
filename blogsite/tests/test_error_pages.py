"""Visitors get styled 404 and 500 pages, never a stack trace."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_shows_the_styled_not_found_page(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert '<h1 class="page-title">Page not found</h1>' in content
    assert 'class="site-header"' in content  # the site's own template, with its navigation
    assert "/static/css/site." in content


def test_it_shows_the_same_page_for_a_hidden_post(client, settings, author, make_post):
    settings.DEBUG = False
    post = make_post(author, "Not yet", status="draft")
    response = client.get(post.get_absolute_url())
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Not yet" not in response.content.decode()


@pytest.mark.urls("blogsite.tests.broken_urls")
def test_it_shows_the_styled_server_error_page_without_details(client, settings, caplog):
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/fail/")
    assert response.status_code == 500
    content = response.content.decode()
    assert "Something went wrong" in content
    assert "/static/css/site." in content
    for leak in ("Traceback", "RuntimeError", "secret detail", "broken_urls"):
        assert leak not in content
    assert "secret detail" in caplog.text  # the details go to the log, for the people running the site


@pytest.mark.parametrize("site_url", ["", "https://blog.example.com"])
def test_a_request_for_a_host_the_site_does_not_serve_is_a_bad_request(client, settings, site_url):
    """Django refuses a Host outside ALLOWED_HOSTS; its error page must not ask for that host again."""
    settings.DEBUG, settings.SITE_URL = False, site_url
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    content = response.content.decode()
    assert "evil.example" not in content
    assert f'<link rel="canonical" href="{site_url}/">' in content

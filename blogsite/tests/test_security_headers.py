import pytest

pytestmark = pytest.mark.django_db


def assert_security_headers(response):
    csp = dict(
        directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";")
    )
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert "unsafe-inline" not in csp["script-src"]
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["img-src"] == "'self' data: https:"  # writers link images from other hosts
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/no-such-page/", "/admin/login/"])
def test_every_page_sends_the_security_headers(client, url):
    assert_security_headers(client.get(url))


def test_cached_pages_send_them_too(client, author, make_post):
    make_post(author)
    client.get("/")
    response = client.get("/")
    assert response["X-Cache"] == "hit"
    assert_security_headers(response)


def test_https_settings_redirect_and_send_hsts_behind_a_proxy(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    assert client.get("/").status_code == 301
    secure = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=3600")
    assert client.get("/healthz").status_code == 200

import pytest
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory

from blogsite.content_security import ContentSecurityPolicyMiddleware

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


def _policy(header: str) -> dict[str, str]:
    return dict(directive.strip().split(" ", 1) for directive in header.split(";"))


def _csp_middleware(response):
    middleware = ContentSecurityPolicyMiddleware(lambda request: response)
    return middleware(RequestFactory().get("/somewhere/"))


def test_the_policy_is_django_csps_own_and_follows_its_setting(client, settings):
    assert _policy(client.get("/")["Content-Security-Policy"]) == _policy(build_policy())
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}
    response = client.get("/accounts/login/")
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert _policy(response["Content-Security-Policy-Report-Only"]) == {
        "default-src": "'self'",  # django-csp's default
        "img-src": "'self'",
    }


def test_a_response_that_changes_its_policy_or_is_exempt_keeps_what_it_asked_for(settings):
    updated = HttpResponse()
    updated._csp_update = {"img-src": ["https://images.example"]}  # as @csp_update sets it
    assert "https://images.example" in _policy(_csp_middleware(updated)["Content-Security-Policy"])["img-src"]
    exempt = HttpResponse()
    exempt._csp_exempt = True  # as @csp_exempt sets it
    assert "Content-Security-Policy" not in _csp_middleware(exempt)
    settings.CONTENT_SECURITY_POLICY = {**settings.CONTENT_SECURITY_POLICY, "EXCLUDE_URL_PREFIXES": ["/some"]}
    assert "Content-Security-Policy" not in _csp_middleware(HttpResponse())

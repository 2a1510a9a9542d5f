"""The site's own system checks (blogsite/checks.py)."""

import pytest
from django.core.checks import Error, Warning
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from blogsite.checks import site_url_check


def test_finding_7_it_refuses_to_start_without_site_url_when_debug_is_off(settings):
    settings.DEBUG, settings.SITE_URL = False, ""
    [error] = site_url_check(None)
    assert isinstance(error, Error) and error.id == "blogsite.E001"
    with pytest.raises(SystemCheckError, match="SITE_URL is not set"):
        call_command("check")


def test_it_says_which_address_e_mails_use_without_site_url_in_development(settings):
    settings.DEBUG, settings.SITE_URL = True, ""
    [warning] = site_url_check(None)
    assert isinstance(warning, Warning) and "http://localhost:8000" in warning.msg


@pytest.mark.parametrize(
    "url", ["blog.example.com", "ftp://blog.example.com", "https://", "https://b.example/blog"]
)
def test_it_refuses_a_site_url_that_is_not_a_base_address(settings, url):
    settings.SITE_URL = url
    assert [error.id for error in site_url_check(None)] == ["blogsite.E002"]


def test_a_site_url_passes(settings):
    settings.SITE_URL = "https://blog.example.com:8443"
    assert site_url_check(None) == []

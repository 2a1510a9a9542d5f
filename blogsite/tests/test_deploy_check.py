"""`check --deploy` is clean apart from HTTPS, and a setting given wrong stops the site with a reason."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]

# These four need HTTPS in front of the site; SECURE_HTTPS=true switches them on together.
NEEDS_HTTPS = {"security.W004", "security.W008", "security.W012", "security.W016"}


def manage(*args, without=(), **variables):
    """``manage.py`` as a deployer runs it: a new process, DEBUG off and a real 50+ character key.

    ``variables`` add to or replace that environment; ``without`` names variables to leave out.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SECURE_"))}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="blog.example.com",
        SITE_URL="https://blog.example.com",
    )
    env.update(variables)
    for name in without:
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def deploy_check(**variables):
    result = manage("check", "--deploy", "--fail-level", "ERROR", **variables)
    assert result.returncode == 0, result.stderr
    return set(re.findall(r"\((\w+\.[WE]\d+)\)", result.stdout + result.stderr))


def test_it_warns_only_about_what_needs_https():
    assert deploy_check() <= NEEDS_HTTPS


def test_it_has_nothing_left_to_warn_about_once_https_is_on():
    assert deploy_check(SECURE_HTTPS="true") == set()  # HSTS preload comes on with it


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = manage("check", without=["SECRET_KEY"])
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_a_feed_length_under_one_stops_the_site_from_starting_with_a_clear_reason():
    result = manage("check", BLOG_FEED_LENGTH="0")
    assert result.returncode != 0
    assert "Set BLOG_FEED_LENGTH to 1 or more" in result.stderr


def test_finding_7_it_refuses_to_start_without_site_url_when_debug_is_off():
    result = manage("check", without=["SITE_URL"])
    assert result.returncode != 0
    assert "(blogsite.E001) SITE_URL is not set" in result.stderr

"""Signing in and out: Django's views, with a new session key, safe redirects and rate limits."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from accounts.backends import UsernameOrEmailBackend
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def without_token(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def sign_in(client, username, password=PASSWORD, next=None, **meta):
    data = {"username": username, "password": password} | ({"next": next} if next else {})
    return client.post("/accounts/login/", data, **meta)


def test_it_signs_a_writer_in_and_rotates_the_session_key(client, author):
    client.get("/accounts/login/")
    session = client.session
    session["before"] = "sign-in"
    session.save()
    key_before = session.session_key
    response = sign_in(client, "asha")
    assert response.status_code == 302
    assert client.session.session_key != key_before
    assert client.session["_auth_user_id"] == str(author.pk)


def test_it_stores_passwords_with_argon2(author):
    assert author.password.startswith("argon2")


def test_it_follows_next_within_the_site(client, author):
    response = sign_in(client, "asha", next="/dashboard/")
    assert response["Location"] == "/dashboard/"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "http://testserver.evil.example/", "javascript:alert(1)"],
)
def test_it_never_follows_next_off_the_site(client, author, target):
    response = sign_in(client, "asha", next=target)
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"  # the default after sign-in


def test_a_wrong_password_is_a_form_error(client, author):
    response = sign_in(client, "asha", "wrong-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_too_many_failures_block_the_username_with_the_same_answer_for_unknown_users(
    client, author, settings
):
    for _ in range(settings.BLOG_LOGIN_ATTEMPTS):
        sign_in(client, "asha", "wrong-password", REMOTE_ADDR="10.0.0.1")
        sign_in(client, "nobody", "wrong-password", REMOTE_ADDR="10.0.0.2")
    # Even the right password is not checked now, from another address too.
    blocked = sign_in(client, "asha", REMOTE_ADDR="10.0.0.3")
    unknown = sign_in(client, "nobody", "wrong-password", REMOTE_ADDR="10.0.0.4")
    assert blocked.status_code == unknown.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.content.decode()
    assert without_token(blocked).replace("asha", "nobody") == without_token(unknown)
    assert "_auth_user_id" not in client.session


def test_too_many_failures_block_the_address(client, author, other_author, settings):
    for n in range(settings.BLOG_LOGIN_ATTEMPTS):
        sign_in(client, f"guess{n}", "wrong-password", REMOTE_ADDR="10.0.0.9")
    assert sign_in(client, "ben", REMOTE_ADDR="10.0.0.9").status_code == 429
    assert sign_in(client, "ben", REMOTE_ADDR="10.0.0.10").status_code == 302


def test_sign_out_is_post_only(client, author):
    client.force_login(author)
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_header_links_the_dashboard_for_writers_only(client, author):
    assert b'href="/dashboard/"' not in client.get("/").content
    client.force_login(author)
    assert b'href="/dashboard/"' in client.get("/").content


def test_a_signed_in_user_is_read_on_each_request_as_the_orm_reads_them(author):
    backend = UsernameOrEmailBackend()
    fields = [field.attname for field in get_user_model()._meta.concrete_fields]
    author.last_login = timezone.now()
    author.save()
    read, expected = backend.get_user(str(author.pk)), get_user_model().objects.get(pk=author.pk)
    assert {name: getattr(read, name) for name in fields} == {
        name: getattr(expected, name) for name in fields
    }
    assert read._state.db == "default" and not read._state.adding
    assert backend.get_user("not a number") is None
    assert backend.get_user(author.pk + 1000) is None
    author.is_active = False
    author.save()
    assert backend.get_user(author.pk) is None

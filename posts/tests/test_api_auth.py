from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.tokens import issue_token
from conftest import PASSWORD

from .api_helpers import assert_problem, send

pytestmark = pytest.mark.django_db


def login(client, username, password=PASSWORD):
    return send(client, "post", "/api/auth/login", {"username": username, "password": password})


def test_it_trades_a_username_and_password_for_a_bearer_token(client, author):
    response = login(client, "asha")
    assert response.status_code == 200
    data = response.json()
    assert data["token_type"] == "Bearer" and data["expires_in"] == 3600
    assert data["user"]["username"] == "asha" and data["user"]["email"] == "asha@example.com"
    assert data["user"]["role"] == "author"
    profile = client.get("/api/profile", HTTP_AUTHORIZATION=f"Bearer {data['token']}")
    assert profile.json()["id"] == author.pk


def test_the_username_field_also_takes_the_email_address(client, author):
    assert login(client, "ASHA@example.com").json()["user"]["id"] == author.pk


def test_the_token_carries_the_user_an_expiry_and_a_version(author, settings):
    settings.BLOG_API_TOKEN_SECONDS = 60
    claims = jwt.decode(issue_token(author), settings.SECRET_KEY, algorithms=["HS256"])
    assert claims["sub"] == str(author.pk) and claims["ver"] == author.token_version
    assert claims["exp"] - claims["iat"] == 60


def test_wrong_credentials_get_the_same_401_whether_or_not_the_user_exists(client, author):
    wrong_password = login(client, "asha", "not-the-password")
    no_such_user = login(client, "nobody", "not-the-password")
    assert_problem(wrong_password, 401)
    assert wrong_password.content == no_such_user.content
    assert wrong_password["WWW-Authenticate"] == no_such_user["WWW-Authenticate"] == "Bearer"


def test_inactive_users_cannot_sign_in(client, author):
    author.is_active = False
    author.save()
    assert_problem(login(client, "asha"), 401)


@pytest.mark.parametrize("body", [{}, {"username": "asha"}, {"username": 1, "password": []}, {"user": "x"}])
def test_a_malformed_login_is_a_400(client, body):
    assert assert_problem(send(client, "post", "/api/auth/login", body), 400)["errors"]


def test_failed_logins_are_limited_per_username_with_retry_after(client, author):
    for _ in range(settings.BLOG_LOGIN_ATTEMPTS):
        assert_problem(login(client, "asha", "wrong"), 401)
    blocked = login(client, "asha")  # even the right password waits now
    assert_problem(blocked, 429)
    assert int(blocked["Retry-After"]) > 0


def test_logout_revokes_every_token_of_the_user(client, author):
    first, second = issue_token(author), issue_token(author)
    response = send(client, "post", "/api/auth/logout", HTTP_AUTHORIZATION=f"Bearer {first}")
    assert response.status_code == 204
    for token in (first, second):
        assert_problem(client.get("/api/profile", HTTP_AUTHORIZATION=f"Bearer {token}"), 401)
    fresh = login(client, "asha").json()["token"]
    assert client.get("/api/profile", HTTP_AUTHORIZATION=f"Bearer {fresh}").status_code == 200


def test_logout_needs_credentials(client):
    assert_problem(send(client, "post", "/api/auth/logout"), 401)


def test_logout_by_session_needs_csrf_and_ends_the_session(author):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    token = issue_token(author)
    assert_problem(send(client, "post", "/api/auth/logout"), 403)
    client.cookies["csrftoken"] = "c" * 32
    assert send(client, "post", "/api/auth/logout", HTTP_X_CSRFTOKEN="c" * 32).status_code == 204
    assert_problem(client.get("/api/profile"), 401)
    assert_problem(client.get("/api/profile", HTTP_AUTHORIZATION=f"Bearer {token}"), 401)


def test_a_password_change_revokes_tokens(client, author):
    token = issue_token(author)
    client.force_login(author)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase",
            "new_password2": "another-long-passphrase",
        },
    )
    assert response.status_code == 302
    anonymous = Client()
    assert_problem(anonymous.get("/api/profile", HTTP_AUTHORIZATION=f"Bearer {token}"), 401)


def test_set_password_anywhere_revokes_tokens(client, author):
    token = issue_token(author)
    author.set_password("yet-another-passphrase")
    author.save()
    assert_problem(client.get("/api/profile", HTTP_AUTHORIZATION=f"Bearer {token}"), 401)


def test_expired_and_forged_tokens_are_refused(client, author):
    now = timezone.now()
    expired = jwt.encode(
        {"sub": str(author.pk), "ver": author.token_version, "exp": now - timedelta(seconds=1)},
        settings.SECRET_KEY,
        algorithm="HS256",
    )
    forged = jwt.encode(
        {"sub": str(author.pk), "ver": author.token_version, "exp": now + timedelta(hours=1)},
        "someone-elses-key-that-is-long-enough",
        algorithm="HS256",
    )
    unsigned = jwt.encode(
        {"sub": str(author.pk), "ver": 0, "exp": now + timedelta(hours=1)}, None, algorithm="none"
    )
    for token in (expired, forged, unsigned, "", "a.b.c"):
        response = client.get("/api/profile", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert_problem(response, 401)
        assert response["WWW-Authenticate"] == "Bearer"


def test_the_sign_in_page_takes_the_email_address_too(client, author):
    response = client.post("/accounts/login/", {"username": "asha@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(author.pk)


def test_an_address_shared_by_two_accounts_signs_in_neither(client, author, other_author):
    other_author.email = "ASHA@example.com"
    other_author.save()
    assert_problem(login(client, "asha@example.com"), 401)

"""The sign-in limit (issue 13, findings 1 and 6): every way to sign in counts against the
same limit, per resolved account and per address, counted before the password is checked."""

import re
import threading

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "wrong-password"


def site_sign_in(client, username, password=PASSWORD, address="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def admin_sign_in(client, username, password=PASSWORD, address="10.0.0.1"):
    return client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def api_sign_in(client, username, password=PASSWORD, address="10.0.0.1"):
    body = {"username": username, "password": password}
    return client.post("/api/auth/login", body, content_type="application/json", REMOTE_ADDR=address)


def reset_link(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/accounts/reset/{uid}/{default_token_generator.make_token(user)}/"


def signed_in(client):
    return "_auth_user_id" in client.session


# Finding 1: the admin's sign-in form was not limited, and no path shared another's count.
def test_finding_1_the_admin_sign_in_form_is_rate_limited(client, admin_user):
    for n in range(settings.BLOG_LOGIN_ATTEMPTS):
        admin_sign_in(client, "root", WRONG, address=f"10.0.1.{n}")
    response = admin_sign_in(client, "root", address="10.0.2.1")  # the right password, a new address
    assert not signed_in(client)
    assert "Too many failed sign-in attempts" in response.content.decode()


@pytest.mark.parametrize("failing", [site_sign_in, admin_sign_in, api_sign_in])
def test_finding_1_every_way_to_sign_in_shares_one_limit(client, editor, failing):
    for n in range(settings.BLOG_LOGIN_ATTEMPTS):
        failing(client, "edith", WRONG, address=f"10.0.1.{n}")
    assert site_sign_in(client, "edith", address="10.0.2.1").status_code == 429
    assert not signed_in(client)
    assert (
        "Too many failed sign-in attempts"
        in admin_sign_in(client, "edith", address="10.0.2.2").content.decode()
    )
    assert not signed_in(client)
    response = api_sign_in(client, "edith", address="10.0.2.3")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert client.get(reset_link(editor), REMOTE_ADDR="10.0.2.4").status_code == 429


def test_finding_1_wrong_reset_links_count_against_the_account(client, author):
    uid = urlsafe_base64_encode(force_bytes(author.pk))
    for n in range(settings.BLOG_LOGIN_ATTEMPTS):
        response = client.get(f"/accounts/reset/{uid}/guess-{n}/", REMOTE_ADDR=f"10.0.1.{n}")
        assert "This link does not work any more" in response.content.decode()
    assert site_sign_in(client, "asha", address="10.0.2.1").status_code == 429
    assert client.get(reset_link(author), REMOTE_ADDR="10.0.2.2").status_code == 429


def test_a_good_reset_link_and_a_good_password_do_not_use_the_limit_up(client, author):
    for _ in range(settings.BLOG_LOGIN_ATTEMPTS + 2):
        page = client.get(reset_link(author), REMOTE_ADDR="10.0.0.1", follow=True)
        assert "Choose a new password" in page.content.decode()
    for _ in range(settings.BLOG_LOGIN_ATTEMPTS + 2):
        assert site_sign_in(Client(), "asha").status_code == 302


# Finding 6: the count was keyed on what was typed, not on the account.
@pytest.mark.parametrize(
    "spellings",
    [
        ["edith", "EDITH", "edith@example.com", "Edith@Example.COM", "ed\u0131th"],  # U+0131: dotless i
        # Fullwidth letters (NFKC makes them plain), spaces around, a dotless i in the address.
        ["\uff25\uff24\uff29\uff34\uff28", " edith ", "EDITH@EXAMPLE.COM", "edith", "ed\u0131th@example.com"],
    ],
)
def test_finding_6_failures_count_per_account_whatever_the_spelling(client, editor, spellings):
    assert len(spellings) == settings.BLOG_LOGIN_ATTEMPTS
    for n, spelling in enumerate(spellings):
        assert site_sign_in(client, spelling, WRONG, address=f"10.0.1.{n}").status_code == 200
    assert site_sign_in(client, "edith", address="10.0.2.1").status_code == 429
    assert not signed_in(client)


def test_finding_6_other_spellings_of_a_username_sign_in_to_that_account(client, editor):
    assert site_sign_in(client, "EDITH").status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


def test_finding_6_a_name_that_matches_no_account_is_counted_normalised(client):
    spellings = [
        "ghost",
        "GHOST",
        "Ghost",
        "\uff47\uff48\uff4f\uff53\uff54",
        "gho\u017ft",
    ]  # fullwidth, long s
    for n, spelling in enumerate(spellings[: settings.BLOG_LOGIN_ATTEMPTS]):
        assert api_sign_in(client, spelling, WRONG, address=f"10.0.1.{n}").status_code == 401
    assert api_sign_in(client, "gHoSt", WRONG, address="10.0.2.1").status_code == 429


def test_an_address_two_accounts_share_names_neither(client, author):
    User.objects.filter(username="asha").update(email="shared@example.com")
    User.objects.create_user("asha2", email="SHARED@example.com", password=PASSWORD)
    assert site_sign_in(client, "shared@example.com").status_code == 200
    assert not signed_in(client)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel sign-ins need PostgreSQL")
def test_finding_6_parallel_attempts_check_the_password_at_most_the_limits_number_of_times(
    editor, monkeypatch
):
    checks = []
    real_check = User.check_password
    monkeypatch.setattr(User, "check_password", lambda user, raw: checks.append(raw) or real_check(user, raw))
    start = threading.Barrier(20)
    statuses = []

    def attempt(n):
        start.wait()
        try:
            statuses.append(api_sign_in(Client(), "edith", f"guess-{n}", address=f"10.0.3.{n}").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checks) <= settings.BLOG_LOGIN_ATTEMPTS
    assert sorted(statuses) == [401] * len(checks) + [429] * (20 - len(checks))


def test_a_blocked_answer_is_the_same_for_accounts_that_do_not_exist(client, author):
    def without_token(response):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())

    for n in range(settings.BLOG_LOGIN_ATTEMPTS):
        site_sign_in(client, "asha", WRONG, address=f"10.0.1.{n}")
        site_sign_in(client, "nobody", WRONG, address=f"10.0.1.{n}")
    blocked, unknown = (
        site_sign_in(client, "asha", WRONG, "10.0.2.1"),
        site_sign_in(client, "nobody", WRONG, "10.0.2.2"),
    )
    assert blocked.status_code == unknown.status_code == 429
    assert without_token(blocked).replace("asha", "nobody") == without_token(unknown)


def change_password(client, old, address="10.0.0.1"):
    data = {
        "old_password": old,
        "new_password1": "a-brand-new-passphrase",
        "new_password2": "a-brand-new-passphrase",
    }
    return client.post("/accounts/password_change/", data, REMOTE_ADDR=address)


def test_the_old_password_of_a_password_change_counts_against_the_sign_in_limit(client, author):
    """Django's PasswordChangeForm checked the old password outside the limit: a borrowed session
    could guess it without end, then change it."""
    client.force_login(author)
    for n in range(settings.BLOG_LOGIN_ATTEMPTS):
        response = change_password(client, WRONG, address=f"10.0.1.{n}")
        assert "Your old password was entered incorrectly" in response.content.decode()
    response = change_password(client, PASSWORD, address="10.0.2.1")  # the right one, a new address
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert User.objects.get(pk=author.pk).check_password(PASSWORD)
    assert site_sign_in(Client(), "asha", address="10.0.2.2").status_code == 429  # one limit for all


def test_a_right_old_password_changes_it_without_using_the_limit_up(client, author):
    client.force_login(author)
    for _ in range(settings.BLOG_LOGIN_ATTEMPTS + 1):
        User.objects.filter(pk=author.pk).update(password=author.password)
        assert change_password(client, PASSWORD)["Location"] == "/accounts/password_change/done/"
        client.force_login(author)
    assert User.objects.get(pk=author.pk).check_password("a-brand-new-passphrase")

"""Changing the account's e-mail address asks for the password and tells the old address."""

import pytest
from django.conf import settings

from accounts.models import User
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROFILE = {"display_name": "Asha Author", "bio": "Writes about databases."}


def save_profile(client, **fields):
    return client.post("/accounts/profile/", PROFILE | {"email": "asha@example.com"} | fields)


def test_changing_the_email_needs_the_current_password(client, author, mailoutbox):
    client.force_login(author)
    for password in ["", "wrong-password"]:
        response = save_profile(client, email="new@example.com", current_password=password)
        assert response.status_code == 200
        assert "Enter your current password to change your e-mail address." in response.content.decode()
    assert User.objects.get(pk=author.pk).email == "asha@example.com"
    assert mailoutbox == []


def test_changing_the_email_tells_the_old_address(client, author, mailoutbox):
    client.force_login(author)
    response = save_profile(client, email="new@example.com", current_password=PASSWORD)
    assert response["Location"] == "/accounts/profile/"
    assert User.objects.get(pk=author.pk).email == "new@example.com"
    [notice] = mailoutbox
    assert notice.to == ["asha@example.com"]
    assert "changed to new@example.com" in notice.body
    assert notice.subject == f"[{settings.SITE_NAME}] Your e-mail address was changed"


def test_the_rest_of_the_profile_saves_without_the_password(client, author, mailoutbox):
    client.force_login(author)
    assert save_profile(client, bio="New bio.")["Location"] == "/accounts/profile/"
    assert User.objects.get(pk=author.pk).bio == "New bio."
    assert mailoutbox == []


def test_guessing_the_password_on_the_profile_page_is_within_the_sign_in_limit(client, author):
    client.force_login(author)
    for _ in range(settings.BLOG_LOGIN_ATTEMPTS):
        save_profile(client, email="new@example.com", current_password="guess")
    response = save_profile(client, email="new@example.com", current_password=PASSWORD)
    assert "Too many failed attempts" in response.content.decode()
    assert User.objects.get(pk=author.pk).email == "asha@example.com"

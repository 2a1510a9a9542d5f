"""Changing a password, and resetting a forgotten one by e-mail."""

import re

import pytest

from accounts.models import User
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_writer_changes_their_password(client, author):
    client.force_login(author)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response["Location"] == "/accounts/password_change/done/"
    author.refresh_from_db()
    assert author.check_password("a-new-long-passphrase")
    assert author.password.startswith("argon2")


def test_a_weak_new_password_is_refused(client, author):
    client.force_login(author)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    author.refresh_from_db()
    assert author.check_password(PASSWORD)


def test_a_forgotten_password_is_reset_through_an_e_mailed_link(client, author, mailoutbox, monkeypatch):
    from blogsite import tasks

    sent = []
    real_send_or_retry = tasks.send_or_retry
    monkeypatch.setattr(
        tasks,
        "send_or_retry",
        lambda message, **kw: sent.append(message) or real_send_or_retry(message, **kw),
    )
    response = client.post("/accounts/password_reset/", {"email": "asha@example.com"})
    assert response["Location"] == "/accounts/password_reset/done/"
    assert [message.to for message in sent] == [["asha@example.com"]]  # through our one sender
    (message,) = mailoutbox
    link = re.search(r"http://testserver(/accounts/reset/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand-new-passphrase", "new_password2": "brand-new-passphrase"},
    )
    assert done["Location"] == "/accounts/reset/done/"
    assert User.objects.get(pk=author.pk).check_password("brand-new-passphrase")


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, mailoutbox):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mailoutbox == []

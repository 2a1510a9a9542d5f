"""Hostile input against the account forms: sign-up, profile, e-mail change, password change.

Each example is saved whole or refused with a form error on the field at fault, leaves the
account as it was when refused, and never echoes a line break or control character into a
one-line <input> (HTML forbids it there; browsers drop it).
"""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from blogsite.tests.hostile import C0_CONTROLS, hostile_settings, lines, odd_text
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

STRONG = "a-long-enough-passphrase-42"
CONTROL = re.compile(r"[\x00-\x1f]")
# An <input> that is not hidden, and its value: where a line break must never come back.
SHOWN_INPUT_VALUE = re.compile(r'<input (?![^>]*type="hidden")[^>]*value="([^"]*)"')

emails = st.one_of(
    st.emails().map(lambda address: address[:254]),
    lines,
    st.builds(
        lambda local, control, where: (
            f"{local}{control}@example.com" if where else f"{local}@ex{control}ample.com"
        ),
        st.sampled_from(["a", "ä", "a.b", "a+b"]),
        st.sampled_from(C0_CONTROLS),
        st.booleans(),
    ),
    st.sampled_from(["a@b.c\n", " a@b.c", "a@[127.0.0.1]", "a@localhost", "@", "a@b@c", "a" * 320 + "@b.c"]),
)
passwords = st.one_of(st.just(PASSWORD), st.just(STRONG), lines, st.text(max_size=5000))


def account_state():
    """What a refused form must leave unchanged: every account's words and password."""
    users = User.objects.order_by("pk")
    return list(users.values_list("pk", "username", "email", "display_name", "bio", "password", "role"))


def assert_page_is_clean(response):
    """No one-line box shows a control character, and the page never failed."""
    html = response.content.decode()
    for value in SHOWN_INPUT_VALUE.findall(html):
        assert not CONTROL.search(value), value
    assert "\x00" not in html


def assert_refused_on(response, fields: set[str]):
    errors = response.context["form"].errors
    assert set(errors) & fields or errors.get("__all__"), errors


@hostile_settings(max_examples=30)
@given(username=lines, email=emails, display_name=lines, password=passwords)
def test_sign_up_creates_a_whole_account_or_refuses_with_a_form_error(
    settings, username, email, display_name, password
):
    settings.BLOG_OPEN_SIGNUP = True
    cache.clear()
    before = account_state()
    data = {
        "username": username,
        "email": email,
        "display_name": display_name,
        "password1": password,
        "password2": password,
    }
    with transaction.atomic():  # each example on its own: no account left from the one before
        response = Client().post("/accounts/signup/", data)
        check_sign_up(response, before, username, email, display_name, password)
        transaction.set_rollback(True)


def check_sign_up(response, before, username, email, display_name, password):
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        user = User.objects.get(pk=User.objects.latest("pk").pk)
        assert user.email == User.objects.normalize_email(email.strip())
        assert user.display_name == display_name.strip()
        assert user.check_password(password)
        assert not CONTROL.search(user.username + user.email + user.display_name)
        return
    assert account_state() == before
    assert_page_is_clean(response)
    if CONTROL.search(username + display_name):
        assert_refused_on(response, {"username", "display_name"})


@hostile_settings(max_examples=30)
@given(display_name=lines, bio=st.one_of(odd_text, lines), email=emails)
def test_the_profile_saves_whole_or_refuses_with_a_form_error(client, author, display_name, bio, email):
    cache.clear()
    client.force_login(author)
    before = account_state()
    data = {"display_name": display_name, "bio": bio, "email": email}
    response = client.post("/accounts/profile/", data)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        saved = User.objects.get(pk=author.pk)
        assert (saved.display_name, saved.bio) == (display_name.strip(), bio.strip())
        assert saved.email == author.email  # changing it needs the password, which was not given
        return
    assert account_state() == before
    assert_page_is_clean(response)
    if CONTROL.search(display_name):
        assert_refused_on(response, {"display_name"})


@hostile_settings(max_examples=30)
@given(email=emails, current_password=passwords)
def test_an_email_change_happens_whole_or_not_at_all(client, author, email, current_password):
    cache.clear()  # the sign-in limit counts wrong passwords: each example starts afresh
    mail.outbox.clear()
    User.objects.filter(pk=author.pk).update(email="asha@example.com")
    client.force_login(author)
    before = account_state()
    data = {"display_name": "Asha", "bio": "", "email": email, "current_password": current_password}
    response = client.post("/accounts/profile/", data)
    assert response.status_code in (200, 302), response.status_code
    saved = User.objects.get(pk=author.pk)
    if response.status_code == 302:
        if saved.email != "asha@example.com":
            assert current_password == PASSWORD
            assert not CONTROL.search(saved.email)
            assert [message.to for message in mail.outbox] == [["asha@example.com"]]
        return
    assert account_state() == before
    assert mail.outbox == []
    assert_page_is_clean(response)


@hostile_settings(max_examples=25)
@given(old=passwords, new1=passwords, new2=st.one_of(st.none(), passwords))
def test_a_password_change_happens_whole_or_not_at_all(client, author, old, new1, new2):
    cache.clear()
    author.refresh_from_db()
    if not author.check_password(PASSWORD):  # an earlier example changed it: put it back
        author.set_password(PASSWORD)
        author.save()
    client.force_login(author)
    before = account_state()
    new2 = new1 if new2 is None else new2
    data = {"old_password": old, "new_password1": new1, "new_password2": new2}
    response = client.post("/accounts/password_change/", data)
    assert response.status_code in (200, 302), response.status_code
    saved = User.objects.get(pk=author.pk)
    if response.status_code == 302:
        assert old == PASSWORD and new1 == new2
        assert saved.check_password(new1)
        return
    assert account_state() == before
    assert_page_is_clean(response)

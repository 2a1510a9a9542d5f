"""Open sign-up (off by default) makes contributors; the profile page edits name and bio."""

import pytest

from accounts.models import Role, User

pytestmark = pytest.mark.django_db

SIGNUP = {
    "username": "newbie",
    "email": "newbie@example.com",
    "display_name": "New Writer",
    "password1": "a-long-enough-passphrase",
    "password2": "a-long-enough-passphrase",
}


def test_sign_up_is_closed_by_default(client, settings):
    settings.BLOG_OPEN_SIGNUP = False
    assert client.get("/accounts/signup/").status_code == 404
    assert client.post("/accounts/signup/", SIGNUP).status_code == 404
    assert not User.objects.exists()


def test_open_sign_up_makes_a_signed_in_contributor_whatever_is_posted(client, settings):
    settings.BLOG_OPEN_SIGNUP = True
    response = client.post("/accounts/signup/", SIGNUP | {"role": "admin", "is_staff": "on"})
    assert response["Location"] == "/dashboard/"
    user = User.objects.get(username="newbie")
    assert (user.role, user.is_staff, user.is_superuser) == (Role.CONTRIBUTOR, False, False)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.password.startswith("argon2")


def test_sign_up_refuses_a_weak_password_and_keeps_the_input(client, settings):
    settings.BLOG_OPEN_SIGNUP = True
    response = client.post("/accounts/signup/", SIGNUP | {"password1": "newbie", "password2": "newbie"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "too similar to the username" in html or "too short" in html
    assert 'value="newbie@example.com"' in html
    assert not User.objects.exists()


def test_the_profile_edits_display_name_and_bio(client, author):
    client.force_login(author)
    assert client.get("/accounts/profile/").status_code == 200
    response = client.post(
        "/accounts/profile/", {"display_name": "Asha R.", "bio": "Databases.", "email": "asha@example.com"}
    )
    assert response["Location"] == "/accounts/profile/"
    author.refresh_from_db()
    assert (author.display_name, author.bio) == ("Asha R.", "Databases.")
    assert author.role == Role.AUTHOR


def test_the_profile_needs_a_signed_in_user(client):
    assert client.get("/accounts/profile/")["Location"].startswith("/accounts/login/")


def test_the_profile_refuses_an_address_another_account_uses(client, author, other_author):
    client.force_login(author)
    response = client.post(
        "/accounts/profile/", {"display_name": "Asha", "bio": "", "email": "BEN@example.com"}
    )
    assert response.status_code == 200
    assert "Another account already uses this e-mail address." in response.content.decode()
    author.refresh_from_db()
    assert author.email == "asha@example.com"


def test_a_refused_sign_up_shows_its_one_line_fields_without_line_breaks(client, settings):
    """Every one-line <input> of the site (FORM_RENDERER): HTML forbids line breaks in one."""
    settings.BLOG_OPEN_SIGNUP = True
    data = SIGNUP | {
        "username": "new\nbie",
        "email": "new\r\nbie@example.com",
        "display_name": "New\x0bWriter",
    }
    response = client.post("/accounts/signup/", data)
    assert set(response.context["form"].errors) == {"username", "email", "display_name"}
    html = response.content.decode()
    assert 'value="new bie"' in html and 'value="new  bie@example.com"' in html
    assert 'value="New Writer"' in html
    assert not User.objects.exists()

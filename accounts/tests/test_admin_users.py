"""Admins manage users and roles in the Django admin; the role alone sets Django's staff flags."""

import pytest

from accounts.models import Role, User
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

USERS = "/admin/accounts/user/"


def _change_form(user, **changes):
    data = {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "bio": user.bio,
        "role": user.role,
        "is_active": "on" if user.is_active else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


@pytest.mark.parametrize(
    ("role", "staff", "superuser"),
    [("editor", True, False), ("admin", True, True), ("author", False, False), ("contributor", False, False)],
)
def test_it_sets_staff_and_superuser_flags_from_the_role(client, admin_user, author, role, staff, superuser):
    client.force_login(admin_user)
    response = client.post(f"{USERS}{author.pk}/change/", _change_form(author, role=role))
    assert response.status_code == 302
    author.refresh_from_db()
    assert (author.role, author.is_staff, author.is_superuser) == (role, staff, superuser)


def test_it_takes_editor_rights_away_with_the_role(client, admin_user, editor):
    client.force_login(admin_user)
    client.post(f"{USERS}{editor.pk}/change/", _change_form(editor, role="author"))
    editor.refresh_from_db()
    assert not editor.is_staff
    client.force_login(editor)
    assert client.get("/admin/").status_code == 302


def test_it_changes_roles_from_the_user_list(client, admin_user, author, contributor):
    client.force_login(admin_user)
    users = list(User.objects.order_by("username"))
    data = {
        "form-TOTAL_FORMS": str(len(users)),
        "form-INITIAL_FORMS": str(len(users)),
        "_save": "Save",
    }
    for n, user in enumerate(users):
        data[f"form-{n}-id"] = str(user.pk)
        data[f"form-{n}-role"] = Role.EDITOR if user == contributor else user.role
    response = client.post(USERS, data)
    assert response.status_code == 302
    contributor.refresh_from_db()
    assert (contributor.role, contributor.is_staff, contributor.is_superuser) == ("editor", True, False)


def test_it_adds_a_user_with_a_role(client, admin_user):
    client.force_login(admin_user)
    data = {
        "username": "newbie",
        "email": "newbie@example.com",
        "role": "editor",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "usable_password": "true",
    }
    response = client.post(f"{USERS}add/", data)
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert (user.role, user.is_staff, user.is_superuser) == ("editor", True, False)
    assert user.check_password(PASSWORD)


def test_it_lists_users_with_their_roles_and_post_counts(client, admin_user, author, make_post):
    make_post(author, "One")
    make_post(author, "Two")
    client.force_login(admin_user)
    response = client.get(USERS)
    assert response.status_code == 200
    row = next(user for user in response.context["cl"].result_list if user == author)
    assert row.post_count == 2
    assert 'name="form-0-role"' in response.content.decode()


def test_it_filters_users_by_role(client, admin_user, author, editor, contributor):
    client.force_login(admin_user)
    response = client.get(USERS, {"role__exact": "editor"})
    assert [user.username for user in response.context["cl"].result_list] == ["edith"]


def test_it_keeps_users_and_roles_from_editors(client, editor, author):
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200
    assert client.get(USERS).status_code == 403
    response = client.post(f"{USERS}{author.pk}/change/", _change_form(author, role="admin"))
    assert response.status_code == 403
    author.refresh_from_db()
    assert author.role == "author"
    assert not author.is_superuser


@pytest.mark.parametrize("role", ["contributor", "author"])
def test_it_sends_writers_below_editor_to_the_admin_sign_in(client, request, role):
    client.force_login(request.getfixturevalue(role))
    for url in ["/admin/", USERS]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_it_keeps_visitors_out_of_the_admin(client, db):
    response = client.get(USERS)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")

"""`manage.py adduser` creates a user of a role, and refuses bad input with a clear message."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def with_password(monkeypatch):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", PASSWORD)


def adduser(*args):
    call_command("adduser", *args, "--noinput")


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.AUTHOR, Role.EDITOR])
def test_it_creates_a_writer_of_the_role(with_password, role, capsys):
    adduser("nadia", "--email", "nadia@example.com", "--role", role, "--display-name", "Nadia N")
    user = User.objects.get(username="nadia")
    assert (user.role, user.email, user.display_name) == (role, "nadia@example.com", "Nadia N")
    assert user.check_password(PASSWORD)
    assert user.is_active
    assert not user.is_superuser
    assert user.is_staff == (role == Role.EDITOR)
    assert f"Created {role} 'nadia'." in capsys.readouterr().out


def test_it_makes_an_admin_a_superuser(with_password):
    adduser("boss", "--email", "boss@example.com", "--role", "admin")
    user = User.objects.get(username="boss")
    assert user.is_superuser
    assert user.is_staff


def test_it_asks_for_the_password_twice_without_noinput(monkeypatch):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    call_command("adduser", "olga", "--email", "olga@example.com", "--role", "author")
    assert User.objects.get(username="olga").check_password(PASSWORD)


def test_it_refuses_two_different_passwords(monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="The two passwords differ"):
        call_command("adduser", "olga", "--email", "olga@example.com", "--role", "author")
    assert not User.objects.filter(username="olga").exists()


@pytest.mark.parametrize("taken", ["asha", "ASHA", "Asha"])
def test_it_refuses_an_existing_username_whatever_its_case(with_password, author, taken):
    with pytest.raises(CommandError, match=f"A user named '{taken}' already exists"):
        adduser(taken, "--email", "new@example.com", "--role", "author")
    assert User.objects.filter(username__iexact="asha").count() == 1


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "too short"),
        ("password123", "too common"),
        ("83749261538", "entirely numeric"),
        ("nadia@example", "too similar"),
    ],
)
def test_it_refuses_a_weak_password(monkeypatch, password, reason):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", password)
    with pytest.raises(CommandError, match=f"Password refused:.*{reason}"):
        adduser("nadia", "--email", "nadia@example.com", "--role", "author")
    assert not User.objects.exists()


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", "a b@example.com", ""])
def test_it_refuses_a_bad_email(with_password, email):
    with pytest.raises(CommandError, match="valid email"):
        adduser("nadia", "--email", email, "--role", "author")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("username", "reason"),
    [
        ("has space", "Enter a valid username"),
        ("semi;colon", "Enter a valid username"),
        ("", "blank"),
        ("x" * 151, "at most 150 characters"),
    ],
)
def test_it_refuses_a_bad_username(with_password, username, reason):
    with pytest.raises(CommandError, match=reason):
        adduser(username, "--email", "nadia@example.com", "--role", "author")
    assert not User.objects.exists()


def test_it_refuses_a_display_name_that_is_too_long(with_password):
    with pytest.raises(CommandError, match="at most 100 characters"):
        adduser("nadia", "--email", "nadia@example.com", "--role", "author", "--display-name", "N" * 101)
    assert not User.objects.exists()


@pytest.mark.parametrize("role", ["superuser", "Editor", "reader", ""])
def test_it_refuses_an_unknown_role(with_password, role):
    with pytest.raises(CommandError, match="invalid choice"):
        adduser("nadia", "--email", "nadia@example.com", "--role", role)
    assert not User.objects.exists()


def test_it_refuses_noinput_without_a_password(monkeypatch):
    monkeypatch.delenv("DJANGO_USER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="set DJANGO_USER_PASSWORD"):
        adduser("nadia", "--email", "nadia@example.com", "--role", "author")
    assert not User.objects.exists()


def test_it_refuses_noinput_with_an_empty_password(monkeypatch):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", "")
    with pytest.raises(CommandError, match="set DJANGO_USER_PASSWORD"):
        adduser("nadia", "--email", "nadia@example.com", "--role", "author")


def test_it_exits_non_zero_with_a_clear_message_on_the_command_line(tmp_path):
    """The way an operator runs it: a real process, a message on stderr, a failing exit code.

    Input is checked before the database is touched, so this needs no migrated database.
    """
    env = {"DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PATH": "/usr/bin:/bin"}
    run = [sys.executable, "manage.py", "adduser", "nadia", "--email", "nope", "--role", "author"]
    run.append("--noinput")
    result = subprocess.run(run, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "Enter a valid email address." in result.stderr
    assert "Traceback" not in result.stderr

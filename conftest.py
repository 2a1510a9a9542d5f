"""Fixtures shared by every app's tests: one user of each role, and a post factory."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Role, User
from posts.models import Post, Tag

PASSWORD = "correct-horse-battery-staple"


def make_user(username, role=Role.CONTRIBUTOR, **extra):
    user = User(username=username, role=role, email=f"{username}@example.com", **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture(scope="session", autouse=True)
def collected_static_files():
    """Pages link hashed static files, as in production: collect them once per run."""
    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture
def contributor(db):
    return make_user("cora", Role.CONTRIBUTOR, display_name="Cora Contributor")


@pytest.fixture
def author(db):
    return make_user("asha", Role.AUTHOR, display_name="Asha Author", bio="Writes about databases.")


@pytest.fixture
def other_author(db):
    return make_user("ben", Role.AUTHOR, display_name="Ben Author")


@pytest.fixture
def editor(db):
    return make_user("edith", Role.EDITOR, display_name="Edith Editor")


@pytest.fixture
def admin_user(db):
    return make_user("root", Role.ADMIN)


@pytest.fixture
def make_post(db):
    """Make a post; published an hour ago unless told otherwise."""

    def make(
        author,
        title="A post",
        *,
        body="Some **text**.",
        status=Post.Status.PUBLISHED,
        published_at=None,
        tags=(),
    ):
        if status == Post.Status.PUBLISHED and published_at is None:
            published_at = timezone.now() - timedelta(hours=1)
        post = Post(title=title, body=body, author=author, status=status, published_at=published_at)
        post.save()
        if tags:
            post.tags.set(Tag.from_names(tags))
        return post

    return make

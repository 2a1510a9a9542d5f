"""The writers' and account pages not covered by the reading checks: axe-core finds no violations."""

import pytest

from posts import services
from posts.dashboard import ROWS_PER_PAGE
from posts.models import Post
from posts.tests.test_browser_accessibility import axe_violations, new_tab  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def revised(author, contributor):
    post = services.post_save(by=author, title="Revised twice", body="one\ntwo", tags=["a"])
    services.post_save(by=author, post=post, title="Revised twice", body="one\n2\nthree", tags=["b"])
    services.post_save(by=contributor, title="Waiting for review", body="words")
    Post.objects.filter(title="Waiting for review").update(status=Post.Status.REVIEW)
    return post


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_writer_and_account_pages_have_no_accessibility_violations(
    revised,
    editor,
    make_post,
    new_tab,  # noqa: F811
    color_scheme,
):
    for n in range(ROWS_PER_PAGE + 1):  # more than a page: the dashboard links to them, and they are paged
        make_post(editor, f"Draft {n}", status=Post.Status.DRAFT)
    pages = {
        "changes between revisions": f"/dashboard/posts/{revised.pk}/revisions/",
        "delete confirmation": f"/dashboard/posts/{revised.pk}/delete/",
        "review queue": "/dashboard/review/",
        "dashboard with queue": "/dashboard/",
        "drafts, a page at a time": "/dashboard/?status=draft&page=2",
        "profile": "/accounts/profile/",
        "password change": "/accounts/password_change/",
    }
    page = new_tab(user=editor, color_scheme=color_scheme)
    found = {}
    for name, url in pages.items():
        page.goto(url)
        found[name] = axe_violations(page)
    page.goto(revised.get_edit_url())
    page.get_by_role("button", name="Preview").click()
    found["editor with preview"] = axe_violations(page)
    anonymous = new_tab(color_scheme=color_scheme)
    anonymous.goto("/accounts/password_reset/")
    found["password reset"] = axe_violations(anonymous)
    assert found == {name: [] for name in found}


def test_writer_pages_fit_a_phone(revised, editor, new_tab):  # noqa: F811
    page = new_tab(user=editor, viewport={"width": 320, "height": 700})
    services.post_save(
        by=editor, post=revised, title="Revised " + "x" * 80, body="y" * 300 + "\n" + "z " * 50
    )
    for url in (
        "/dashboard/",
        "/dashboard/review/",
        "/dashboard/?status=published",
        revised.get_edit_url(),
        f"/dashboard/posts/{revised.pk}/revisions/",
        f"/dashboard/posts/{revised.pk}/delete/",
        "/accounts/profile/",
    ):
        page.goto(url)
        assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth"), url

"""Writers in a real browser: write, preview and publish; review; autosave; restore a revision."""

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from posts import services
from posts.models import Post

pytestmark = pytest.mark.browser

BODY = """## Getting started

- install it
- run it

```python
print("hello")
```
"""


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_an_author_writes_previews_and_publishes_a_post(page, author):
    sign_in(page, "asha")
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="Write a new post").click()
    page.get_by_label("Title").fill("Hello from the editor")
    page.get_by_label("Body").fill(BODY)
    page.get_by_label("Tags").fill("guides, python")

    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".preview")
    expect(preview.get_by_role("heading", name="Getting started")).to_be_visible()
    expect(preview.locator("li")).to_have_text(["install it", "run it"])
    expect(preview.locator("pre.highlight")).to_contain_text('print("hello")')
    assert not Post.objects.exists()  # a preview saves nothing

    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_text("Published: the post is on the site now.")).to_be_visible()

    page.goto("/")
    page.get_by_role("link", name="Hello from the editor").click()
    expect(page.get_by_role("heading", level=1, name="Hello from the editor")).to_be_visible()
    expect(page.locator(".prose h2")).to_have_text("Getting started")
    expect(page.locator(".prose li")).to_have_count(2)
    expect(page.locator(".prose pre")).to_contain_text('print("hello")')


def test_a_submission_reaches_the_review_queue_and_an_editor_publishes_it(
    page, browser, live_server, contributor, editor, mailoutbox
):
    sign_in(page, "cora")
    page.goto("/dashboard/posts/new/")
    expect(page.get_by_role("button", name="Publish now")).to_have_count(0)
    page.get_by_label("Title").fill("A contributor's first post")
    page.get_by_label("Body").fill("Some words worth reading.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review")).to_be_visible()
    assert [m.to for m in mailoutbox] == [["edith@example.com"]]

    editor_context = browser.new_context(base_url=live_server.url)
    editor_page = editor_context.new_page()
    try:
        sign_in(editor_page, "edith")
        editor_page.goto("/dashboard/")
        queue = editor_page.get_by_role("region", name=re.compile("Review queue"))
        queue.get_by_role("link", name="A contributor's first post").click()
        editor_page.get_by_role("button", name="Publish now").click()
        expect(editor_page.get_by_text("Published: the post is on the site now.")).to_be_visible()
        editor_page.goto("/")
        expect(editor_page.get_by_role("link", name="A contributor's first post")).to_be_visible()
    finally:
        editor_context.close()


def test_words_left_alone_are_autosaved_and_survive_a_reload(page, author, settings):
    settings.BLOG_AUTOSAVE_IDLE_MS = 300
    sign_in(page, "asha")
    page.goto("/dashboard/posts/new/")
    page.get_by_label("Title").fill("Autosaved draft")
    page.get_by_label("Body").fill("Words typed and left alone.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved")
    expect(page).to_have_url(re.compile(r"/dashboard/posts/\d+/edit/$"))

    page.reload()
    expect(page.get_by_label("Body")).to_have_value("Words typed and left alone.")
    post = Post.objects.get()
    assert (post.status, post.title) == ("draft", "Autosaved draft")

    # A save by button after autosave uses the version autosave got back: no false conflict.
    page.get_by_label("Body").fill("More words.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()


def test_a_revision_is_restored(page, author):
    post = services.post_save(by=author, title="The first title", body="First words.")
    services.post_save(by=author, post=post, title="A worse title", body="Worse words.")
    sign_in(page, "asha")
    page.goto(post.get_edit_url())
    expect(page.get_by_label("Title")).to_have_value("A worse title")
    page.get_by_role("button", name="Restore revision 1").click()
    expect(page.get_by_text("Restored revision #1")).to_have_count(2)  # the message and the list
    expect(page.get_by_label("Title")).to_have_value("The first title")
    expect(page.get_by_label("Body")).to_have_value("First words.")

"""A writer drops a picture onto the editor, describes it, and readers get responsive markup."""

import base64
import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from media.models import Image

from . import images

pytestmark = pytest.mark.browser

DROP = """([b64, name]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "image/png" }));
  return transfer;
}"""


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def expect_responsive(img, alt):
    expect(img).to_have_attribute("alt", alt)
    expect(img).to_have_attribute("width", "1200")
    expect(img).to_have_attribute("height", "800")
    expect(img).to_have_attribute("srcset", re.compile(r"480w.*960w.*1200w"))
    expect(img).to_have_attribute("decoding", "async")


def test_a_writer_drops_an_image_describes_it_and_readers_get_srcset(page, author):
    sign_in(page, "asha")
    page.goto("/dashboard/posts/new/")
    page.get_by_label("Title").fill("A post with a picture")
    page.get_by_label("Body").fill("Look at this:\n")

    transfer = page.evaluate_handle(DROP, [base64.b64encode(images.png(1200, 800)).decode(), "card.png"])
    page.dispatch_event("#id_body", "drop", {"dataTransfer": transfer})
    dialog = page.get_by_role("dialog", name="Describe the image")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Upload and insert").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Describe the image")  # a description is required
    dialog.get_by_label("Description (alt text)").fill("A red and blue card")
    dialog.get_by_role("button", name="Upload and insert").click()
    expect(page.get_by_text("Added card.png to the body")).to_be_visible()

    image = Image.objects.get()
    body = page.get_by_label("Body")
    expect(body).to_have_value(
        re.compile(re.escape("![A red and blue card](") + r"http://[^)]+" + re.escape(image.url))
    )

    page.get_by_role("button", name="Preview").click()
    expect_responsive(page.locator(".preview .prose img"), "A red and blue card")

    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_text("Published: the post is on the site now.")).to_be_visible()
    page.goto("/")
    page.get_by_role("link", name="A post with a picture").click()
    img = page.locator(".prose img")
    expect_responsive(img, "A red and blue card")
    expect(page.locator(".prose picture source[type='image/webp']")).to_have_count(1)
    assert page.evaluate("document.querySelector('.prose img').naturalWidth") > 0  # it loaded, under the CSP

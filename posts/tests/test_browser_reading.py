import pytest

pytestmark = pytest.mark.browser


def test_a_visitor_reads_a_post_from_the_home_page(page, author, make_post):
    make_post(author, "Hello from the browser", body="# A heading\n\nSome *words*.", tags=["news"])
    page.goto("/")
    page.get_by_role("link", name="Hello from the browser").click()
    assert page.get_by_role("heading", level=1, name="Hello from the browser").is_visible()
    assert page.locator(".prose h1").inner_text() == "A heading"

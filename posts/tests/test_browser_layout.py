"""The theme fits a phone: nothing makes a reader scroll sideways, whatever a post contains."""

import pytest

pytestmark = pytest.mark.browser

WIDE_BODY = """Long: Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamten.

A long link: https://example.org/a/very/long/path/that/goes/on/and/on/and/on/without/any/break/at/all

```python
def a_function_with_a_rather_long_name(first_argument, second_argument, third_argument, fourth):
    return first_argument + second_argument + third_argument + fourth
```

| Column one | Column two | Column three | Column four | Column five | Column six |
|------------|------------|--------------|-------------|-------------|------------|
| some value | some value | some value   | some value  | some value  | some value |
"""


def _scrolls_sideways(page):
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_it_never_scrolls_sideways(page, author, make_post, width):
    post = make_post(
        author, "A post with a very long title that has to wrap somewhere", body=WIDE_BODY, tags=["x"]
    )
    page.set_viewport_size({"width": width, "height": 800})
    for url in ["/", post.get_absolute_url(), "/tags/x/", author.get_absolute_url()]:
        page.goto(url)
        assert not _scrolls_sideways(page), url


def test_it_keeps_the_reading_column_narrow_on_a_wide_screen(page, author, make_post):
    post = make_post(author, "Measure", body="Words. " * 200)
    page.set_viewport_size({"width": 1600, "height": 900})
    page.goto(post.get_absolute_url())
    width = page.locator(".prose").bounding_box()["width"]
    assert 500 < width < 760  # about 70 characters a line

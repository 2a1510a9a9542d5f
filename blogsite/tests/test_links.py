"""Remembered links: the same addresses as Django's reverse(), under any script prefix."""

from django.urls import reverse, set_script_prefix

from blogsite.links import cached_reverse, cached_reverser


def test_a_bound_reverser_gives_what_reverse_gives_under_the_prefix_it_was_made_in():
    try:
        set_script_prefix("/blog/")
        links = cached_reverser()
        assert links("posts:post_edit", 7) == reverse("posts:post_edit", args=[7])
        assert links("posts:post_edit", 7) == "/blog/dashboard/posts/7/edit/"
        assert links("posts:detail", "a-slug") == cached_reverse("posts:detail", "a-slug")
    finally:
        set_script_prefix("/")
    assert cached_reverser()("posts:post_edit", 7) == "/dashboard/posts/7/edit/"

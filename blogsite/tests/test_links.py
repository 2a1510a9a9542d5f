"""Remembered links: the same addresses as Django's reverse(), under any script prefix."""

from django.core.cache import cache
from django.urls import reverse, set_script_prefix

from blogsite.links import RequestLinksMiddleware, cached_reverse, cached_reverser


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


def test_a_page_links_alike_with_the_views_routing_read_once(client, author, make_post, settings):
    make_post(author, "Linked", tags=["news"])
    read_once = client.get("/tags/news/").content
    reading_once = "blogsite.links.RequestLinksMiddleware"
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != reading_once]
    cache.clear()
    assert client.get("/tags/news/").content == read_once
    assert b'href="/tags/news/"' in read_once


def test_links_made_in_a_view_use_its_script_prefix_and_none_after(rf):
    def view(request):  # Django's handler calls process_view() just before the view
        middleware.process_view(request, view, (), {})
        return cached_reverse("posts:tag", "news")

    middleware = RequestLinksMiddleware(view)
    try:
        set_script_prefix("/blog/")
        made = middleware(rf.get("/"))
    finally:
        set_script_prefix("/")
    assert made == "/blog/tags/news/"
    assert cached_reverse("posts:tag", "news") == "/tags/news/"  # after the request: its routing is gone

"""Django's handler as gunicorn runs it (blogsite/handler.py): each address's view looked up once."""

import pytest
from django.test import RequestFactory

from blogsite import pagecache
from blogsite.handler import WSGIHandler, cached_resolve
from blogsite.tests.test_page_cache_front import CountingDjango


@pytest.fixture
def get(db):
    """``get(url)``: the status of a request through our handler, the page cache's front left out."""
    app = CountingDjango(WSGIHandler())
    cached_resolve.cache_clear()
    pagecache._view_query.cache_clear()  # the page cache asks first, for the view's query names

    def get(url):
        started = []
        body = app(RequestFactory().get(url).environ, lambda status, headers: started.append(status))
        b"".join(body)
        return int(started[0].split()[0])

    return get


def test_an_address_is_looked_up_once_then_remembered(get):
    assert get("/search/?q=django") == 200
    assert get("/search/?q=python") == 200  # the query is not part of the address
    assert get("/tags/") == 200
    info = cached_resolve.cache_info()
    # Each address resolved once: the page cache's look-up of the view is the one the handler takes.
    assert (info.misses, info.hits, info.currsize) == (2, 3, 2)


def test_an_address_no_view_answers_is_not_remembered(get):
    assert get("/no/such/page/") == 404
    assert get("/no/such/page/") == 404
    assert cached_resolve.cache_info().currsize == 0


def test_a_changed_urlconf_forgets_what_was_looked_up(get, settings):
    assert get("/search/?q=django") == 200
    settings.ROOT_URLCONF = "blogsite.tests.pagecache_urls"
    assert cached_resolve.cache_info().currsize == 0

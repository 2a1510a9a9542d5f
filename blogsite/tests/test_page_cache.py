"""The page cache's storing rules, on responses a view might give (the pages themselves: posts/tests)."""

import time

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.template import engines
from django.test import RequestFactory
from django.urls import resolve

from blogsite import pagecache
from blogsite.tests import pagecache_urls


@pytest.fixture
def middleware_call(db, settings):
    """Run requests through the middleware to a stand-in view; return the responses.

    ``respond(request)`` is what the view answers; ``urls`` are the addresses asked for, in turn.
    """
    settings.ROOT_URLCONF = "blogsite.tests.pagecache_urls"

    def call(respond, *, public=True, cookies=None, urls=None):
        pagecache_urls.RESPOND["view"] = respond
        view = pagecache_urls.public if public else pagecache_urls.not_public
        middleware = pagecache.PageCacheMiddleware(lambda request: view(request))
        factory = RequestFactory()
        responses = []
        for url in urls or ["/anything/" if public else "/private/"] * 2:
            request = factory.get(url)
            request.resolver_match = resolve(request.path_info)
            request.COOKIES.update(cookies or {})
            responses.append(middleware(request))
        return responses

    return call


def test_it_caches_a_plain_public_response(middleware_call):
    first, second = middleware_call(lambda request: HttpResponse("hello"))
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")


@pytest.mark.parametrize(
    "respond",
    [
        pytest.param(lambda r: HttpResponse("gone", status=404), id="not a 200"),
        pytest.param(lambda r: HttpResponse("moved", status=301), id="a redirect"),
        pytest.param(lambda r: HttpResponse("hi", headers={"Vary": "Accept-Language"}), id="varies"),
        pytest.param(lambda r: HttpResponse("hi", headers={"Cache-Control": "private"}), id="private"),
    ],
)
def test_it_never_stores_responses_that_differ_between_visitors(middleware_call, respond):
    assert [r.get("X-Cache") for r in middleware_call(respond)] == ["miss", "miss"]


def test_it_never_stores_a_response_that_sets_a_cookie(middleware_call):
    def respond(request):
        response = HttpResponse("hi")
        response.set_cookie("flavour", "chocolate")
        return response

    assert [r["X-Cache"] for r in middleware_call(respond)] == ["miss", "miss"]


def test_it_never_stores_a_page_with_a_csrf_token(middleware_call):
    template = engines["django"].from_string("<form>{% csrf_token %}</form>")

    def respond(request):
        return CsrfViewMiddleware(lambda r: HttpResponse(template.render({}, r)))(request)

    responses = middleware_call(respond)
    assert [r["X-Cache"] for r in responses] == ["miss", "miss"]
    assert "csrfmiddlewaretoken" in responses[1].content.decode()


def test_it_never_stores_views_that_did_not_opt_in(middleware_call):
    responses = middleware_call(lambda request: HttpResponse("hi"), public=False)
    assert [r["X-Cache"] for r in responses] == ["miss", "miss"]


def test_it_bypasses_the_cache_for_requests_with_a_session(middleware_call):
    responses = middleware_call(lambda request: HttpResponse("hi"), cookies={"sessionid": "abc"})
    assert [r.get("X-Cache") for r in responses] == [None, None]


def named(*keys):
    def respond(request):
        response = HttpResponse(f"page {request.GET.get('page', 1)}", content_type="text/plain")
        pagecache.add_keys(response, *keys)
        return response

    return respond


def test_it_keeps_only_the_query_parameters_the_view_reads(middleware_call):
    urls = ["/anything/?page=2", "/anything/?page=2&utm_source=x", "/anything/?junk=1", "/anything/?junk=2"]
    responses = middleware_call(named("post-1"), urls=urls)
    assert [r["X-Cache"] for r in responses] == ["miss", "hit", "miss", "miss"]
    assert responses[1].content == b"page 2"
    # ?junk=… stored nothing of its own:
    assert middleware_call(named("post-1"), urls=["/anything/"])[0]["X-Cache"] == "miss"
    # …and shared caches, which key on the whole URL, are told not to keep it either.
    junk = middleware_call(named("post-1"), urls=["/anything/?junk=3"])[0]
    assert junk["X-Cache"] == "hit" and "s-maxage" not in junk["Cache-Control"]


def test_a_page_number_with_leading_zeros_is_the_same_page(middleware_call):
    urls = ["/anything/?page=1", "/anything/?page=01", "/anything/?page=0001", "/anything/?page=10"]
    responses = middleware_call(named("post-1"), urls=urls)
    assert [r["X-Cache"] for r in responses] == ["miss", "hit", "hit", "miss"]
    # A shared cache keys on the whole URL: it keeps only the page's own address.
    assert [r["Cache-Control"].split(",")[1].split("=")[0].strip() for r in responses[:1]] == ["s-maxage"]
    assert responses[1]["Cache-Control"] == responses[2]["Cache-Control"] == "max-age=0"
    # ?page=01 stored nothing of its own:
    assert middleware_call(named("post-1"), urls=["/anything/?page=02"])[0]["X-Cache"] == "miss"
    assert middleware_call(named("post-1"), urls=["/anything/?page=2"])[0]["X-Cache"] == "miss"


@pytest.mark.parametrize(
    ("sent", "as_text", "exact"),
    [
        # A server hands WSGI the query's bytes as Latin-1 text: "é" sent raw is "Ã©".
        ("page=2&q=%C3%A9", "page=2&q=Ã©", True),
        ("q=%C3%A9&page=02&junk=1", "q=Ã©&page=02&junk=1", False),
    ],
)
def test_a_query_sent_encoded_or_raw_is_the_same_page(sent, as_text, exact):
    """Queries as browsers send them (ASCII) are read once and remembered; any other is read from
    the request each time: both give the page the same key."""
    factory, names = RequestFactory(), frozenset({"page", "q"})
    encoded = pagecache.page_key(factory.get("/anything/", QUERY_STRING=sent), names)
    assert pagecache.page_key(factory.get("/anything/", QUERY_STRING=as_text), names) == encoded
    assert encoded[1] is exact
    other = pagecache.page_key(factory.get("/anything/", QUERY_STRING="page=3&q=%C3%A9"), names)
    assert other[0] != encoded[0]


def test_it_retires_only_the_pages_that_show_what_changed(middleware_call):
    middleware_call(named("post-1", "posts"), urls=["/anything/?page=1"])
    middleware_call(named("post-2"), urls=["/anything/?page=2"])
    pagecache.retire_pages(["post-2"])
    page_one, page_two = middleware_call(named(), urls=["/anything/?page=1", "/anything/?page=2"])
    assert (page_one["X-Cache"], page_two["X-Cache"]) == ("hit", "miss")
    pagecache.retire_pages()  # everything
    assert middleware_call(named(), urls=["/anything/?page=1"])[0]["X-Cache"] == "miss"


def test_a_page_that_names_nothing_is_retired_by_any_change(middleware_call):
    middleware_call(named(), urls=["/anything/"])
    pagecache.retire_pages(["post-99"])
    assert middleware_call(named(), urls=["/anything/"])[0]["X-Cache"] == "miss"


def test_it_tells_shared_caches_what_a_page_shows_and_how_long_to_keep_it(middleware_call, settings):
    settings.PAGE_CACHE_SECONDS = 120
    first, second = middleware_call(named("post-1", "tag-2"))
    for response in (first, second):
        assert response["xkey"].split() == ["post-1", "tag-2", "all"]
        # 120 on a miss, what is left of it on a hit
        assert response["Cache-Control"].startswith("max-age=0, s-maxage=1")
        assert "stale-while-revalidate=30" in response["Cache-Control"]
        assert "stale-if-error=86400" in response["Cache-Control"]


def test_a_stored_page_stays_fresh_after_an_unrelated_change_without_a_second_look(middleware_call):
    middleware_call(named("post-1"), urls=["/anything/"])
    pagecache.retire_pages(["post-2"])
    assert middleware_call(named(), urls=["/anything/"])[0]["X-Cache"] == "hit"  # checked its keys, refiled
    entry = cache.get(pagecache.page_key(RequestFactory().get("/anything/"), frozenset({"page"}))[0])
    assert entry[0] == cache.get(pagecache.GENERATION_KEY)


def test_a_page_read_while_it_is_being_retired_is_not_kept_as_current(middleware_call, monkeypatch):
    """Readers come between any two of a retirement's cache calls: none may refile the old page."""
    shown = {"version": 1}

    def versioned(request):
        response = HttpResponse(f"version {shown['version']}")
        pagecache.add_keys(response, "post-1")
        return response

    middleware_call(versioned, urls=["/anything/"])
    read_meanwhile, reading = [], []

    def after_a_read(method):
        def call(*args, **kwargs):
            if not reading:  # the reader's own cache calls are not interrupted
                reading.append(True)
                read_meanwhile.append(middleware_call(versioned, urls=["/anything/"])[0].content)
                reading.pop()
            return method(*args, **kwargs)

        return call

    for name in ("get", "get_many", "set", "set_many", "add", "incr", "advance"):
        if hasattr(cache, name):  # advance: Redis's one step (blogsite/redis_cache.py)
            monkeypatch.setattr(cache, name, after_a_read(getattr(cache, name)))
    shown["version"] = 2  # the write is committed; now its pages are retired
    pagecache.retire_pages(["post-1"])
    monkeypatch.undo()

    assert len(read_meanwhile) >= 2
    assert middleware_call(versioned, urls=["/anything/"])[0].content == b"version 2"


def test_a_kept_value_is_made_again_only_when_a_change_retires_what_it_shows(db):
    made = []

    def make():
        made.append(len(made))
        return f"value {len(made)}"

    def kept():
        return pagecache.kept_while_current("anchors:test", ["post-1", "posts"], make)

    assert kept() == kept() == "value 1"
    pagecache.retire_pages(["post-2"])  # shows neither
    assert kept() == "value 1"
    pagecache.retire_pages(["posts"])
    assert kept() == kept() == "value 2"
    pagecache.retire_pages()  # every page
    assert kept() == "value 3"
    assert len(made) == 3


def test_a_kept_value_made_before_a_scheduled_change_is_made_again_when_its_time_comes(db, monkeypatch):
    soon = time.time() + 1
    monkeypatch.setattr(pagecache, "LIFETIME_HOOKS", [lambda: soon])  # e.g. a post's time comes
    pagecache.retire_pages([])  # the schedule is read again
    made = []

    def kept():
        return pagecache.kept_while_current("count:test", ["posts"], lambda: made.append(1) or len(made))

    assert kept() == kept() == 1
    time.sleep(max(0, soon - time.time()) + 0.05)
    assert kept() == kept() == 2  # made after that change, it is kept again

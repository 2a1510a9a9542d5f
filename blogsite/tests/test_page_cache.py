"""The page cache's storing rules, on responses a view might give (the pages themselves: posts/tests)."""

import pytest
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.template import engines
from django.test import RequestFactory
from django.urls import ResolverMatch

from blogsite import pagecache


@pytest.fixture
def middleware_call(db):
    """Run a request through the middleware with a stand-in view; return (first, second) responses."""

    pagecache.bump_generation()  # a running site has a generation: pages are stored from the first visit

    def call(respond, *, public=True, cookies=None):
        def view(request):
            return respond(request)

        if public:
            view = pagecache.cache_public(view)

        def get_response(request):
            request.resolver_match = ResolverMatch(view, (), {})
            return view(request)

        middleware = pagecache.PageCacheMiddleware(get_response)
        factory = RequestFactory()
        responses = []
        for _ in range(2):
            request = factory.get("/anything/")
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

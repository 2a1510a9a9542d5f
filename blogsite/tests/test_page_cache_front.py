"""The page cache's front (blogsite/pagefront.py): hits answered before Django, everything else left to it."""

import logging
import time

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpResponse
from django.test import RequestFactory

from blogsite import handler, pagecache
from blogsite.pagefront import PageCacheFront
from blogsite.tests import pagecache_urls


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = int(status.split()[0]), dict(headers), body


class CountingDjango:
    """Django's WSGI application (or ``handler``), counting the requests that reach it."""

    def __init__(self, handler=None):
        self.django, self.calls = handler or WSGIHandler(), 0

    def __call__(self, environ, start_response):
        self.calls += 1
        # As Django's test client does: the test's database connection stays open (and in its transaction).
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.django(environ, start_response)
            response.close()  # sends request_finished
            return response
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@pytest.fixture
def site(db, settings):
    """The front before Django, serving the page cache's stand-in views; ``site.get(url, **headers)``."""
    settings.ROOT_URLCONF = "blogsite.tests.pagecache_urls"

    def respond(request):
        response = HttpResponse(f"page {request.GET.get('page', 1)}", content_type="text/plain")
        pagecache.add_keys(response, "post-1")
        return response

    pagecache_urls.RESPOND["view"] = respond

    class Site:
        django = CountingDjango()
        front = PageCacheFront(django)

        def get(self, url, method="get", app=None, **headers):
            environ = getattr(RequestFactory(), method)(url, **headers).environ
            started = []
            body = (app or self.front)(environ, lambda status, headers: started.append((status, headers)))
            return Answer(*started[0], b"".join(body))

    return Site()


def test_gunicorn_serves_the_front_before_django():
    from blogsite.wsgi import application

    assert isinstance(application, PageCacheFront)
    assert isinstance(application.application, handler.WSGIHandler)


def test_it_answers_a_stored_page_itself_as_the_middleware_would(site):
    assert site.get("/anything/").headers["X-Cache"] == "miss"
    from_django = site.get("/anything/", app=site.django)  # a hit through the middleware
    from_front = site.get("/anything/")
    assert site.django.calls == 2  # the front answered the third request alone
    assert (from_front.status, from_front.body) == (200, b"page 1")
    assert from_front.headers.pop("X-Request-ID") != from_django.headers.pop("X-Request-ID")
    assert from_front.headers == from_django.headers
    assert from_front.headers["X-Cache"] == "hit"
    assert from_front.headers["Cache-Control"].startswith("max-age=0, s-maxage=")


def test_it_answers_conditional_gets_and_head(site):
    etag = site.get("/anything/").headers["ETag"]
    not_modified = site.get("/anything/", HTTP_IF_NONE_MATCH=etag)
    assert (not_modified.status, not_modified.body) == (304, b"")
    assert not_modified.headers["ETag"] == etag and "Content-Type" not in not_modified.headers
    head = site.get("/anything/", method="head")
    assert (head.status, head.body, head.headers["Content-Length"]) == (200, b"", "6")
    assert site.django.calls == 1


def test_it_serves_a_url_with_unknown_parameters_but_tells_shared_caches_not_to_keep_it(site):
    site.get("/anything/?page=2")
    junk = site.get("/anything/?utm_source=x&page=2")
    assert (junk.headers["X-Cache"], junk.body) == ("hit", b"page 2")
    assert junk.headers["Cache-Control"] == "max-age=0"
    assert site.django.calls == 1


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"HTTP_COOKIE": "sessionid=abc"}, id="signed in"),
        pytest.param({"HTTP_COOKIE": "messages=abc"}, id="a message waiting"),
        pytest.param({"HTTP_AUTHORIZATION": "Bearer abc"}, id="a token"),
        pytest.param({"HTTP_ORIGIN": "https://app.example.com"}, id="another origin"),
    ],
)
def test_it_leaves_every_request_it_may_not_answer_to_django(site, headers):
    site.get("/anything/")
    site.get("/anything/", **headers)
    assert site.django.calls == 2


@pytest.mark.django_db
def test_it_hands_django_the_address_as_the_server_gave_it():
    """A path beyond Latin-1 (``ĳ``, and a C1 control) was a 500: the front's request had rewritten it."""
    from blogsite.wsgi import application

    environ = RequestFactory().get("/").environ
    environ["PATH_INFO"] = "/api/posts/h\u0133\u009an/".encode().decode("latin-1")  # as servers give it
    started = []
    b"".join(application(environ, lambda status, headers: started.append(status)))
    assert started == ["404 Not Found"]


def test_it_leaves_probes_posts_and_changed_pages_to_django(site):
    site.get("/anything/")
    assert site.get("/healthz").status == 200
    site.get("/anything/", method="post")
    pagecache.retire_pages(["post-1"])
    assert site.get("/anything/").headers["X-Cache"] == "miss"
    assert site.django.calls == 4


def test_it_asks_a_section_that_judges_its_hits_and_leaves_a_refused_one_to_its_view(site, monkeypatch):
    answers = [True, False]
    judged = []

    def may_serve_hit(request):
        judged.append(request.path)
        return answers[len(judged) - 1]

    section = pagecache.Section("/anything/", frozenset({"page"}), may_serve_hit=may_serve_hit)
    monkeypatch.setitem(pagecache.SECTIONS, section.prefix, section)
    site.get("/anything/")  # stored
    assert site.get("/anything/").headers["X-Cache"] == "hit"
    assert site.django.calls == 1 and judged == ["/anything/"]  # the front asked, and answered
    refused = site.get("/anything/")
    assert "X-Cache" not in refused.headers and refused.body == b"page 1"  # the view answered
    assert site.django.calls == 2 and len(judged) == 2  # asked once: the middleware did not count it again


def test_a_miss_is_looked_up_once_and_stored_for_the_front(site, monkeypatch):
    looked_up, look_up = [], pagecache.look_up
    monkeypatch.setattr(pagecache, "look_up", lambda key: looked_up.append(key) or look_up(key))
    assert site.get("/anything/").headers["X-Cache"] == "miss"
    assert len(looked_up) == 1  # the middleware used what the front read
    assert site.get("/anything/").headers["X-Cache"] == "hit" and site.django.calls == 1


def test_it_writes_the_one_log_line_of_the_request(site, caplog):
    caplog.set_level(logging.INFO, logger="blogsite.requests")
    site.get("/anything/")
    caplog.clear()
    answer = site.get("/anything/", HTTP_X_REQUEST_ID="lb-1")
    [record] = [r for r in caplog.records if r.name == "blogsite.requests"]
    assert answer.headers["X-Request-ID"] == "lb-1"
    assert record.fields | {"duration_ms": 0} == {
        "request_id": "lb-1",
        "method": "GET",
        "path": "/anything/",
        "status": 200,
        "duration_ms": 0,
        "user_id": None,
    }


def test_a_cache_it_cannot_read_is_waited_for_once_and_the_page_served_without_it(site, monkeypatch, caplog):
    site.get("/anything/")
    reads = []

    def unreachable(keys):
        reads.append(keys)
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", unreachable)
    monkeypatch.setattr(cache, "get_many_held", unreachable, raising=False)  # on Redis
    answer = site.get("/anything/")
    assert (answer.status, answer.body) == (200, b"page 1")
    assert "X-Cache" not in answer.headers
    assert len(reads) == 1
    assert [r.message for r in caplog.records if r.name == "blogsite.pagecache"] == [
        "The page cache is unreachable; serving without it"
    ]


def test_a_page_stored_before_a_scheduled_change_is_not_served_after_it(site):
    site.get("/anything/")
    cache.set(pagecache.SCHEDULE_KEY, time.time() + 0.3, timeout=None)  # e.g. a post scheduled just now
    hit = site.get("/anything/")
    assert hit.headers["X-Cache"] == "hit"
    assert hit.headers["Cache-Control"].startswith("max-age=0, s-maxage=0,")  # nor may shared caches keep it
    time.sleep(0.35)
    assert site.get("/anything/").headers["X-Cache"] == "miss"
    assert site.django.calls == 2

"""Stand-in views for the page cache's own tests: each answers what the test put in ``RESPOND``."""

from django.urls import path

from blogsite.pagecache import cache_public

RESPOND = {}


@cache_public(query=["page"])
def public(request):
    return RESPOND["view"](request)


def not_public(request):
    return RESPOND["view"](request)


urlpatterns = [path("anything/", public), path("private/", not_public)]

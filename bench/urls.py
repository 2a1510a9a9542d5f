"""The benchmark's URLconf: the whole site, plus the floor every result is compared with.

Selected only by the benchmark's servers (``ROOT_URLCONF=bench.urls``); the site never
serves ``/bench/floor/``.
"""

from django.http import HttpResponse
from django.urls import include, path

FLOOR_BODY = b"floor\n"


def floor(request):
    """The cheapest answer Django can give here: same server, settings and middleware, no work."""
    return HttpResponse(FLOOR_BODY, content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("", include("blogsite.urls")),
]

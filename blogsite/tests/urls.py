"""Views that fail on purpose, mounted only by the tests of the error pages and logs."""

from django.db import OperationalError
from django.urls import include, path


def broken(request):
    raise ValueError("a bug with a secret in its message: hunter2")


def database_down(request):
    raise OperationalError('connection to server at "10.1.2.3", port 5432 failed: Connection refused')


urlpatterns = [
    path("boom/", broken),
    path("db-down/", database_down),
    path("api/db-down", database_down),
    path("api/boom", broken),
    path("", include("blogsite.urls")),
]
handler500 = "blogsite.views.server_error"

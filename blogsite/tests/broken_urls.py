"""The site's URLs plus one view that fails, to see what a visitor gets from a server error."""

from django.urls import path

from blogsite.urls import urlpatterns as site_urlpatterns


def fail(request):
    raise RuntimeError("a bug with a secret detail in it")


urlpatterns = [path("fail/", fail), *site_urlpatterns]

from django.http import HttpResponse
from django.urls import path

# About the size of a compressed blog page: 5 KB of text.
BODY = (b"Blogsite's bare floor: a constant page from Django with CommonMiddleware only.\n" * 66)[:5120]


def floor(request):
    """The cheapest answer a Django project can give: no database, no template, no cache."""
    return HttpResponse(BODY, content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/floor/", floor)]

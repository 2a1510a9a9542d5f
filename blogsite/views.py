"""Site-wide views: robots.txt, the OpenSearch description, and the last-resort error pages.

The error pages never touch the database, the session or the user. Django calls
``server_error`` for any exception a view or middleware let through. When the cause is an
unreachable database or cache, the answer is a ``503`` (the site is down for a moment, retry
shortly) rather than a ``500`` (a bug). Pages get a styled HTML page, the API an RFC 9457
problem document. The traceback goes to the server's log only (Django logs it).
"""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from blogsite.links import absolute_url
from blogsite.pagecache import cache_public
from blogsite.problems import problem

OUTAGE_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)
RETRY_AFTER_SECONDS = 30


def is_outage(error) -> bool:
    """True when ``error`` (or what caused it) says a backing service could not be reached."""
    for _depth in range(5):
        if error is None:
            return False
        if isinstance(error, OUTAGE_ERRORS):
            return True
        error = error.__cause__ or error.__context__
    return False


def error_response(request, status: int) -> HttpResponse:
    if request.path.startswith(settings.API_PREFIX):
        detail = {
            500: "Something went wrong on our side; it has been logged.",
            503: "The service is briefly unavailable. Please retry shortly.",
        }[status]
        return problem(status, detail)
    html = loader.render_to_string(f"{status}.html", {"SITE_NAME": settings.SITE_NAME})
    return HttpResponse(html, status=status)


def server_error(request):
    """Django's ``handler500``: a 503 for an outage of the database or cache, a 500 otherwise."""
    if is_outage(sys.exc_info()[1]):
        response = error_response(request, 503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return error_response(request, 500)


ROBOTS_DISALLOW = ["/admin/", "/accounts/", "/dashboard/", settings.API_PREFIX, "/search/"]


@cache_public
@require_safe
@cache_control(max_age=60 * 60 * 24, public=True)
def robots_txt(request):
    """Crawl the public pages, not the private or endless ones; the sitemap lists what to crawl."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    lines.append(f"Sitemap: {absolute_url(reverse('posts:sitemap'), request)}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
@cache_control(max_age=60 * 60 * 24, public=True)
def opensearch(request):
    """Lets browsers offer this blog's search in their address bar."""
    context = {
        "search_url": absolute_url(reverse("posts:search"), request),
        "self_url": absolute_url(reverse("opensearch"), request),
        "favicon_url": absolute_url(static("favicon.svg"), request),
    }
    return render(request, "opensearch.xml", context, content_type="application/opensearchdescription+xml")

from django.conf import settings
from django.utils.encoding import escape_uri_path

from .links import absolute_url, site_url


def site(request):
    """The blog's name and language, for every template's header and <title>."""
    return {"SITE_NAME": settings.SITE_NAME, "LANGUAGE_CODE": settings.LANGUAGE_CODE}


def links(request):
    """Absolute URLs for <head>: the site's base and this page's canonical address."""
    canonical = absolute_url(escape_uri_path(request.path), request)  # a 404's odd path stays a URL
    page = request.GET.get("page", "")
    # Plain ASCII digits of a sane length only: int() refuses "²" and numbers over 4300 digits.
    if page.isascii() and page.isdigit() and len(page) < 10 and int(page) > 1:
        canonical += f"?page={int(page)}"
    return {"SITE_URL": site_url(request), "canonical_url": canonical}

from django.conf import settings

from .links import absolute_url, site_url


def site(request):
    """The blog's name, for every template's header and <title>."""
    return {"SITE_NAME": settings.SITE_NAME}


def links(request):
    """Absolute URLs for <head>: the site's base and this page's canonical address."""
    canonical = absolute_url(request.path, request)
    page = request.GET.get("page", "")
    if page.isdigit() and int(page) > 1:
        canonical += f"?page={int(page)}"
    return {"SITE_URL": site_url(request), "canonical_url": canonical}

"""Absolute links to the site, for feeds, the sitemap, canonical and social tags.

``SITE_URL`` wins when it is set (behind a proxy the request may not know the public
name); otherwise the request's own scheme and host are used.
"""

from django.conf import settings


def site_url(request=None) -> str:
    """The blog's public base URL, without a trailing slash."""
    if settings.SITE_URL:
        return settings.SITE_URL
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return ""


def absolute_url(path: str, request=None) -> str:
    """``path`` (as ``reverse()`` gives it) as an absolute URL."""
    return site_url(request) + path

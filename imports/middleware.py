"""Old addresses of an imported blog answer 301 to their new place (as contrib.redirects does; 0051)."""

import logging

from django.db import DatabaseError
from django.http import HttpResponsePermanentRedirect

from .models import OldLink

logger = logging.getLogger(__name__)

# WordPress's shortlinks (/?p=12) reach our home page, which would answer them with itself.
WORDPRESS_ID_PARAMETERS = ("p", "page_id", "attachment_id")


def _target(request) -> str:
    """Where the old address leads, or "": a lookup that fails leaves the answer the site had."""
    try:
        return OldLink.objects.target_for(request.get_full_path())
    except DatabaseError:
        logger.exception("Could not look up an old address")
        return ""


class OldLinkFallbackMiddleware:
    """Look an address up only when the site has nothing else there (a 404), or for a WordPress shortlink."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/" and any(name in request.GET for name in WORDPRESS_ID_PARAMETERS):
            target = _target(request)
            if target:
                return HttpResponsePermanentRedirect(target)
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        target = _target(request)
        return HttpResponsePermanentRedirect(target) if target else response

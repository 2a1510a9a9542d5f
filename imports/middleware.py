"""Old addresses of an imported blog answer 301 to their new place (as contrib.redirects does; 0051)."""

from django.http import HttpResponsePermanentRedirect

from .models import OldLink

# WordPress's shortlinks (/?p=12) reach our home page, which would answer them with itself.
WORDPRESS_ID_PARAMETERS = ("p", "page_id", "attachment_id")


class OldLinkFallbackMiddleware:
    """Look an address up only when the site has nothing else there (a 404), or for a WordPress shortlink."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/" and any(name in request.GET for name in WORDPRESS_ID_PARAMETERS):
            target = OldLink.objects.target_for(request.get_full_path())
            if target:
                return HttpResponsePermanentRedirect(target)
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        target = OldLink.objects.target_for(request.get_full_path())
        return HttpResponsePermanentRedirect(target) if target else response

"""System checks of the site's own settings: a bad setting stops ``migrate``, the worker and
``check --deploy`` with a clear reason, instead of misbehaving later."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register

from .mail import DEVELOPMENT_URL


@register()
def site_url_check(app_configs, **kwargs):
    """Links in e-mails (password resets, review requests) are built on SITE_URL alone."""
    if not settings.SITE_URL:
        if settings.DEBUG:
            return [
                Warning(
                    f"SITE_URL is not set: links in e-mails point to {DEVELOPMENT_URL}.",
                    hint="Set SITE_URL to the blog's public address, e.g. https://blog.example.com.",
                    id="blogsite.W001",
                )
            ]
        return [
            Error(
                "SITE_URL is not set: e-mails would have no trustworthy address to link to.",
                hint="Set SITE_URL to the blog's public address, e.g. https://blog.example.com.",
                id="blogsite.E001",
            )
        ]
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
        return [
            Error(
                f"SITE_URL {settings.SITE_URL!r} is not an address like https://blog.example.com.",
                hint="Give the scheme and the host (and port), without a path.",
                id="blogsite.E002",
            )
        ]
    return []

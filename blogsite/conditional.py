"""Conditional requests (RFC 9110, section 13), written once for the page cache and the JSON API.

A reader's ``If-None-Match`` (else ``If-Modified-Since``) that names the current version gets a
``304`` without a body; a writer's ``If-Match`` that names an older version gets a ``412``.
"""

from django.http import HttpResponseNotModified
from django.utils.http import parse_etags, parse_http_date_safe

# What a 304 repeats from the full response (RFC 9110, 15.4.5), and our own headers.
NOT_MODIFIED_HEADERS = frozenset(
    {"cache-control", "content-location", "date", "etag", "expires", "last-modified", "vary"}
)


def is_not_modified(request, etag: str, last_modified: float | None = None) -> bool:
    """True when the client's copy (``If-None-Match``, else ``If-Modified-Since``) is current."""
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        wanted = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
        return "*" in wanted or etag.removeprefix("W/") in wanted
    if_modified_since = request.META.get("HTTP_IF_MODIFIED_SINCE")
    if if_modified_since is not None and last_modified is not None:
        since = parse_http_date_safe(if_modified_since)
        return since is not None and int(last_modified) <= since
    return False


def is_precondition_failed(request, etag: str) -> bool:
    """True when ``If-Match`` names neither the current version nor ``*``: the write must be refused."""
    if_match = request.META.get("HTTP_IF_MATCH")
    if if_match is None:
        return False
    tags = parse_etags(if_match)
    return "*" not in tags and etag not in tags


def not_modified_headers(headers) -> list[tuple[str, str]]:
    """What a 304 repeats from the full response's ``headers`` (RFC 9110), and our own ``X-`` headers."""
    return [
        (name, value)
        for name, value in headers
        if name.lower() in NOT_MODIFIED_HEADERS or name.lower().startswith("x-")
    ]


def not_modified_response(headers) -> HttpResponseNotModified:
    """A 304 carrying what RFC 9110 says it repeats from the full response's ``headers``."""
    return HttpResponseNotModified(headers=not_modified_headers(headers))

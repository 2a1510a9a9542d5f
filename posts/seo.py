"""Structured data for search engines: JSON-LD that is safe to put inside HTML.

``post_json_ld(request, post, tags)`` and ``website_json_ld(request)`` are offered to every
template (posts/apps.py).
"""

import functools
import json

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from blogsite.links import absolute_url, cached_reverse, site_url

# As Django's json_script does: JSON cannot end the <script> element or open a comment. Three
# replace() calls, not str.translate() with a mapping, which looks up every character of the text:
# 15 µs for half a kilobyte of JSON, against 1 µs.
_JSON_ESCAPES = {">": "\\u003E", "<": "\\u003C", "&": "\\u0026"}


def json_ld(data) -> str:
    """A ``<script type="application/ld+json">`` block: data, not code, so a CSP allows it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for character, escaped in _JSON_ESCAPES.items():
        text = text.replace(character, escaped)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


def post_json_ld(request, post, tags=()):
    """schema.org ``BlogPosting`` for a post page."""
    url = absolute_url(post.get_absolute_url(), request)
    author = post.author
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title[:110],
        "description": post.summary,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": post.published_at.isoformat() if post.published_at else None,
        "dateModified": post.updated_at.isoformat(),
        "author": {
            "@type": "Person",
            "name": author.name,
            "url": absolute_url(author.get_absolute_url(), request),
        },
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute_url("/", request)},
        "keywords": [tag.name for tag in tags],
        "timeRequired": f"PT{post.reading_time_minutes}M",
        "inLanguage": settings.LANGUAGE_CODE,
    }
    if post.cover is not None:
        shared = post.cover.for_sharing()
        data["image"] = {
            "@type": "ImageObject",
            "url": absolute_url(shared.url, request),
            "width": shared.width,
            "height": shared.height,
        }
    return json_ld({key: value for key, value in data.items() if value not in (None, [])})


def website_json_ld(request):
    """schema.org ``WebSite`` for the home page, with the site search engines may offer."""
    return _website_json_ld(site_url(request), cached_reverse("posts:search"), settings.SITE_NAME)


@functools.lru_cache(maxsize=16)
def _website_json_ld(root: str, search_path: str, name: str) -> str:
    # The same for every reader of the site at one address: made once, not on every home page.
    return json_ld(
        {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": name,
            "url": f"{root}/",
            "potentialAction": {
                "@type": "SearchAction",
                "target": f"{root}{search_path}?q={{search_term_string}}",
                "query-input": "required name=search_term_string",
            },
        }
    )

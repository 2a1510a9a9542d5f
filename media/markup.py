"""Responsive HTML for library images: ``<picture>`` with WebP and fallback ``srcset``, no layout shift.

Used by the posts app in two places: a post's body (an ordinary Markdown image whose address
is a library image becomes this markup when the post is rendered) and its cover (a template
tag). The Markdown itself stays plain and portable: ``![description](https://…/media/images/….jpg)``.
"""

import html
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from .models import Image

# The post column is at most 42rem wide (static/css/site.css, --measure), with 1.25rem margins on phones.
CONTENT_SIZES = "(min-width: 44.5rem) 42rem, calc(100vw - 2.5rem)"
THUMBNAIL_SIZES = "12rem"  # a thumbnail in the library grid is small
WEBP = "image/webp"

_img = re.compile(r"<img\b([^>]*)>")  # sanitised HTML: attribute values never hold a raw ">"
_attribute = re.compile(r'\s([a-z-]+)="([^"]*)"')


def picture(image: Image, *, alt: str | None = None, eager: bool = False, sizes: str = CONTENT_SIZES) -> str:
    """An image as ``<picture>``: WebP renditions first, then the original format's, with its size.

    ``eager`` is for the image a reader sees first (a cover): fetched at once, with high priority;
    any other image loads lazily, as the reader scrolls to it. Until the renditions exist, the
    cleaned original alone is used.
    """
    alt = image.alt if alt is None else alt
    # Read once: each ``image.renditions`` builds its related manager anew, and a picture asked
    # for them five times (137 µs a cover in one process, 100 µs reading them once).
    renditions = image.renditions.all()
    loading = {"fetchpriority": "high"} if eager else {"loading": "lazy"}
    attributes = {
        "src": image.get_absolute_url(),
        "srcset": image.srcset(image.content_type, renditions) if renditions else "",
        "sizes": sizes if renditions else "",
        "width": image.width,
        "height": image.height,
        "alt": alt,
        "decoding": "async",
    } | loading
    img = mark_safe(  # noqa: S308 - every value is escaped here
        "<img{}>".format(
            "".join(
                f' {name}="{escape(value)}"'
                for name, value in attributes.items()
                if value != "" or name == "alt"
            )
        )
    )
    if image.content_type == WEBP or all(r.content_type != WEBP for r in renditions):
        return format_html("<picture>{}</picture>", img)
    source = format_html(
        '<source type="{}" srcset="{}" sizes="{}">', WEBP, image.srcset(WEBP, renditions), sizes
    )
    return format_html("<picture>{}{}</picture>", source, img)


def thumbnail(image: Image) -> str:
    """A small picture, for the library's grid."""
    return picture(image, sizes=THUMBNAIL_SIZES)


def library_path(src: str) -> str | None:
    """The ``/media/images/…`` path of an address, whatever its host (the file name is a content hash)."""
    path = urlsplit(html.unescape(src)).path
    return path if path.startswith(settings.MEDIA_URL + "images/") else None


def images_in(clean_html: str) -> dict[str, Image]:
    """The library images a rendered body shows, by path (one query, renditions prefetched)."""
    paths = {library_path(dict(_attribute.findall(tag)).get("src", "")) for tag in _img.findall(clean_html)}
    paths.discard(None)
    if not paths:
        return {}
    found = Image.objects.by_urls(paths).prefetch_related("renditions")
    return {image.get_absolute_url(): image for image in found}


def responsive_body(clean_html: str, *, first_eager: bool = False) -> tuple[str, list[Image]]:
    """Replace each library image in sanitised HTML by responsive markup; return the images used.

    The writer's description from the Markdown wins; an image written without one gets the
    library's. ``first_eager`` loads the first image at once (a post without a cover).
    """
    found = images_in(clean_html)
    if not found:
        return clean_html, []
    used: dict[int, Image] = {}

    def replace(match):
        attributes = dict(_attribute.findall(match.group(1)))
        image = found.get(library_path(attributes.get("src", "")) or "")
        if image is None:
            return match.group(0)
        eager = first_eager and not used
        used[image.pk] = image
        alt = html.unescape(attributes.get("alt", "")) or image.alt
        return picture(image, alt=alt, eager=eager)

    return _img.sub(replace, clean_html), list(used.values())

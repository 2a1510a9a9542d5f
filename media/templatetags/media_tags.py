"""Library images in templates: the same responsive markup as in post bodies (media/markup.py)."""

from django import template

from blogsite import links
from media import markup

register = template.Library()

# A post card's image is at most as wide as the column; a thumbnail in the library grid is small.
CARD_SIZES = markup.CONTENT_SIZES
THUMBNAIL_SIZES = "12rem"


@register.simple_tag
def picture(image, eager=False, sizes=CARD_SIZES, alt=None):
    """``{% picture post.cover eager=True %}``: srcset, sizes, width and height; lazy unless eager."""
    if image is None:
        return ""
    return markup.picture(image, alt=alt, eager=eager, sizes=sizes)


@register.simple_tag
def thumbnail(image):
    """A small picture for the library grid."""
    return markup.picture(image, sizes=THUMBNAIL_SIZES)


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """An absolute address for places read away from the page (Open Graph, Twitter cards)."""
    return links.absolute_url(path, context.get("request"))

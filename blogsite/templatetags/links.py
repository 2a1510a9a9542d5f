"""``{% link "posts:tag" tag.slug %}``: Django's ``{% url %}``, remembered.

Every page's header and footer carries about a dozen links, and ``reverse()`` is a good
part of the cost of a page rendered without the page cache (bench/run). Built in to every
template (``TEMPLATES`` ``builtins``), so no template needs to load it. Positional
arguments only; ``{% url %}`` remains for the rare link that needs keyword arguments.
"""

from django import template

from blogsite.links import cached_reverse

register = template.Library()


@register.simple_tag
def link(viewname, *args):
    return cached_reverse(viewname, *(str(arg) for arg in args))

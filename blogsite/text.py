"""Which characters text may hold: one rule for model fields, forms, API schemas, URLs and feeds.

C0 control characters (U+0000 to U+001F) are refused, not stripped, wherever text comes in:
a writer sees which field holds one and decides (decision 0020). Text of several lines
(a body, an excerpt, a bio) may hold tabs and line breaks (LF, and the CR of a browser's
CRLF); a single line (a title, a name, a tag) holds none. A URL path with one is a 404.
Text stored before the rule may still hold them, so feeds drop what XML cannot carry.
"""

import re

from django.core.exceptions import ValidationError
from django.http import Http404

LINE_PATTERN = r"^[^\x00-\x1f]*$"  # for API schemas (JSON Schema reads it as ECMAScript)
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
_LINE_CONTROLS = re.compile(r"[\x00-\x1f]")
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What XML 1.0 cannot carry at all: C0 controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

LINE_MESSAGE = "Remove the control characters (such as tabs or line breaks) from this text."
TEXT_MESSAGE = "Remove the control characters from this text: only tabs and line breaks may stay."


def validate_line(value: str) -> None:
    """A single line of text (a title, a name, a tag): no control character at all."""
    if _LINE_CONTROLS.search(value):
        raise ValidationError(LINE_MESSAGE, code="control_characters")


def validate_text(value: str) -> None:
    """Text of several lines (a body, an excerpt, a bio): tabs and line breaks only."""
    if _TEXT_CONTROLS.search(value):
        raise ValidationError(TEXT_MESSAGE, code="control_characters")


def xml_safe(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold, for feeds of text stored before the rule."""
    return _NOT_XML.sub("", value)


def refuse_control_characters_middleware(get_response):
    """A URL path with a control character in it names nothing here: a 404 that no view or query sees.

    Not found rather than bad request, so every API operation's documented answers still hold.
    """

    def middleware(request):
        if _LINE_CONTROLS.search(request.path):
            raise Http404("No page has a control character in its address.")
        return get_response(request)

    return middleware

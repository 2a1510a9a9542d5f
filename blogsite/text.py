"""Which characters text may hold: one rule for model fields, forms, API schemas, URLs and feeds.

C0 control characters (U+0000 to U+001F) are refused, not stripped, wherever text comes in:
a writer sees which field holds one and decides (decision 0020). Text of several lines
(a body, an excerpt, a bio) may hold tabs and line breaks (LF, and the CR of a browser's
CRLF); a single line (a title, a name, a tag) holds none. A URL path with one is a 404.
Text stored before the rule may still hold them, so feeds drop what XML cannot carry and
pages drop what HTML forbids.
"""

import re

from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.http import Http404

LINE_PATTERN = r"^[^\x00-\x1f]*$"  # for API schemas (JSON Schema reads it as ECMAScript)
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
_LINE_CONTROLS = re.compile(r"[\x00-\x1f]")
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What XML 1.0 cannot carry at all: C0 controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# What HTML forbids in a document (its "control" code points but ASCII whitespace), as UTF-8 bytes:
# C0 controls but tab, LF, FF and CR; DEL; the C1 controls U+0080 to U+009F.
# Noncharacters too (U+FDD0 to U+FDEF, and U+FFFE and U+FFFF of every plane).
_NOT_HTML = re.compile(
    rb"[\x00-\x08\x0b\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xef\xb7[\x90-\xaf]|\xef\xbf[\xbe\xbf]"
    rb"|[\xf0-\xf4][\x8f\x9f\xaf\xbf]\xbf[\xbe\xbf]"
)

# Every byte that starts one of those (C0, DEL, and the leads 0xC2, 0xEF, 0xF0 to 0xF4), and the rest.
_NOT_HTML_LEADS = frozenset([*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F, 0xC2, 0xEF, *range(0xF0, 0xF5)])
_INNOCENT_BYTES = bytes(sorted(set(range(256)) - _NOT_HTML_LEADS))
_C1 = re.compile(rb"\xc2[\x80-\x9f]")

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


def printable(value: str) -> str:
    """What a reader typed in a query string, as one line of printable characters: the rest become spaces.

    For searches, whose words need no control character (and the database refuses NUL).
    """
    return "".join(ch if ch.isprintable() else " " for ch in value)


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


# The <input> types whose value is one line: HTML forbids line breaks there and browsers drop them.
ONE_LINE_INPUT_TYPES = frozenset({"text", "search", "email", "url", "tel", "password"})


class OneLineInputsRenderer(DjangoTemplates):
    """Django's form renderer (``FORM_RENDERER``), but no one-line <input> shows a control character.

    A refused value is shown again in its box, where line breaks and controls cannot stand:
    they come back as spaces, in every form of the site and the admin alike, while the
    field's error says what was wrong.
    """

    def render(self, template_name, context, request=None):
        if isinstance(context, dict) and isinstance(context.get("widget"), dict):
            context = {**context, "widget": _one_line_widget(context["widget"])}
        return super().render(template_name, context, request=request)


def _one_line_widget(widget: dict) -> dict:
    """A widget's template context with a one-line input's value (and its subwidgets') on one line."""
    if widget.get("type") in ONE_LINE_INPUT_TYPES and isinstance(widget.get("value"), str):
        widget = {**widget, "value": _LINE_CONTROLS.sub(" ", widget["value"])}
    if widget.get("subwidgets"):
        widget = {**widget, "subwidgets": [_one_line_widget(sub) for sub in widget["subwidgets"]]}
    return widget


def drop_control_characters_from_pages_middleware(get_response):
    """An HTML page never carries a character HTML forbids, whatever text was stored before the rule.

    Inside the page cache, so a cached page is cleaned once, when it is rendered.
    """

    def middleware(request):
        response = get_response(request)
        if (
            not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and _may_hold_what_html_forbids(response.content)
        ):
            response.content = _NOT_HTML.sub(b"", response.content)
        return response

    return middleware


def _may_hold_what_html_forbids(content: bytes) -> bool:
    """Whether ``_NOT_HTML`` finds anything, without running it over every page.

    The regex tries its alternatives at every byte: 0.5 to 1 ms for a 30 KB page. Deleting the
    bytes that start none of them leaves, on almost every page, only the 0xC2 of a "·" or an
    "é" (``translate()``, some 15 µs); a search led by the literal 0xC2 settles those.
    """
    leads = set(content.translate(None, _INNOCENT_BYTES))
    if not leads:
        return False
    if leads == {0xC2}:
        return _C1.search(content) is not None
    return _NOT_HTML.search(content) is not None

"""Markdown to safe HTML, done once when a post is saved (never per request).

CommonMark plus tables and strikethrough (markdown-it-py), code highlighted on the server
(Pygments), and the result passed through an allow-list sanitiser (nh3), so whatever a
writer types, readers get no scripts, event handlers, ``javascript:``/``data:`` URLs,
iframes or forms.
"""

import html
import re
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
}
ALIGN_CLASSES = {"align-left", "align-center", "align-right"}
HIGHLIGHT_CLASSES = {name for name in STANDARD_TYPES.values() if name}
ALLOWED_CLASSES = {
    "td": ALIGN_CLASSES,
    "th": ALIGN_CLASSES,
    "pre": {"highlight"},
    "span": HIGHLIGHT_CLASSES,
}
URL_SCHEMES = {"http", "https", "mailto"}
# Code blocks and tables scroll sideways when wide: keyboard users must be able to reach them.
# Images load as the reader scrolls to them, so a phone fetches only what is read.
SET_ATTRIBUTES = {
    "pre": {"tabindex": "0"},
    "table": {"tabindex": "0"},
    "img": {"loading": "lazy", "decoding": "async"},
}
EXTERNAL_REL = "nofollow noopener noreferrer"
CODE_FORMATTER = HtmlFormatter(nowrap=True)
WORDS_PER_MINUTE = 230


def _highlight(code: str, language: str, attrs: str) -> str:
    """Highlight a fenced code block when its language is known, else leave it plain."""
    try:
        lexer = get_lexer_by_name(language) if language else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return ""  # markdown-it then escapes the code itself
    return f'<pre class="highlight"><code>{highlight(code, lexer, CODE_FORMATTER)}</code></pre>'


_markdown = MarkdownIt("commonmark", {"html": True, "highlight": _highlight}).enable(
    ["table", "strikethrough"]
)


def _alignment_to_classes(tokens):
    """Turn table alignment into classes: inline styles would need a looser CSP."""
    for token in tokens:
        if token.type in ("th_open", "td_open"):
            style = token.attrGet("style") or ""
            if style.startswith("text-align:"):
                token.attrs.pop("style")
                token.attrSet("class", "align-" + style.split(":", 1)[1])
    return tokens


_anchor = re.compile(r"<a\b([^>]*)>")  # sanitised HTML: attribute values never hold a raw ">"
_href = re.compile(r'\shref="([^"]*)"')


def _is_external(href: str) -> bool:
    """A link to another host; relative links and the blog's own SITE_URL host are internal."""
    host = urlsplit(html.unescape(href)).netloc.lower()
    return bool(host) and host != urlsplit(settings.SITE_URL).netloc.lower()


def _mark_external_links(clean_html: str) -> str:
    """Give links that leave the site rel="nofollow noopener noreferrer", wherever href sits in the tag."""

    def add_rel(match):
        href = _href.search(match.group(1))
        if href and _is_external(href.group(1)):
            return f'<a{match.group(1)} rel="{EXTERNAL_REL}">'
        return match.group(0)

    return _anchor.sub(add_rel, clean_html)


def sanitise(unsafe_html: str) -> str:
    """Keep only the allow-listed tags, attributes, classes and URL schemes."""
    clean = nh3.clean(
        unsafe_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
        set_tag_attribute_values=SET_ATTRIBUTES,
    )
    return _mark_external_links(clean)


def render_markdown(text: str) -> str:
    """Render a post's Markdown body to sanitised HTML."""
    tokens = _alignment_to_classes(_markdown.parse(text))
    return sanitise(_markdown.renderer.render(tokens, _markdown.options, {}))


def plain_text(rendered_html: str) -> str:
    """The words of rendered HTML, without tags, for excerpts and reading time."""
    text = html.unescape(nh3.clean(rendered_html, tags=set()))
    return " ".join(text.split())


_paragraph = re.compile(r"<p>(.*?)</p>", re.DOTALL)


def make_excerpt(rendered_html: str, length: int = 200) -> str:
    """An excerpt for a post that was given none: the first words of its prose, cut at a word.

    Paragraphs only, where there are any: a heading or a line of code run into the next sentence
    ("…fast HTML. Why indexes matter Most of the work…") reads like a mistake on a post card.
    """
    prose = " ".join(plain_text(text) for text in _paragraph.findall(rendered_html))
    text = prose.strip() or plain_text(rendered_html)
    if len(text) <= length:
        return text
    return text[: length - 1].rsplit(" ", 1)[0].rstrip(",;:-") + "…"


def reading_time_minutes(rendered_html: str) -> int:
    """Minutes to read, at an adult's silent reading pace; never less than one."""
    return max(1, round(len(plain_text(rendered_html).split()) / WORDS_PER_MINUTE))

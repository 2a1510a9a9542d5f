"""Markdown to safe HTML, done once when a post is saved (never per request).

CommonMark plus tables and strikethrough (cmark-gfm, GitHub's C parser: linear time on any
input), code highlighted on the server (Pygments), and the result passed through an
allow-list sanitiser (nh3), so whatever a writer types, readers get no scripts, event
handlers, ``javascript:``/``data:`` URLs, iframes or forms.

Every step is bounded so that a save or a preview costs time linear in the body, whatever
it holds (docs/decisions/0030-linear-time-rendering.md): Pygments only highlights blocks up
to HIGHLIGHT_MAX_CHARS, within HIGHLIGHT_BUDGET_SECONDS of CPU per render, and HTML nests
at most MAX_NESTING elements deep before the sanitiser parses it.
"""

import ctypes
import functools
import html
import re
import time
from urllib.parse import urlsplit

import nh3
import pygments
from cmarkgfm import _cmark, cmark
from cmarkgfm.cmark import Options
from django.conf import settings
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import find_lexer_class, get_all_lexers
from pygments.token import STANDARD_TYPES

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


# Limits that keep rendering linear in the body (README, "Security"). Pygments' lexers are
# regular expressions, some quadratic on hostile input (a 40,000-character block of "<!--"
# took seconds): blocks past the size limit, or past the time budget, stay plain escaped code.
HIGHLIGHT_MAX_CHARS = 20_000
HIGHLIGHT_BUDGET_SECONDS = 0.25
# Each language's lexer is made once per process, outside the budget: a document names at most
# this many languages before the rest stay plain, so no one save loads the whole of Pygments.
MAX_LANGUAGES_PER_RENDER = 20
# html5ever (inside nh3) walks the open elements for every block tag: time grows with depth
# times tags. No reader needs deeper HTML than this; deeper tags are dropped before parsing.
MAX_NESTING = 32

_CMARK_OPTIONS = (
    Options.CMARK_OPT_UNSAFE  # raw HTML reaches nh3, which decides what stays
    | Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE  # ~one~ stays text, as in CommonMark
)
_CMARK_EXTENSIONS = ["table", "strikethrough"]

# cmarkgfm's markdown_to_html_with_extensions frees neither the syntax tree nor the HTML it
# renders: about 25 KB lost a post, 250 MB over a 10,000-post import. ``_cmark_to_html`` frees
# both, through the same library and the C allocator cmark uses by default.
_CMARK_LIBRARY = ctypes.CDLL(_cmark.__file__)
_CMARK_LIBRARY.cmark_node_free.argtypes = [ctypes.c_void_p]
_C_FREE = ctypes.CDLL(None).free
_C_FREE.argtypes = [ctypes.c_void_p]


def _address(pointer) -> int:
    return int(_cmark.ffi.cast("uintptr_t", pointer))


def _cmark_to_html(text: str) -> str:
    """CommonMark with GitHub's tables and strikethrough, as HTML."""
    cmark.core_extensions_ensure_registered()
    parser = cmark.parser_new(options=_CMARK_OPTIONS)
    try:
        for name in _CMARK_EXTENSIONS:
            cmark.parser_attach_syntax_extension(parser, cmark.find_syntax_extension(name))
        cmark.parser_feed(parser, text)
        root = cmark.parser_finish(parser)
        try:
            extensions = cmark.parser_get_syntax_extensions(parser)
            rendered = _cmark.lib.cmark_render_html(root, _CMARK_OPTIONS, extensions)
            try:
                return _cmark.ffi.string(rendered).decode("utf-8")
            finally:
                _C_FREE(_address(rendered))
        finally:
            _CMARK_LIBRARY.cmark_node_free(_address(root))
    finally:
        cmark.parser_free(parser)


class _OutOfTime(Exception):
    pass


def _tokens_until(tokens, deadline: float):
    for token in tokens:
        if time.thread_time() > deadline:
            raise _OutOfTime
        yield token


@functools.cache
def _lexer_names() -> dict[str, str]:
    """Each alias Pygments knows (built in or a plugin) to its lexer's name, read once per process."""
    return {alias: name for name, aliases, _, _ in get_all_lexers(plugins=True) for alias in aliases}


@functools.cache
def _lexer(name: str) -> Lexer:
    """A language's lexer, made once per process: the first one imports its module and compiles its
    patterns, a one-off cost that is no measure of the document (up to 0.3 s of CPU on a busy host)."""
    return find_lexer_class(name)()


def _lexers_for(rendered: str) -> dict[str, Lexer]:
    """The lexers of the first MAX_LANGUAGES_PER_RENDER languages a document's code blocks name."""
    lexers = {}
    for language in dict.fromkeys(map(html.unescape, _fenced_code_language.findall(rendered))):
        name = _lexer_names().get(language.lower())
        if name is not None and len(lexers) < MAX_LANGUAGES_PER_RENDER:
            lexers[language] = _lexer(name)
    return lexers


def _highlighted(code: str, lexer: Lexer | None, deadline: float) -> str | None:
    """Highlighted HTML for a code block, or None to leave it plain (unknown language, too big, too slow)."""
    if lexer is None or len(code) > HIGHLIGHT_MAX_CHARS or time.thread_time() > deadline:
        return None
    try:
        return pygments.format(_tokens_until(lexer.get_tokens(code), deadline), CODE_FORMATTER)
    except _OutOfTime:
        return None


# cmark escapes every "<" inside code, so a block's text never holds one: linear to match.
_fenced_code = re.compile(r'<pre><code class="language-([^"<>]*)">([^<]*)</code></pre>')
_fenced_code_language = re.compile(r'<pre><code class="language-([^"<>]*)">')


def _highlight_code_blocks(rendered: str) -> str:
    """Highlight fenced code blocks whose language Pygments knows, within the limits above.

    The time budget starts once the document's lexers are ready, so it measures the document."""
    lexers = _lexers_for(rendered)
    deadline = time.thread_time() + HIGHLIGHT_BUDGET_SECONDS

    def highlight(match):
        language, escaped_code = html.unescape(match.group(1)), match.group(2)
        code = _highlighted(html.unescape(escaped_code), lexers.get(language), deadline)
        if code is None:
            return f"<pre><code>{escaped_code}</code></pre>"
        return f'<pre class="highlight"><code>{code}</code></pre>'

    return _fenced_code.sub(highlight, rendered)


_table_alignment = re.compile(r'<(th|td) align="(left|center|right)">')
_strikethrough = re.compile(r"<(/?)del>")


def _alignment_to_classes(rendered: str) -> str:
    """Turn table alignment into classes: inline styles would need a looser CSP."""
    return _table_alignment.sub(r'<\1 class="align-\2">', rendered)


def _strikethrough_as_s(rendered: str) -> str:
    """~~Text~~ is text no longer accurate (<s>), as posts have always rendered it; cmark says <del>."""
    return _strikethrough.sub(r"<\1s>", rendered)


# The HTML tokenizer's rules (WHATWG 13.2.5) for where a tag, a comment or a bogus comment
# ends, so that the tags counted here are exactly those html5ever will see.
_SPACE = "\t\n\f\r "
_ATTRIBUTE = rf"""
    (?P<attribute_name> =[^{_SPACE}/>=]*+ | [^{_SPACE}/>=]++ )
    (?: [{_SPACE}]*+ = [{_SPACE}]*+
        (?: "[^"]*+(?:"|\Z) | '[^']*+(?:'|\Z) | [^{_SPACE}>"'][^{_SPACE}>]*+ )?
    )?
"""
_TOKEN = re.compile(
    rf"""
    (?P<comment> <!-- (?: -?> | .*?--!?> | .*\Z ) )
  | (?P<bogus> < (?: [!?] | /(?![a-zA-Z]) ) [^>]*+ (?: > | \Z ) )
  | < (?P<end>/?) (?P<name>[a-zA-Z][^{_SPACE}/>]*+)
      (?P<attrs> (?: [{_SPACE}/]++ | {_ATTRIBUTE.replace("?P<attribute_name>", "")} )*+ )
      (?P<close> > | \Z )
  | (?P<lt> < )
    """,
    re.DOTALL | re.VERBOSE,
)
_ATTRIBUTE_NAMES = re.compile(_ATTRIBUTE, re.DOTALL | re.VERBOSE)
# Their content is text to the tokenizer, up to their own end tag: read as a block here.
_TEXT_ELEMENTS = {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"}
_DROP_CONTENT = {"script", "style"}
_text_element_end = {
    name: re.compile(rf"</{name}(?=[{_SPACE}/>])[^>]*+>?", re.IGNORECASE) for name in _TEXT_ELEMENTS
}
_VOID = {"br", "hr", "img"}
_P_CLOSERS = {
    "blockquote", "details", "dl", "h1", "h2", "h3", "h4", "h5", "h6", "ol", "p", "pre", "summary",
    "table", "ul",
}  # fmt: skip
# Start tags that end the open element of these names first, as the tree builder does.
_IMPLIED_ENDS = {
    "li": {"li", "p"},
    "dt": {"dt", "dd", "p"},
    "dd": {"dt", "dd", "p"},
    "tr": {"tr", "td", "th"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    "thead": {"thead", "tbody", "tfoot", "tr", "td", "th"},
    "tbody": {"thead", "tbody", "tfoot", "tr", "td", "th"},
    "tfoot": {"thead", "tbody", "tfoot", "tr", "td", "th"},
} | {name: {"p"} for name in _P_CLOSERS}


def _has_alt(attrs: str) -> bool:
    return any(found["attribute_name"].lower() == "alt" for found in _ATTRIBUTE_NAMES.finditer(attrs))


def _prepare_for_sanitiser(markup: str) -> str:
    """Keep only allow-listed tags, nested at most MAX_NESTING deep, and give every image an alt.

    Linear in the markup: html5ever's tree building costs the depth for every block tag, so a
    body of 40,000 nested <div> took seconds in nh3. Comments, bogus comments and disallowed
    tags go (nh3 would drop them too), script and style with their content; a stray "<" becomes
    "&lt;". Only this module's output reaches nh3, so what it counted is what html5ever parses.
    An <img> without alt gets alt="" (decorative); the writer is told about it when saving.
    """
    out, open_tags, pos = [], [], 0
    append, search = out.append, _TOKEN.search
    while match := search(markup, pos):
        start, end = match.span()
        append(markup[pos:start])
        pos = end
        kind = match.lastgroup  # "close" for a tag, else which other token this is
        if kind == "lt":
            append("&lt;")
            continue
        if kind != "close":
            continue  # a comment or a bogus comment
        name = match["name"].lower()
        if name not in ALLOWED_TAGS:
            if name in _TEXT_ELEMENTS and not match["end"]:
                text_end = _text_element_end[name].search(markup, pos)
                if name not in _DROP_CONTENT:
                    append(markup[pos : text_end.start() if text_end else None].replace("<", "&lt;"))
                pos = text_end.end() if text_end else len(markup)
        elif match["end"]:
            if open_tags and open_tags[-1] == name:
                open_tags.pop()
            append(match[0])
        elif name in _VOID:
            if name == "img" and match["close"] and not _has_alt(match["attrs"]):
                append(match[0][:-1] + ' alt="">')
            else:
                append(match[0])
        else:
            implied = _IMPLIED_ENDS.get(name)
            while implied and open_tags and open_tags[-1] in implied:
                open_tags.pop()
            if len(open_tags) < MAX_NESTING:
                open_tags.append(name)
                append(match[0])
    out.append(markup[pos:])
    return "".join(out)


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
        _prepare_for_sanitiser(unsafe_html),
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
    """Render a post's Markdown body to sanitised HTML, in time linear in its length."""
    text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate would stop cmark
    rendered = _cmark_to_html(text)
    return sanitise(_strikethrough_as_s(_alignment_to_classes(_highlight_code_blocks(rendered))))


_undescribed_image = re.compile(r'<img\b[^>]*\salt="\s*"')  # sanitised HTML: no raw ">" in values


def images_without_description(rendered_html: str) -> int:
    """Images whose alt is empty: right for a decorative image, a gap for screen readers otherwise."""
    return len(_undescribed_image.findall(rendered_html))


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

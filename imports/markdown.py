"""HTML from another blog turned into the Markdown our editor keeps.

markdownify (on BeautifulSoup) does the conversion; this module only says what our Markdown
looks like: ATX headings, fenced code with its language, images kept everywhere (tables
too), captions as emphasis under their image, and no HTML comments (block-editor markers).
"""

import re
from dataclasses import dataclass, field

from markdownify import MarkdownConverter

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_LANGUAGE_CLASS = re.compile(r"^(?:language|lang|brush|highlight-source)[-:]\s*([\w+#.-]+)$")
_IMAGE = re.compile(r"!\[[^\]]*\]\((\S+?)(?:\s+\"[^\"]*\")?\)")


def code_language(pre) -> str:
    """The language a code block names in any of the ways editors and highlighter plugins write it."""
    for el in (pre, pre.find("code")):
        if el is None:
            continue
        for attr in ("data-language", "lang", "data-lang"):
            if el.get(attr):
                return el[attr].strip().lower()
        classes = el.get("class") or []
        text = " ".join(classes)
        brush = re.search(r"brush:\s*([\w+#.-]+)", text)  # SyntaxHighlighter: class="brush: php; …"
        if brush:
            return brush.group(1).lower()
        for cls in classes:
            match = _LANGUAGE_CLASS.match(cls)
            if match:
                return match.group(1).lower()
    return ""


class _Converter(MarkdownConverter):
    def convert_figcaption(self, el, text, parent_tags):
        text = text.strip()
        return f"\n\n*{text}*\n\n" if text else ""


_converter = _Converter(
    heading_style="atx",
    bullets="-",
    code_language_callback=code_language,
    keep_inline_images_in=["td", "th", "a", "figure", "span", "li", "em", "strong"],
    escape_underscores=False,
    strip=["script", "style", "iframe", "form", "noscript"],
)


@dataclass
class Markdown:
    text: str
    image_urls: list[str] = field(default_factory=list)


def html_to_markdown(html: str) -> Markdown:
    """Markdown for ``html``, and the images it shows (their URLs as written) for the media step."""
    text = _converter.convert(_COMMENT.sub("", html or ""))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return Markdown(text, list(dict.fromkeys(_IMAGE.findall(text))))

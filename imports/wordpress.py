"""WordPress's export file (WXR 1.0 to 1.2) read as a stream, in our terms (items.py).

The file is read twice, never whole: ``scan()`` checks it from end to end and keeps the small
things (authors, attachments), then ``posts()`` yields one post at a time. XML comes through
defusedxml (decision 0050): a file that declares entities is refused, so an XML bomb or an
external entity never expands or reaches the network or disk.
"""

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from .items import (
    ImportFileError,
    SourceAuthor,
    SourceImage,
    SourcePost,
    SourceSkip,
    check_not_empty,
    image_path_after,
)
from .markdown import html_to_markdown

UPLOADS = "/wp-content/uploads/"
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")
_WP = "http://wordpress.org/export/"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
_NO_DATE = "0000-00-00 00:00:00"

STATUSES = {"publish": "published", "future": "published", "draft": "draft", "pending": "review"}
SKIPPED_STATUSES = {"trash": "it was in the trash", "auto-draft": "it was an unsaved auto-draft"}


def _split(tag: str) -> tuple[str, str]:
    """(namespace kind, local name): "wp" for any WXR version's namespace, "excerpt", or the URI."""
    if not tag.startswith("{"):
        return "", tag
    uri, _, local = tag[1:].partition("}")
    if uri.startswith(_WP):
        return ("excerpt" if uri.rstrip("/").endswith("excerpt") else "wp"), local
    return uri, local


def _events(path: Path):
    """(event, element) pairs of the file, with every way it can be unreadable said plainly."""
    try:
        yield from SafeET.iterparse(str(path), events=("start", "end"), forbid_dtd=False)
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden) as exc:
        raise ImportFileError(
            "The file declares XML entities, which a WordPress export never does: it is refused "
            "(an entity can expand into gigabytes or read other files)."
        ) from exc
    except defusedxml.DefusedXmlException as exc:
        raise ImportFileError(f"The file uses XML features a WordPress export never does ({exc}).") from exc
    except ParseError as exc:
        line, column = exc.position
        if "no element found" in str(exc) or "unclosed token" in str(exc):
            raise ImportFileError(
                f"The file ends in the middle (line {line}): it is truncated. Export it again."
            ) from exc
        raise ImportFileError(f"The file is not well-formed XML (line {line}, column {column}).") from exc
    except OSError as exc:
        raise ImportFileError(f"The file cannot be read: {exc.strerror or exc}.") from exc


def _fields(item) -> dict:
    """An <item>'s children as a dict; categories, post meta and comments gathered in lists."""
    data = {"categories": [], "meta": {}, "comments": 0}
    for child in item:
        kind, name = _split(child.tag)
        text = child.text or ""
        if name == "category" and not kind:
            data["categories"].append((child.get("domain", ""), child.get("nicename", ""), text.strip()))
        elif kind == "wp" and name == "postmeta":
            meta = {_split(c.tag)[1]: c.text or "" for c in child}
            data["meta"][meta.get("meta_key", "")] = meta.get("meta_value", "")
        elif kind == "wp" and name == "comment":
            data["comments"] += 1
        elif child.tag == _CONTENT:
            data["content"] = text
        elif child.tag == _CREATOR:
            data["creator"] = text.strip()
        elif kind == "excerpt":
            data["excerpt"] = text
        elif kind in ("wp", ""):
            data[name] = text.strip() if name not in ("title",) else text
    return data


def _date(value: str, fallback: str = "") -> datetime | None:
    """A WXR date ("2020-01-31 13:45:00", in UTC when it is a *_gmt field) as an aware UTC datetime."""
    for text in (value, fallback):
        if text and text != _NO_DATE:
            try:
                return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            except ValueError:
                continue
    return None


@dataclass
class Scan:
    version: str = ""
    site_url: str = ""
    authors: list[SourceAuthor] = field(default_factory=list)
    images: dict[str, SourceImage] = field(default_factory=dict)  # by WordPress post id
    gallery: dict[str, list[str]] = field(default_factory=dict)  # parent post id -> its image ids
    item_count: int = 0


class WordPressExport:
    platform = "wordpress"

    def __init__(self, path):
        self.path = Path(path)
        self._scan: Scan | None = None

    def image_path(self, url: str) -> str:
        """Where an image URL's file is under a copy of wp-content/uploads."""
        return image_path_after(url, UPLOADS)

    def scan(self) -> Scan:
        """Read the whole file once: check it is a WXR export, keep its authors and attachments."""
        scan, root, channel, depth = Scan(), None, None, 0
        check_not_empty(self.path)
        for event, elem in _events(self.path):
            if event == "start":
                depth += 1
                if root is None:
                    root = elem
                    if elem.tag != "rss":
                        raise ImportFileError("This is XML but not a WordPress export (no <rss> at its top).")
                elif depth == 2 and elem.tag == "channel":
                    channel = elem
                continue
            depth -= 1
            if depth != 2 or channel is None:
                continue
            kind, name = _split(elem.tag)
            if kind == "wp" and name == "wxr_version":
                scan.version = (elem.text or "").strip()
            elif kind == "wp" and name == "base_blog_url":
                scan.site_url = (elem.text or "").strip().rstrip("/")
            elif kind == "wp" and name == "author":
                scan.authors.append(self._author(elem))
            elif elem.tag == "item":
                if not scan.version:
                    raise ImportFileError("This RSS file is not a WordPress export (no wp:wxr_version).")
                data = _fields(elem)
                scan.item_count += data.get("post_type") != "attachment"
                if data.get("post_type") == "attachment":
                    image = self._image(data)
                    if image:
                        scan.images[image.source_id] = image
                        scan.gallery.setdefault(data.get("post_parent", "0"), []).append(image.source_id)
            if elem.tag == "item":
                channel.remove(elem)  # what is read is let go: memory stays flat however long the file
            else:
                elem.clear()
        if channel is None or not scan.version:
            raise ImportFileError("This is XML but not a WordPress export (it has no wp:wxr_version).")
        if not scan.version.startswith("1."):
            raise ImportFileError(f"WXR version {scan.version} is not one this importer reads (1.0 to 1.2).")
        self._scan = scan
        return scan

    def posts(self) -> Iterator[SourcePost | SourceSkip]:
        """Each post and page of the file in turn, and a skip for every other kind of item."""
        scan = self._scan or self.scan()
        channel = None
        for event, elem in _events(self.path):
            if event == "start":
                if elem.tag == "channel":
                    channel = elem
                continue
            if elem.tag != "item" or channel is None:
                continue
            data = _fields(elem)
            channel.remove(elem)
            if data.get("post_type") != "attachment":
                yield self._post(data, scan)

    def _author(self, elem) -> SourceAuthor:
        data = {_split(c.tag)[1]: (c.text or "").strip() for c in elem}
        name = data.get("author_display_name") or " ".join(
            filter(None, (data.get("author_first_name"), data.get("author_last_name")))
        )
        login = data.get("author_login", "")
        return SourceAuthor(
            source_id=login, username=login, email=data.get("author_email", ""), display_name=name
        )

    def _image(self, data) -> SourceImage | None:
        url = data.get("attachment_url") or data.get("guid", "")
        path = data["meta"].get("_wp_attached_file") or self.image_path(url)
        if not path.lower().endswith(IMAGE_EXTENSIONS):
            return None
        pid = data.get("post_id", "")
        return SourceImage(
            source_id=pid,
            url=url,
            path=path,
            title=data.get("title", "").strip(),
            alt_text=data["meta"].get("_wp_attachment_image_alt", ""),
            old_urls=[u for u in (data.get("link", ""), f"/?attachment_id={pid}") if u],
            author_id=data.get("creator", ""),
        )

    def _post(self, data, scan: Scan) -> SourcePost | SourceSkip:
        pid, title = data.get("post_id", ""), data.get("title", "").strip()
        post_type, status = data.get("post_type", "post"), data.get("status", "draft")
        if post_type not in ("post", "page"):
            return SourceSkip(pid, title, f"a WordPress {post_type}, not a post or a page")
        if status in SKIPPED_STATUSES:
            return SourceSkip(pid, title, SKIPPED_STATUSES[status])
        notes = []
        our_status = STATUSES.get(status, "draft")
        if status == "private":
            notes.append("was private in WordPress: brought in as a draft")
        elif status not in STATUSES:
            notes.append(f"had the WordPress status {status!r}: brought in as a draft")
        if data.get("post_password"):
            our_status = "draft"
            notes.append("was password-protected in WordPress: brought in as a draft")
        published_at = None
        if our_status == "published":
            published_at = _date(data.get("post_date_gmt", ""), data.get("post_date", ""))
            if published_at is None and data.get("pubDate"):
                published_at = parsedate_to_datetime(data["pubDate"]).astimezone(UTC)
        body = expand_shortcodes(data.get("content", ""), scan, parent_id=pid)
        if "<!-- wp:" not in body.html:
            body.html = autop(body.html)
        markdown = html_to_markdown(body.html)
        if body.unknown:
            notes.append("kept unknown shortcodes as text: " + ", ".join(f"[{n}]" for n in body.unknown))
        tags = [
            name
            for domain, nicename, name in data["categories"]
            if domain in ("category", "post_tag") and nicename != "uncategorized"
        ]
        old_urls = [data.get("link", ""), f"/?p={pid}"]
        if post_type == "page":
            old_urls.append(f"/?page_id={pid}")
        return SourcePost(
            source_id=pid,
            title=title,
            slug=unquote(data.get("post_name", "")),
            body=markdown.text,
            status=our_status,
            published_at=published_at,
            author_id=data.get("creator", ""),
            is_page=post_type == "page",
            excerpt=html_to_markdown(data.get("excerpt", "")).text,
            tags=list(dict.fromkeys(tags)),
            cover_image_id=data["meta"].get("_thumbnail_id", ""),
            image_urls=markdown.image_urls,
            old_urls=[u for u in old_urls if u],
            notes=notes,
            comment_count=data["comments"],
        )


# SHORTCODES AND PARAGRAPHS
# ------------------------------------------------------------------------------
_SHORTCODE = re.compile(
    r"\[(?P<name>caption|wp_caption|gallery|embed|code|sourcecode)\b(?P<attrs>[^\]]*)\]"
    r"(?:(?P<content>.*?)\[/(?P=name)\])?",
    re.DOTALL,
)
_ANY_SHORTCODE = re.compile(r"(?<!\[)\[([a-zA-Z][\w-]*)(?:\s[^\]]*)?\](?!\()")
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))""")
_BLOCK_START = re.compile(
    r"^\s*<(?:p|div|h[1-6]|ul|ol|li|table|blockquote|pre|figure|hr|dl|section|address|form)\b", re.I
)


@dataclass
class Expanded:
    html: str
    unknown: list[str]


def _attrs(text: str) -> dict[str, str]:
    return {m[1].lower(): next(v for v in m.groups()[1:] if v is not None) for m in _ATTR.finditer(text)}


def expand_shortcodes(content: str, scan: Scan, *, parent_id: str = "") -> Expanded:
    """WordPress's common shortcodes replaced by the HTML they stand for; others named as unknown."""

    def replace(match):
        name, attrs, inner = match["name"], _attrs(match["attrs"]), match["content"] or ""
        if name in ("code", "sourcecode"):
            language = attrs.get("language") or attrs.get("lang") or ""
            code = html.escape(html.unescape(inner.strip("\n")))
            cls = f' class="language-{html.escape(language)}"' if language else ""
            return f"<pre><code{cls}>{code}</code></pre>"
        if name == "embed":
            url = html.escape(inner.strip())
            return f'\n\n<p><a href="{url}">{url}</a></p>\n\n'
        if name == "gallery":
            ids = [i.strip() for i in attrs.get("ids", "").split(",") if i.strip()]
            ids = ids or scan.gallery.get(parent_id, [])
            images = [scan.images[i] for i in ids if i in scan.images]
            tags = (f'<img src="{html.escape(i.url)}" alt="{html.escape(i.alt_text)}">' for i in images)
            return f"\n\n<p>{' '.join(tags)}</p>\n\n"
        # [caption]: the image, then its caption (the text after it, or the old caption="" attribute)
        image = re.match(r"\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)", inner, re.DOTALL)
        picture, caption = (image[1], image[2].strip()) if image else ("", inner.strip())
        caption = caption or attrs.get("caption", "")
        return f"\n\n<figure>{picture}<figcaption>{caption}</figcaption></figure>\n\n"

    expanded = _SHORTCODE.sub(replace, content)
    unknown = [
        name
        for name in dict.fromkeys(_ANY_SHORTCODE.findall(_strip_code(expanded)))
        if name not in ("caption", "wp_caption", "gallery", "embed", "code", "sourcecode")
    ]
    return Expanded(expanded.replace("[[", "[").replace("]]", "]"), unknown)


def _strip_code(text: str) -> str:
    return re.sub(r"<(pre|code)\b.*?</\1>", "", text, flags=re.DOTALL | re.I)


def autop(text: str) -> str:
    """Paragraphs from blank lines, as WordPress's wpautop() makes them for the classic editor."""
    kept: list[str] = []

    def keep(match):
        kept.append(match[0])
        return f"\n\n<pre>\x00{len(kept) - 1}</pre>\n\n"

    text = re.sub(r"<pre\b.*?</pre>", keep, text.replace("\r\n", "\n"), flags=re.DOTALL | re.I)
    blocks = []
    for chunk in re.split(r"\n\s*\n", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if chunk.startswith("<pre>\x00"):
            blocks.append(kept[int(chunk[6:].split("<")[0])])
        elif _BLOCK_START.match(chunk):
            blocks.append(chunk)
        else:
            blocks.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return "\n".join(blocks)

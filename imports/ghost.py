"""Ghost's JSON export (Ghost 2 to 5) read as a stream, in our terms (items.py).

ijson reads the file in two passes, never whole (decision 0050): ``scan()`` keeps the small
tables (users, tags and the joins that tie them to posts), then ``posts()`` yields one post at
a time. A post's body comes from its ``html``; exports without it carry the editor's own
document, ``mobiledoc`` (Ghost 1 to 4) or ``lexical`` (Ghost 5), which are rendered here.
"""

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import ijson

from .items import ImportFileError, SourceAuthor, SourcePost, SourceSkip, check_not_empty, image_path_after
from .markdown import html_to_markdown

UPLOADS = "/content/images/"
_TABLES = ("users", "tags", "posts_tags", "posts_authors")
TRUNCATED = "The file ends in the middle: it is truncated. Export it again."
STATUSES = {"published": "published", "scheduled": "published", "draft": "draft"}


def _id(value) -> str:
    return str(int(value)) if isinstance(value, Decimal | int) else str(value or "")


def _date(value) -> datetime | None:
    """Ghost writes ISO 8601 in UTC; exports from before Ghost 1 wrote milliseconds since 1970."""
    if value in (None, ""):
        return None
    if isinstance(value, Decimal | int | float):
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


@dataclass
class Scan:
    version: str = ""
    prefix: str | None = None  # where the posts are: "db.item." (Ghost 1 and later) or ""
    authors: list[SourceAuthor] = field(default_factory=list)
    images: dict = field(default_factory=dict)  # Ghost has no attachments: images are found by URL
    tags: dict[str, dict] = field(default_factory=dict)
    post_tags: dict[str, list[str]] = field(default_factory=dict)
    post_authors: dict[str, list[str]] = field(default_factory=dict)
    item_count: int = 0


class GhostExport:
    platform = "ghost"

    def __init__(self, path):
        self.path = Path(path)
        self._scan: Scan | None = None

    def image_path(self, url: str) -> str:
        """Where an image URL's file is under a copy of Ghost's content/images folder."""
        path = image_path_after(url, UPLOADS)
        if path.startswith("size/"):  # a resized copy: content/images/size/w600/2023/05/x.jpg
            path = path.split("/", 2)[2] if path.count("/") >= 2 else path
        return path

    def _open(self):
        try:
            return self.path.open("rb")
        except OSError as exc:
            raise ImportFileError(f"The file cannot be read: {exc.strerror or exc}.") from exc

    def scan(self) -> Scan:
        """Read the whole file once: check it is a Ghost export, keep its users, tags and joins."""
        scan, tables, builder, building = Scan(), {name: [] for name in _TABLES}, None, None
        check_not_empty(self.path)
        with self._open() as f:
            try:
                for prefix, event, value in ijson.parse(f):
                    path = prefix.removeprefix("db.item.")
                    if builder is not None:
                        if path == building and event in ("end_map", "end_array"):
                            tables[building.split(".")[1]].append(builder.value)
                            builder = building = None
                        else:
                            builder.event(event, value)
                        continue
                    if path in ("meta.version",) and event in ("string", "number"):
                        scan.version = str(value)
                    elif path == "data.posts" and event == "start_array":
                        scan.prefix = prefix.removesuffix("data.posts")
                    elif path == "data.posts.item" and event == "start_map":
                        scan.item_count += 1
                    elif path in {f"data.{t}.item" for t in _TABLES} and event == "start_map":
                        builder, building = ijson.ObjectBuilder(), path
                        builder.event(event, value)
            except ijson.IncompleteJSONError as exc:
                if "Incomplete" in str(exc) or "premature EOF" in str(exc):
                    raise ImportFileError(TRUNCATED) from exc
                raise ImportFileError(f"The file is not JSON ({exc}).") from exc
            except (ijson.JSONError, UnicodeDecodeError, ValueError) as exc:
                raise ImportFileError(f"The file is not JSON ({exc}).") from exc
        if scan.prefix is None:
            raise ImportFileError("This is JSON but not a Ghost export (no db[0].data.posts in it).")
        self._index(scan, tables)
        self._scan = scan
        return scan

    def _index(self, scan: Scan, tables: dict) -> None:
        for user in tables["users"]:
            scan.authors.append(
                SourceAuthor(
                    source_id=_id(user.get("id")),
                    username=user.get("slug") or "",
                    email=user.get("email") or "",
                    display_name=user.get("name") or "",
                    bio=user.get("bio") or "",
                )
            )
        scan.tags = {_id(t.get("id")): t for t in tables["tags"]}
        for name, key, target in (
            ("posts_tags", "tag_id", scan.post_tags),
            ("posts_authors", "author_id", scan.post_authors),
        ):
            for row in sorted(tables[name], key=lambda r: int(r.get("sort_order") or 0)):
                target.setdefault(_id(row.get("post_id")), []).append(_id(row.get(key)))

    def posts(self) -> Iterator[SourcePost | SourceSkip]:
        """Each post and page of the file in turn."""
        scan = self._scan or self.scan()
        with self._open() as f:
            for data in ijson.items(f, scan.prefix + "data.posts.item"):
                yield self._post(data, scan)

    def _post(self, data: dict, scan: Scan) -> SourcePost:
        pid, title = _id(data.get("id")), data.get("title") or ""
        status, notes = data.get("status") or "draft", []
        our_status = STATUSES.get(status, "draft")
        if status == "sent":
            notes.append("was sent as a newsletter only in Ghost: brought in as a draft")
        elif status not in STATUSES:
            notes.append(f"had the Ghost status {status!r}: brought in as a draft")
        visibility = data.get("visibility") or "public"
        if visibility != "public" and our_status == "published":
            our_status = "draft"
            notes.append(f"was for {visibility} members only in Ghost: brought in as a draft")
        is_page = data.get("type") == "page" or bool(data.get("page"))
        cards: list[str] = []
        markdown = html_to_markdown(_body_html(data, notes, cards).replace("__GHOST_URL__", ""))
        for index, card in enumerate(cards):
            markdown.text = markdown.text.replace(_card_placeholder(index), card.strip())
        tags = []
        for tag_id in scan.post_tags.get(pid, []):
            tag = scan.tags.get(tag_id)
            if tag and not (tag.get("name") or "").startswith("#"):  # "#tags" are Ghost's internal ones
                tags.append(tag["name"])
        authors = scan.post_authors.get(pid) or [_id(data.get("author_id"))]
        cover = (data.get("feature_image") or "").replace("__GHOST_URL__", "")
        return SourcePost(
            source_id=pid,
            title=title,
            slug=data.get("slug") or "",
            body=markdown.text,
            status=our_status,
            published_at=_date(data.get("published_at")) if our_status == "published" else None,
            author_id=authors[0],
            is_page=is_page,
            excerpt=data.get("custom_excerpt") or "",
            tags=tags,
            cover_image_id=cover,
            image_urls=list(dict.fromkeys([*markdown.image_urls, *([cover] if cover else [])])),
            old_urls=[f"/{data.get('slug')}/"] if data.get("slug") else [],
            notes=notes,
        )


def _card_placeholder(index: int) -> str:
    return f"GHOSTMARKDOWNCARD{index}X"


def _body_html(data: dict, notes: list[str], cards: list[str]) -> str:
    """The post's HTML: Ghost's own rendering when the export has it, else rendered from its document."""
    if data.get("html"):
        return data["html"]
    try:
        if data.get("lexical"):
            return lexical_to_html(json.loads(data["lexical"]), cards)
        if data.get("mobiledoc"):
            return mobiledoc_to_html(json.loads(data["mobiledoc"]), cards)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        notes.append(f"its editor document could not be read ({exc}): brought in without a body")
    return ""


# EDITOR DOCUMENTS
# ------------------------------------------------------------------------------
def _card_html(name: str, payload: dict, cards: list[str]) -> str:
    """The HTML of a Ghost card, by the names mobiledoc and lexical share."""
    esc = html.escape
    if name == "image":
        src, alt = payload.get("src", ""), payload.get("alt") or payload.get("altText") or ""
        caption = payload.get("caption") or ""
        figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
        return f'<figure><img src="{esc(src)}" alt="{esc(alt)}">{figcaption}</figure>'
    if name in ("code", "codeblock"):
        language = payload.get("language") or ""
        cls = f' class="language-{esc(language)}"' if language else ""
        return f"<pre><code{cls}>{esc(payload.get('code', ''))}</code></pre>"
    if name == "markdown":
        # Kept as it was written (put back after conversion): rendered and read back it would lose nothing
        # but the writer's own spacing and choices.
        cards.append(payload.get("markdown", ""))
        return f"<p>{_card_placeholder(len(cards) - 1)}</p>"
    if name == "html":
        return payload.get("html", "")
    if name in ("hr", "horizontalrule"):
        return "<hr>"
    if name == "embed":
        url = esc(payload.get("url", ""))
        return f'<p><a href="{url}">{url}</a></p>'
    return ""


def mobiledoc_to_html(doc: dict, cards: list[str]) -> str:
    """HTML for a mobiledoc document: markup, list and card sections (Ghost 1 to 4's editor)."""
    markups = [
        (m[0], dict(zip(m[1][::2], m[1][1::2], strict=False)) if len(m) > 1 else {}) for m in doc["markups"]
    ]

    def markers(items) -> str:
        out, open_tags = [], []
        for _kind, opens, closes, text in items:
            for index in opens:
                tag, attrs = markups[index]
                attr = "".join(f' {k}="{html.escape(v)}"' for k, v in attrs.items())
                out.append(f"<{tag}{attr}>")
                open_tags.append(tag)
            out.append(html.escape(text) if isinstance(text, str) else "")
            for _ in range(closes):
                out.append(f"</{open_tags.pop()}>")
        return "".join(out)

    parts = []
    for section in doc["sections"]:
        kind = section[0]
        if kind == 1:
            tag = section[1].lower()
            parts.append(f"<{tag}>{markers(section[2])}</{tag}>")
        elif kind == 3:
            tag = section[1].lower()
            parts.append(f"<{tag}>" + "".join(f"<li>{markers(i)}</li>" for i in section[2]) + f"</{tag}>")
        elif kind == 10:
            name, payload = doc["cards"][section[1]]
            parts.append(_card_html(name, payload, cards))
    return "".join(parts)


_FORMATS = ((1, "strong"), (2, "em"), (8, "u"), (4, "s"), (16, "code"))


def lexical_to_html(doc: dict, cards: list[str]) -> str:
    """HTML for a lexical document (Ghost 5's editor): text, links, headings, lists, quotes, cards."""

    def render(node) -> str:
        kind = node.get("type")
        inner = "".join(render(child) for child in node.get("children", []))
        if kind == "text":
            text = html.escape(node.get("text", ""))
            for bit, tag in _FORMATS:
                if node.get("format", 0) & bit:
                    text = f"<{tag}>{text}</{tag}>"
            return text
        if kind == "linebreak":
            return "<br>"
        if kind == "link":
            return f'<a href="{html.escape(node.get("url", ""))}">{inner}</a>'
        if kind == "paragraph":
            return f"<p>{inner}</p>"
        if kind in ("heading", "extended-heading"):
            tag = node.get("tag", "h2")
            return f"<{tag}>{inner}</{tag}>"
        if kind in ("quote", "extended-quote", "aside"):
            return f"<blockquote>{inner}</blockquote>"
        if kind == "list":
            tag = "ol" if node.get("listType") == "number" else "ul"
            return f"<{tag}>{inner}</{tag}>"
        if kind == "listitem":
            return f"<li>{inner}</li>"
        if kind == "root":
            return inner
        return _card_html(kind, node, cards)

    return render(doc["root"])

"""Full-text search of posts: PostgreSQL's text search where we run on it, a plain fallback elsewhere.

On PostgreSQL every post stores a search vector (title weighted A, body B) that is filled
in when the post is saved and indexed with GIN. A reader's query is read as a web-search
query ("quoted phrases", -exclusions, or), with its last word also taken as a prefix so
results come while the reader is still typing; matches are ranked and shown with a
highlighted snippet. Elsewhere (SQLite in development and tests) each word is matched with
``icontains``, title matches first, and the snippet is made in Python.

Either way a snippet is escaped text in which the only HTML is our ``<mark>``.
"""

import html
import re

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connections
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Cast
from django.db.models.query import ModelIterable
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import rendering

MAX_QUERY_LENGTH = 200
CONFIG = "english"
SNIPPET_CHARS = 240
# ts_headline wraps each match in these private-use characters; after escaping everything
# else we turn them into <mark>, so no markup from a post can reach a snippet.
START, STOP = "\ue000", "\ue001"
_MARKS = re.compile(f"([{START}{STOP}])")
# The last word of a query the reader may still be typing: letters and digits only, after
# a space or at the start, and not inside an open "phrase".
_LAST_WORD = re.compile(r"(?:^|\s)([^\W_]+)$")
_SPACES = re.compile(r"\s+")
_TERM = re.compile(r'(-?)"([^"]+)"|(\S+)')


def clean_query(text: str) -> str:
    """The query as we search it: printable characters, single spaces, at most 200 characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in text or "")
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_LENGTH:
        text = text[:MAX_QUERY_LENGTH]
        if " " in text:
            text = text.rsplit(" ", 1)[0]  # do not search half a word
    return text


def search_vector(title: str, body_html: str):
    """The stored vector of a post being saved: its title above its body.

    Made from the values being saved (not the columns), so it works in INSERT and UPDATE
    alike; PostgreSQL's parser skips the HTML tags of the rendered body.
    """
    return Cast(
        SearchVector(Value(title), config=CONFIG, weight="A")
        + SearchVector(Value(body_html), config=CONFIG, weight="B"),
        SearchVectorField(),
    )


def apply(queryset, text: str):
    """``queryset`` narrowed to posts matching ``text``, best first, each with a ``snippet``."""
    text = clean_query(text)
    if not text:
        return queryset.none()
    if connections[queryset.db].vendor == "postgresql":
        return _postgres(queryset, text)
    return _fallback(queryset, text)


def postgres_query(text: str):
    """The web-search reading of ``text``, or-ed with its last word as a prefix.

    The prefix part is a raw tsquery built only from letters and digits, so nothing the
    reader types can break its syntax.
    """
    websearch = SearchQuery(text, search_type="websearch", config=CONFIG)
    last = _LAST_WORD.search(text)
    if last is None or text.count('"') % 2:
        return websearch
    prefix = SearchQuery(f"{last.group(1)}:*", search_type="raw", config=CONFIG)
    head = text[: last.start(1)].strip()
    if head:
        prefix = SearchQuery(head, search_type="websearch", config=CONFIG) & prefix
    return websearch | prefix


def _postgres(queryset, text):
    query = postgres_query(text)
    return (
        queryset.filter(search_vector=query)
        .annotate(
            search_rank=SearchRank(F("search_vector"), query),
            search_headline=SearchHeadline(
                "body_html",
                query,
                config=CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=30,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-search_rank", "-published_at", "-id")
        ._with_search_results(())
    )


def fallback_terms(text: str):
    """The words and "phrases" to look for, and those to leave out (-word)."""
    wanted, unwanted = [], []
    for match in _TERM.finditer(text):
        if match.group(2):
            term, negated = match.group(2).strip(), bool(match.group(1))
        else:
            word = match.group(3)
            negated = word.startswith("-") and len(word) > 1
            term = word[1:] if negated else word
            # Punctuation around a word is not part of it ("django," or "(postgres)"),
            # but a query of punctuation alone is searched as typed.
            term = term.strip(".,;:!?()[]{}\"'") or term
        if term:
            (unwanted if negated else wanted).append(term)
    return wanted, unwanted


def _fallback(queryset, text):
    wanted, unwanted = fallback_terms(text)
    if not wanted:
        return queryset.none()
    for term in wanted:
        queryset = queryset.filter(Q(title__icontains=term) | Q(body__icontains=term))
    for term in unwanted:
        queryset = queryset.exclude(Q(title__icontains=term) | Q(body__icontains=term))
    title_hits = sum(
        (
            Case(When(title__icontains=term, then=1), default=0, output_field=IntegerField())
            for term in wanted
        ),
        Value(0),
    )
    return (
        queryset.annotate(search_rank=title_hits, search_source=F("body_html"))
        .order_by("-search_rank", "-published_at", "-id")
        ._with_search_results(tuple(wanted))
    )


def headline_to_html(headline: str) -> str:
    """Escape PostgreSQL's headline of a post's HTML, turning only our markers into <mark>."""
    out, marking = [], False
    for piece in _MARKS.split(headline or ""):
        if piece == START:
            if not marking:
                out.append("<mark>")
            marking = True
        elif piece == STOP:
            if marking:
                out.append("</mark>")
            marking = False
        elif piece:
            out.append(escape(_SPACES.sub(" ", html.unescape(piece))))
    if marking:
        out.append("</mark>")
    return mark_safe("".join(out).strip())  # noqa: S308 - every piece was escaped above


def fallback_snippet(body_html: str, terms) -> str:
    """A window of the post's text around the first match, every match in <mark>."""
    text = rendering.plain_text(body_html)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    first = pattern.search(text)
    start = 0
    if first and first.start() > SNIPPET_CHARS // 3:
        start = text.find(" ", first.start() - SNIPPET_CHARS // 3) + 1
    end = start + SNIPPET_CHARS
    if end < len(text):
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
    window = text[start:end]
    out = ["… " if start else ""]
    position = 0
    for match in pattern.finditer(window):
        out.append(escape(window[position : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    out.append(escape(window[position:]))
    out.append(" …" if end < len(text) else "")
    return mark_safe("".join(out))  # noqa: S308 - every piece of the post's text was escaped


class SearchResultIterable(ModelIterable):
    """Yields matching posts with ``post.snippet``: safe HTML, the matches in <mark>."""

    def __iter__(self):
        terms = self.queryset._search_terms
        for post in super().__iter__():
            if terms:
                post.snippet = fallback_snippet(post.search_source, terms)
            else:
                post.snippet = headline_to_html(post.search_headline)
            yield post

"""Full-text search of posts: PostgreSQL's text search where we run on it, a plain fallback elsewhere.

On PostgreSQL every post stores a search vector (title weighted A, body B) that is filled
in when the post is saved and indexed with GIN. A reader's query is read as a web-search
query ("quoted phrases", -exclusions, or), with its last word also taken as a prefix so
results come while the reader is still typing (where the blog has longer words beginning
with it, ``has_longer_words``); matches are ranked and shown with a highlighted snippet.
Where PostgreSQL has the RUM extension a RUM index (migration 0016) hands matches over best
first, so a page reads ten posts; without it every match is ranked with ``ts_rank``
(docs/decisions/0070-search-ranked-by-a-rum-index.md). Elsewhere (SQLite in development and
tests) each word is matched with ``icontains``, title matches first.

Either way at most ``MAX_COUNTED`` matches are counted and paged (``cards.ResultsPaginator``):
"more than 100 posts" is all a reader needs, and checking 90,000 matches against the query
costs what ranking them does. A query of words in most posts ranks its newest ``MAX_COUNTED``
matches on the search page (``ranks_newest_matches``, docs/decisions/0098). A blog of more than
twice ``RECENT_POSTS`` posts indexes its newest again, on their own (``renew_recent_index``): a
query with more than ``MAX_COUNTED`` matches among them ranks those (docs/decisions/0099). The search page
reads its count and results with written-out SQL on PostgreSQL (``posts.cards.SearchResults``,
docs/decisions/0071); the API with the ORM.

Either way the snippet is made in Python from a slice of the post's HTML around the first
match (on PostgreSQL, the first word whose stem is one the query looks for): PostgreSQL's
``ts_headline`` would parse every result's whole body on every search, ten times the cost
of the search itself. A snippet is escaped text in which the only HTML is our ``<mark>``.
"""

import functools
import html
import json
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import NamedTuple

import snowballstemmer
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Case, F, FloatField, Func, IntegerField, Q, TextField, Value, When
from django.db.models.functions import Cast
from django.utils.safestring import mark_safe
from django_tasks import task

from blogsite.database import PLANNED_EACH_RUN

MAX_QUERY_LENGTH = 200
CONFIG = "english"
SNIPPET_CHARS = 240
MAX_COUNTED = 100
RUM_INDEX = "post_search_rum_idx"
# The newest posts' own search index (``renew_recent_index``), and how many posts it starts with.
RECENT_INDEX = "post_search_recent_idx"
RECENT_POSTS = 10_000
# A stem in this share of the posts or more is common: a whole word of it is not also a prefix.
COMMON_SHARE = 0.1
_STEMMER = snowballstemmer.stemmer("english")  # CONFIG's: PostgreSQL's english_stem is Snowball's
# The last word of a query the reader may still be typing: letters and digits only, after
# a space or at the start, and not inside an open "phrase".
_LAST_WORD = re.compile(r"(?:^|\s)([^\W_]+)$")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<[^>]*>")
_LEXEME = re.compile(r"'((?:[^']|'')+)'")
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
    """``queryset`` narrowed to posts matching ``text``, best first; ``add_snippets`` does the rest."""
    text = clean_query(text)
    if not text:
        return queryset.none()
    if connections[queryset.db].vendor == "postgresql":
        return _postgres(queryset, text)
    return _fallback(queryset, text)


@functools.lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """``word``'s stem as PostgreSQL's english configuration stores it. Remembered: Snowball's
    stemmer is pure Python (about 35 µs a word), and readers search the same words again."""
    return _STEMMER.stemWord(word.lower())


def query_parts(text: str, index: "SearchIndex | None" = None) -> tuple[str, str | None]:
    """The words before the last one (may be empty), and the last one as a raw prefix tsquery
    (``word:*``); None for the prefix when the last word is not one a reader may still be typing,
    or when ``index`` says a word of its stem is not taken as a prefix (``SearchIndex.takes_as_prefix``).
    The prefix is built only from letters and digits, so nothing the reader types can break its syntax.
    """
    last = _LAST_WORD.search(text)
    if last is None or text.count('"') % 2:
        return text, None
    if index is not None and not index.takes_as_prefix(stem(last.group(1))):
        return text, None
    return text[: last.start(1)].strip(), f"{last.group(1)}:*"


def postgres_query(text: str, index: "SearchIndex | None" = None):
    """The web-search reading of ``text``, or-ed with its last word as a prefix (``query_parts``)."""
    websearch = SearchQuery(text, search_type="websearch", config=CONFIG)
    head, prefix = query_parts(text, index)
    if prefix is None:
        return websearch
    prefix = SearchQuery(prefix, search_type="raw", config=CONFIG)
    if head:
        prefix = SearchQuery(head, search_type="websearch", config=CONFIG) & prefix
    return websearch | prefix


def postgres_query_sql(text: str, index: "SearchIndex | None" = None) -> tuple[str, dict]:
    """``postgres_query(text, index)`` written out, with its parameters (``q_…``), for the search
    page's written-out queries (posts/cards.py); test_search_sql holds the two together."""
    websearch = f"websearch_to_tsquery('{CONFIG}'::regconfig, %(q_text)s)"
    head, prefix = query_parts(text, index)
    if prefix is None:
        return websearch, {"q_text": text}
    sql = f"to_tsquery('{CONFIG}'::regconfig, %(q_prefix)s)"
    if head:
        sql = f"(websearch_to_tsquery('{CONFIG}'::regconfig, %(q_head)s) && {sql})"
    return f"({websearch} || {sql})", {"q_text": text, "q_head": head, "q_prefix": prefix}


def likely_share(text: str, common: Mapping[str, float]) -> float:
    """The share of the posts ``text`` is likely to match when every word of it is ``common``: the
    product of their stems' shares, as if the words came independently. 0 when any word is not
    common, and for a quoted phrase, a left-out word or an "or", whose matches the shares of
    their words do not bound."""
    wanted, unwanted = fallback_terms(text)
    if unwanted or not wanted:
        return 0.0
    share = 1.0
    for word in wanted:
        word = word.lower()
        if word == "or" or not _WORD.fullmatch(word):
            return 0.0
        share *= common.get(stem(word), 0.0)
    return share


def ranks_newest_matches(text: str, common: Mapping[str, float]) -> bool:
    """True when ``text`` likely matches ``COMMON_SHARE`` of the posts or more: its best are taken
    from its newest ``MAX_COUNTED`` matches, found by reading the newest posts until that many
    match (at a tenth, about ten times as many), not by ranking tens of thousands
    (docs/decisions/0098)."""
    return likely_share(text, common) >= COMMON_SHARE


class RumDistance(Func):
    """RUM's ``vector <=> query``: smaller is a better match (about 1 / ``ts_rank``, weights
    included), and the order in which its index hands matches over. Matches that rank equal
    come in the order of the plan that read them, so a statement ranking by it is planned
    each run, never prepared (blogsite/database/__init__.py)."""

    arg_joiner = " <=> "
    template = f"(%(expressions)s {PLANNED_EACH_RUN})"
    output_field = FloatField()


class SearchIndex(NamedTuple):
    """What searches need to know of a database's search index."""

    rum: bool  # results come best first from the RUM index (migration 0016)
    # Each stem in at least COMMON_SHARE of the posts, with its share, by PostgreSQL's statistics.
    common: Mapping[str, float]
    # Where a blog has more than twice RECENT_POSTS posts: the time after which posts are in the
    # recent index too (``renew_recent_index``); None where it has none.
    recent_since: datetime | None = None
    using: str = DEFAULT_DB_ALIAS

    def takes_as_prefix(self, stem: str) -> bool:
        """Whether a last word of this stem is searched as a prefix too, for a reader still typing it.

        Not when the stem is common: its prefix makes the index gather most posts, for little
        (docs/decisions/0094). Nor when the blog has no longer word that begins with it: the
        prefix would find exactly what the word finds, at several times the cost, since the
        index gathers every post of a prefix before it can intersect them (docs/decisions/0107).
        """
        return stem not in self.common and has_longer_words(self.using, stem)


# Per database alias, asked once per process (workers are replaced every GUNICORN_MAX_REQUESTS)
# and again after migrations (posts/signals.py), so a search runs no extra query.
_search_index: dict[str, SearchIndex] = {}
_LEARN_SQL = """
    SELECT to_regclass(%(rum)s) IS NOT NULL, obj_description(to_regclass(%(recent)s), 'pg_class'), (
        SELECT count(*) > %(most)s FROM (
            SELECT 1 FROM posts_post WHERE published_at > coalesce(
                obj_description(to_regclass(%(recent)s), 'pg_class')::timestamptz, '-infinity'
            ) LIMIT %(most)s + 1
        ) r
    ), (
        SELECT coalesce(jsonb_object_agg(e.stem, e.share), '{}')::text
        FROM pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(stem, share)
        WHERE s.schemaname = current_schema() AND s.tablename = 'posts_post' AND s.attname = 'search_vector'
            AND e.share >= %(common)s AND e.stem IS NOT NULL  -- the frequencies end with three of no stem
    )
"""


def _learn_params(*, common: float) -> dict:
    return {"rum": RUM_INDEX, "recent": RECENT_INDEX, "most": 2 * RECENT_POSTS, "common": common}


def learn_search_index(using: str) -> SearchIndex:
    """Ask the database whether migration 0016 could make the RUM index, which stems are common
    (ANALYZE's estimates; none before it ran) and since when posts are in the recent index;
    remember the answer."""
    connection = connections[using]
    found = SearchIndex(rum=False, common={}, using=using)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_LEARN_SQL, _learn_params(common=COMMON_SHARE))
            rum, since, renew, common = cursor.fetchone()
            found = SearchIndex(rum, json.loads(common), since and datetime.fromisoformat(since), using)
        if renew:
            renew_recent_search_index.enqueue(using=using)
    _search_index[using] = found
    return found


_RECENT_SQL = """
    CREATE INDEX {concurrently} {name} ON posts_post USING {method}
    WHERE published_at > '{since}'::timestamptz
"""
_RECENT_METHOD = {True: "rum (search_vector rum_tsvector_ops)", False: "gin (search_vector)"}  # as 0016, 0003


def renew_recent_index(using: str) -> datetime | None:
    """Index the newest ``RECENT_POSTS`` posts' search vectors on their own, where a blog has more
    than twice as many; again once that many more came. Returns the time after which posts are
    in it (None where the blog needs none).

    A search with more than ``MAX_COUNTED`` matches among them ranks those (``cards.SearchResults``):
    at 100,000 posts a topic in a few percent of them is ranked from a few hundred matches, not
    thousands (docs/decisions/0099). The index is made beside the one it replaces, under a
    lock, so searches keep one; each process learns the new one when it next asks
    (``learn_search_index``), and until then searches since the old time, correctly, from the
    whole index.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    concurrently = not connection.in_atomic_block  # a migration, a test: in a transaction
    with connection.cursor() as cursor:
        if not concurrently:  # its pending checks first
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        lock = "pg_try_advisory_lock" if concurrently else "pg_try_advisory_xact_lock"
        cursor.execute(f"SELECT {lock}(hashtext(%s))", [RECENT_INDEX])
        if not cursor.fetchone()[0]:
            return search_index(using).recent_since  # another process is renewing it
        if not concurrently:
            return _renew_recent_index(cursor, concurrently=False)  # the lock ends with the transaction
        try:
            return _renew_recent_index(cursor, concurrently=True)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [RECENT_INDEX])


@task()
def renew_recent_search_index(*, using: str = DEFAULT_DB_ALIAS) -> str | None:
    """``renew_recent_index`` in the background, asked for by a process that learned it was due."""
    since = renew_recent_index(using)
    return since and since.isoformat()


def _renew_recent_index(cursor, *, concurrently: bool) -> datetime | None:
    cursor.execute(_LEARN_SQL, _learn_params(common=1))  # no stem is common in all posts: none read
    rum, since, renew, _common = cursor.fetchone()
    if not renew:  # not twice RECENT_POSTS since: kept (or, for a smaller blog, none needed)
        return since and datetime.fromisoformat(since)
    cursor.execute(
        "SELECT published_at FROM posts_post WHERE published_at IS NOT NULL "
        "ORDER BY published_at DESC OFFSET %s LIMIT 1",
        [RECENT_POSTS],
    )
    since = cursor.fetchone()[0].astimezone(UTC)
    sql = _RECENT_SQL.replace("{since}", since.isoformat()).replace("{name}", f"{RECENT_INDEX}_new")
    how = "CONCURRENTLY" if concurrently else ""
    cursor.execute(f"DROP INDEX {how} IF EXISTS {RECENT_INDEX}_new")  # a renewal cut short
    cursor.execute(sql.replace("{method}", _RECENT_METHOD[rum]).replace("{concurrently}", how))
    cursor.execute(f"COMMENT ON INDEX {RECENT_INDEX}_new IS '{since.isoformat()}'")
    cursor.execute(f"DROP INDEX {how} IF EXISTS {RECENT_INDEX}")
    cursor.execute(f"ALTER INDEX {RECENT_INDEX}_new RENAME TO {RECENT_INDEX}")
    return since


# Whether any word of the blog's posts begins with a stem and is longer (migration 0020 keeps the
# words); a stem is letters and digits only, so it needs no escaping in LIKE.
_LONGER_WORDS_SQL = "SELECT EXISTS (SELECT 1 FROM posts_search_word WHERE word LIKE %s AND word > %s)"
LONGER_WORDS_SECONDS = 60


def has_longer_words(using: str, stem: str) -> bool:
    """Whether a word of the blog's posts begins with ``stem`` and is longer ("databas" for "datab").

    Remembered in this process for up to ``LONGER_WORDS_SECONDS``: readers search the same words
    again, and asking costs a statement. So a word first written in another process in the last
    minute may not yet make its start a prefix; the process that saved a post forgets at once
    (posts/signals.py).
    """
    return _has_longer_words(using, stem, int(time.monotonic() // LONGER_WORDS_SECONDS))


@functools.lru_cache(maxsize=4096)
def _has_longer_words(using: str, stem: str, _period: int) -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute(_LONGER_WORDS_SQL, [f"{stem}%", stem])
        return cursor.fetchone()[0]


def forget_longer_words() -> None:
    """A post was saved here: its new words count from this process's next search."""
    _has_longer_words.cache_clear()


def search_index(using: str) -> SearchIndex:
    """What this process knows of ``using``'s search index; asked of it the first time only."""
    found = _search_index.get(using)
    return learn_search_index(using) if found is None else found


def ranks_by_rum_index(using: str) -> bool:
    """True where results come best first from the RUM index; False where ``ts_rank`` ranks them."""
    return search_index(using).rum


def _postgres(queryset, text):
    query = postgres_query(text, search_index(queryset.db))
    matches = queryset.filter(search_vector=query).annotate(
        search_source=F("body_html"),
        # The stems the query looks for, as PostgreSQL's parser made them ('databas':*).
        search_lexemes=Cast(query, TextField()),
    )
    if ranks_by_rum_index(queryset.db):
        # The distance alone, with no tie-breaker: any second key makes PostgreSQL rank every
        # match itself instead of reading the index in order. Equal matches come in index order.
        return matches.annotate(search_distance=RumDistance(F("search_vector"), query)).order_by(
            "search_distance"
        )
    return matches.annotate(search_rank=SearchRank(F("search_vector"), query)).order_by(
        "-search_rank", "-published_at", "-id"
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
    return queryset.annotate(search_rank=title_hits, search_source=F("body_html")).order_by(
        "-search_rank", "-published_at", "-id"
    )


class WordPattern(NamedTuple):
    """The words a snippet marks: a regex (ignoring case), and the lowercase text each of its
    matches begins with, for a cheap first look through a long body."""

    regex: re.Pattern
    starts: tuple[str, ...]

    def search(self, text: str):
        """The first match in ``text``, or None; looked for where one may begin (``first_possible``)."""
        at = self.first_possible(text)
        return None if at == -1 else self.regex.search(text, at)

    def finditer(self, text: str, pos: int = 0):
        return self.regex.finditer(text, pos)

    def first_possible(self, text: str, pos: int = 0) -> int:
        """Where in ``text``, from ``pos``, a match may first begin; -1 when none can.

        ``str.find`` in the lowercased text is some thirty times faster than the regex's own scan
        (which tries its lookbehind at every character), and the best results of a search often
        match in their title only: the regex would read the whole body to find nothing. The text
        is lowercased a block at a time, as far as the first place found: lowering a whole body
        cost as much as the rest of its snippet.
        """
        overlap = max(map(len, self.starts), default=1) - 1  # a word begun in a block ends in it
        while pos < len(text):
            block = text[pos : pos + _LOWERED_AT_ONCE + overlap]
            lowered = block.lower()
            if len(lowered) != len(block):  # a character lowercased to two: positions would shift
                return pos
            found = self._first_start(lowered)
            if found != -1:
                return pos + found
            pos += _LOWERED_AT_ONCE
        return -1

    def matches_in(self, text: str):
        """The regex's matches in a short ``text``, as ``finditer`` gives them, tried only where a
        word it looks for begins in the lowercased text rather than at every character."""
        lowered = text.lower()
        if len(lowered) != len(text):
            yield from self.regex.finditer(text)
            return
        at = self._first_start(lowered)
        while at != -1:
            match = self.regex.match(text, at)
            if match:
                yield match
            at = self._first_start(lowered, max(match.end(), at + 1) if match else at + 1)

    def _first_start(self, lowered: str, pos: int = 0) -> int:
        """Where in ``lowered``, from ``pos``, one of the words looked for first begins; -1 if nowhere."""
        return min((at for at in (lowered.find(start, pos) for start in self.starts) if at != -1), default=-1)


def stem_pattern(tsquery_text: str) -> WordPattern | None:
    """The words a tsquery matches: each of its stems, as the start of a word.

    English stems are the first letters of the words they stand for ("databas" for
    "databases"), except that a final "y" becomes "i" ("queri" for "query").
    """
    stems = {lexeme.replace("''", "'").lower() for lexeme in _LEXEME.findall(tsquery_text or "")}
    alternatives, starts = [], []
    for lexeme in sorted(stems, key=len, reverse=True):
        start = lexeme[:-1] if lexeme.endswith("i") else lexeme
        alternatives.append(re.escape(start) + "[iy]" if lexeme.endswith("i") else re.escape(lexeme))
        starts.append(start)
    if not alternatives:
        return None
    regex = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")\w*", re.IGNORECASE)
    return WordPattern(regex, tuple(starts))


def _first_text_match(body_html: str, pattern: WordPattern | None) -> int | None:
    """Where the first match outside a tag starts in ``body_html``; None when there is none."""
    start = -1 if pattern is None else pattern.first_possible(body_html)
    if start == -1:
        return None
    for match in pattern.finditer(body_html, start):
        if body_html.rfind("<", 0, match.start()) <= body_html.rfind(">", 0, match.start()):
            return match.start()
    return None


def _text_around(body_html: str, position: int, before: int, after: int) -> tuple[str, bool, bool]:
    """The words of the HTML from ``before`` characters ahead of ``position`` to ``after`` past it,
    and whether the post goes on before and after them."""
    start = max(0, position - before)
    end = position + after
    chunk = body_html[start:end]
    opens, closes = chunk.find("<"), chunk.find(">")
    if start and closes != -1 and (opens == -1 or closes < opens):
        chunk = chunk[closes + 1 :]  # began inside a tag
    if end < len(body_html) and chunk.rfind("<") > chunk.rfind(">"):
        chunk = chunk[: chunk.rfind("<")]  # ends inside a tag
    text = " ".join(html.unescape(_TAG.sub(" ", chunk)).split())
    return text, start > 0, end < len(body_html)


# The HTML read around a snippet's first match: a short slice first, and the long one when the
# snippet would reach within ``_SLICE_EDGE`` characters of a cut end of its text, or when the match
# is not in the text (the "quot" of an ``&quot;``). The words at a cut end may differ from the
# post's (half an entity, half a word), so a snippet made well inside them is the one the long
# slice makes. The short slice is enough for most snippets, and reading the text of the HTML was
# most of a snippet's cost.
_AROUND = ((SNIPPET_CHARS, 2 * SNIPPET_CHARS), (2 * SNIPPET_CHARS, 6 * SNIPPET_CHARS))
_SLICE_EDGE = 64
_LOWERED_AT_ONCE = 4096


def snippet(body_html: str, pattern: WordPattern | None) -> str:
    """A window of the post's text around the first match, every match in <mark>: escaped text."""
    position = _first_text_match(body_html, pattern)
    for before, after in _AROUND:
        text, cut_before, cut_after = _text_around(body_html, position or 0, before, after)
        first = pattern.search(text) if pattern else None
        lead = first.start() - SNIPPET_CHARS // 3 if first else 0
        start = text.find(" ", lead) + 1 if lead > 0 else 0
        end = start + SNIPPET_CHARS
        if end < len(text):
            end = text.rfind(" ", start, end) if " " in text[start:end] else end
        found = first is not None or position is None or not cut_after
        inside = (not cut_before or lead > _SLICE_EDGE) and (not cut_after or end + _SLICE_EDGE < len(text))
        if found and inside:
            break
    window = text[start:end]
    out = ["… " if start or cut_before else ""]
    done = 0
    for match in pattern.matches_in(window) if pattern else ():
        out.append(html.escape(window[done : match.start()]))
        out.append(f"<mark>{html.escape(match.group(0))}</mark>")
        done = match.end()
    out.append(html.escape(window[done:]))
    out.append(" …" if end < len(text) or cut_after else "")
    return mark_safe("".join(out))  # noqa: S308 - every piece of the post's text was escaped


def fallback_snippet(body_html: str, terms) -> str:
    """The snippet for the fallback search: ``terms`` matched anywhere, ignoring case."""
    terms = sorted(terms, key=len, reverse=True)
    regex = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    return snippet(body_html, WordPattern(regex, tuple(term.lower() for term in terms)))


def add_snippets(posts, text: str) -> list:
    """The results a page shows (from ``apply``), each given its ``snippet``: safe HTML, matches in <mark>.

    Called on one page of results only, so no more than a page of bodies is read in Python.
    On PostgreSQL the words to mark are the stems the database matched (``search_lexemes``);
    elsewhere they are the words of the query.
    """
    posts = list(posts)
    wanted, _unwanted = fallback_terms(clean_query(text))
    patterns = {}
    for post in posts:
        lexemes = getattr(post, "search_lexemes", None)
        if lexemes is None:
            post.snippet = fallback_snippet(post.search_source, wanted)
            continue
        if lexemes not in patterns:
            patterns[lexemes] = stem_pattern(lexemes)
        post.snippet = snippet(post.search_source, patterns[lexemes])
    return posts

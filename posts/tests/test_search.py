"""Full-text search: the queryset method the page and the API share, and the /search/ page.

These run on SQLite (the fallback) and on PostgreSQL (full-text search), whichever
DATABASE_URL points at; CI runs both.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from conftest import make_user
from posts import search
from posts.cards import SearchResults
from posts.models import Post, Tag
from posts.search import (
    MAX_QUERY_LENGTH,
    add_snippets,
    clean_query,
    fallback_snippet,
    snippet,
    stem_pattern,
)

pytestmark = pytest.mark.django_db

ODD_QUERIES = [
    "%",
    "'",
    "\\",
    '"',
    "😀",
    "&|!:*()",
    "a:* & !b | (c",
    "'; DROP TABLE posts_post; --",
    "\x00null",
    "<script>alert(1)</script>",
    "-",
    "or",
    '"unclosed phrase',
    "_%_",
    "x" * 10_000,
    "word " * 2_000,
]


def tags_in(snippet):
    return set(re.findall(r"</?[a-zA-Z][^>]*>", str(snippet)))


def titles(queryset):
    return [post.title for post in queryset]


def test_it_ranks_a_title_match_above_a_body_match(author, make_post):
    make_post(author, "Cooking pasta", body="A long evening about databases and indexes.")
    make_post(author, "Databases for beginners", body="How tables and rows work.")
    make_post(author, "Gardening", body="Nothing to see.")
    assert titles(Post.objects.public().search("databases")) == ["Databases for beginners", "Cooking pasta"]


def test_it_ranks_by_relevance_not_by_date(author, make_post):
    make_post(
        author, "Postgres tuning", body="Postgres settings.", published_at=timezone.now() - timedelta(days=30)
    )
    make_post(author, "Newer note", body="Mentions postgres once.")
    assert titles(Post.objects.public().search("postgres"))[0] == "Postgres tuning"


def test_it_highlights_the_matches_in_a_snippet(author, make_post):
    make_post(author, "Notes", body="Start of the post. Indexes make a database fast when used well.")
    [post] = add_snippets(Post.objects.public().search("database"), "database")
    assert "<mark>database</mark>" in post.snippet
    assert tags_in(post.snippet) <= {"<mark>", "</mark>"}


def test_it_escapes_everything_but_its_own_marks(author, make_post):
    body = "Write `<b>bold</b>` & <i>italics</i> in your database <script>alert(1)</script> posts."
    make_post(author, "Markup", body=body)
    [post] = add_snippets(Post.objects.public().search("database"), "database")
    assert tags_in(post.snippet) == {"<mark>", "</mark>"}
    assert "&lt;b&gt;bold&lt;/b&gt;" in post.snippet
    assert "&amp;" in post.snippet
    assert "alert" not in post.snippet  # the sanitiser dropped the script when the post was saved


def test_it_gives_a_snippet_from_the_start_when_only_the_title_matches(author, make_post):
    make_post(author, "Databases", body="First words of the body come first here.")
    [post] = add_snippets(Post.objects.public().search("databases"), "databases")
    assert "First words" in post.snippet


@pytest.mark.parametrize("status", [Post.Status.DRAFT, Post.Status.REVIEW])
def test_it_never_finds_unpublished_posts(author, make_post, status):
    make_post(author, "Secret database plans", status=status)
    assert not Post.objects.public().search("database").exists()


def test_it_never_finds_scheduled_posts(author, make_post):
    make_post(author, "Future database", published_at=timezone.now() + timedelta(days=1))
    assert not Post.objects.public().search("database").exists()


def test_it_composes_with_visible_to(author, other_author, make_post):
    make_post(author, "My database draft", status=Post.Status.DRAFT)
    make_post(other_author, "Their database draft", status=Post.Status.DRAFT)
    make_post(other_author, "Public database post")
    found = titles(Post.objects.visible_to(author).search("database"))
    assert sorted(found) == ["My database draft", "Public database post"]


def test_it_matches_a_quoted_phrase_only_in_order(author, make_post):
    make_post(author, "In order", body="We use full text search here.")
    make_post(author, "Out of order", body="The text is full of search terms.")
    assert titles(Post.objects.public().search('"full text"')) == ["In order"]


def test_it_matches_the_last_word_as_a_prefix_while_typing(author, make_post):
    make_post(author, "Choosing a database", body="Relational stores.")
    make_post(author, "Elsewhere", body="Nothing related.")
    assert titles(Post.objects.public().search("choosing datab")) == ["Choosing a database"]
    assert titles(Post.objects.public().search("datab")) == ["Choosing a database"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics of the stored vectors")
def test_a_common_whole_word_last_is_not_also_searched_as_a_prefix(author, make_post, monkeypatch):
    for n in range(12):
        make_post(author, f"Zebra {n}", body="Stripes on a zebra.")
    make_post(author, "Stripesque", body="A zebra with a stripesque coat.")  # only the prefix
    monkeypatch.setitem(search._search_index, connection.alias, search.search_index(connection.alias))
    searched = ("zebra stripes", Post.objects.public().search)
    pages = ("zebra stripes", lambda text: SearchResults(text)[0:20])
    for text, find in (searched, pages):
        assert "Stripesque" in titles(find(text))  # no statistics yet: nothing is common

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE posts_post")
    assert 0.9 < search.learn_search_index(connection.alias).common["stripe"] <= 1  # 12 of 13 posts
    assert "stripesqu" not in search.search_index(connection.alias).common
    for text, find in (searched, pages):
        assert "Stripesque" not in titles(find(text))  # "stripes" is a whole, common word
        assert len(titles(find(text))) == 12
    assert "Stripesque" in titles(Post.objects.public().search("zebra stripesq"))  # still typing


needs_search_words = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the blog's search words are kept on PostgreSQL only"
)


def search_words() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM posts_search_word")
        return {word for (word,) in cursor.fetchall()}


@needs_search_words
def test_the_blog_keeps_the_words_of_its_posts_however_they_are_written(author, make_post):
    post = make_post(author, "Glacier notes", body="Turbines hum.", status=Post.Status.DRAFT)
    assert {"glacier", "note", "turbin", "hum"} <= search_words()  # drafts too: they are saved to be found
    post.body = "Windmills turn."
    post.save()
    assert {"windmil", "turn"} <= search_words()
    Post.objects.filter(pk=post.pk).update(search_vector=search.search_vector("Zeppelinish", ""))
    assert "zeppelinish" in search_words()  # a bulk update, as imports and the benchmark's loader make
    assert "turbin" in search_words()  # a word no post holds any more stays: it costs only a prefix


@needs_search_words
def test_a_whole_last_word_no_longer_word_begins_is_not_also_searched_as_a_prefix(author, make_post):
    make_post(author, "Glacier turbine", body="A turbine on a glacier.")
    index = search.search_index(connection.alias)
    assert search.query_parts("glacier turbine", index) == ("glacier turbine", None)
    assert search.query_parts("glacier turb", index) == ("glacier", "turb:*")  # still typing
    assert titles(Post.objects.public().search("glacier turbine")) == ["Glacier turbine"]

    make_post(author, "Glacier turbinelike", body="A turbinelike hum on a glacier.")  # "turbinelik"
    assert search.query_parts("glacier turbine", index) == ("glacier", "turbine:*")  # forgotten on save
    for find in (Post.objects.public().search, lambda text: SearchResults(text)[0:20]):
        assert sorted(titles(find("glacier turbine"))) == ["Glacier turbine", "Glacier turbinelike"]


def test_it_leaves_out_words_with_a_minus(author, make_post):
    make_post(author, "Postgres and MySQL", body="Both.")
    make_post(author, "Postgres only", body="One.")
    assert titles(Post.objects.public().search("postgres -mysql")) == ["Postgres only"]


def test_it_needs_every_word(author, make_post):
    make_post(author, "Django search", body="How to.")
    make_post(author, "Django admin", body="How to.")
    assert titles(Post.objects.public().search("django search")) == ["Django search"]


def test_it_finds_nothing_for_an_empty_query(author, make_post):
    make_post(author, "Anything")
    assert list(Post.objects.public().search("   ")) == []


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_it_survives_odd_queries(author, make_post, query):
    make_post(author, "Plain post", body="Plain words, 100% pure & simple: it's a back\\slash test.")
    list(Post.objects.public().search(query))  # no exception is the point


def test_it_finds_words_with_punctuation_around_them(author, make_post):
    make_post(author, "Percent", body="Growth was 100% this year.")
    assert titles(Post.objects.public().search("100%")) == ["Percent"]


def test_it_cuts_a_long_query_at_a_word():
    query = clean_query("word " * 1000)
    assert len(query) <= MAX_QUERY_LENGTH
    assert query.endswith("word")
    assert clean_query("a\x00b\ttab") == "a b tab"


def test_it_matches_the_words_a_postgres_query_stands_for():
    pattern = stem_pattern("'databas' | 'databas':* & 'queri' & 'o''neil'")
    assert [m.group(0) for m in pattern.finditer("Databases, a database; mydatabase.")] == [
        "Databases",
        "database",
    ]
    assert [m.group(0) for m in pattern.finditer("one query, two queries")] == ["query", "queries"]
    assert pattern.search("O'Neil said")
    assert stem_pattern("") is None


def test_it_makes_a_snippet_from_the_text_around_the_first_match_only():
    body_html = (
        '<p><a href="/tags/database/">a link</a> '
        + "filler " * 300
        + "the <em>Database</em> &amp; &lt;tags&gt; databases"
        + " more" * 300
        + "</p>"
    )
    text = snippet(body_html, stem_pattern("'databas'"))
    assert text.startswith("… ") and text.endswith(" …")
    assert "<mark>Database</mark> &amp; &lt;tags&gt; <mark>databases</mark>" in text
    assert "href" not in text and "link" not in text
    assert tags_in(text) == {"<mark>", "</mark>"}


def test_it_starts_a_snippet_at_the_beginning_when_no_word_matches():
    text = snippet("<h2>First</h2><p>words &amp; more</p>", stem_pattern("'zebra'"))
    assert text == "First words &amp; more"


def test_it_looks_for_a_snippets_words_cheaply_before_reading_the_body_with_its_regex():
    pattern = stem_pattern("'databas' | 'queri'")
    assert pattern.first_possible("<p>" + "filler " * 2000 + "</p>") == -1  # a title-only match
    assert pattern.first_possible("<p>Two QUERIES and a database</p>") == len("<p>Two ")
    in_a_tag = '<a href="/database/">x</a> ' + "filler " * 200 + "Databases"
    assert "<mark>Databases</mark>" in snippet(in_a_tag, pattern)  # the first place was in a tag
    lowered_longer = "<p>İstanbul " + "filler " * 200 + "the DATABASE</p>"  # İ lowercases to two
    assert pattern.first_possible(lowered_longer) == 0
    assert snippet(lowered_longer, pattern).startswith("… ")
    assert "<mark>DATABASE</mark>" in snippet(lowered_longer, pattern)


@pytest.mark.parametrize("at", [0, 4000, 4090, 4094, 4096, 9000])
def test_it_finds_the_first_place_wherever_it_is_in_a_long_body(at):
    """The body is lowercased a block at a time; a word across two blocks is found in the first."""
    pattern = stem_pattern("'databas' | 'queri'")
    body = "x" * at + "DataBase " + "x" * 5000 + " queries"
    assert pattern.first_possible(body) == at
    assert pattern.first_possible(body, at + 1) == at + len("DataBase ") + 5001


def test_a_snippet_shows_a_match_in_the_text_past_one_that_was_only_in_the_markup():
    """A search for "quote" looks for the stem "quot", which the HTML's ``&quot;`` holds too."""
    body_html = "<p>She said &quot;later&quot;.</p><p>" + "filler words " * 60 + "</p><p>A quote, then.</p>"
    text = snippet(body_html, stem_pattern("'quot'"))
    assert "<mark>quote</mark>, then." in text


def test_a_snippet_reads_further_when_the_html_after_a_match_is_mostly_markup():
    link = '<a href="https://example.com/' + "x" * 180 + '">word</a> '
    body_html = "<p>" + "filler " * 100 + "the database " + link * 6 + "and more " * 100 + "</p>"
    text = snippet(body_html, stem_pattern("'databas'"))
    assert "<mark>database</mark> word word word word word word and more" in text
    assert text.startswith("… ") and text.endswith(" …")


def test_it_builds_safe_snippets_in_python():
    body_html = (
        "<p>" + "filler " * 60 + "the <em>Database</em> &amp; &lt;tags&gt; database" + " more" * 60 + "</p>"
    )
    snippet = fallback_snippet(body_html, ["database"])
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert snippet.count("<mark>") == 2
    assert "<mark>Database</mark> &amp; &lt;tags&gt; <mark>database</mark>" in snippet


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored vector exists on PostgreSQL only")
def test_it_keeps_the_stored_vector_up_to_date(author, make_post):
    post = make_post(author, "Old title", body="Old body.")
    post.title = "Brand new title"
    post.body = "Fresh words."
    post.save()
    assert titles(Post.objects.public().search("fresh")) == ["Brand new title"]
    assert not Post.objects.public().search("old").exists()
    post.title = "Renamed"
    post.save(update_fields=["title"])
    assert titles(Post.objects.public().search("renamed")) == ["Renamed"]


# The page


def test_the_page_shows_ranked_results_with_snippets(client, author, make_post):
    make_post(author, "About indexes", body="Indexes in a database speed up reads.")
    response = client.get("/search/", {"q": "database"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "1 post found for “database”" in content
    assert "<mark>database</mark>" in content
    assert '<meta name="robots" content="noindex, follow">' in content


def test_the_page_says_when_nothing_was_found(client, author, make_post):
    make_post(author, "Hello")
    content = client.get("/search/", {"q": "zebra"}).content.decode()
    assert "No posts found for “zebra”" in content


def test_the_page_asks_for_words_when_the_query_is_empty(client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert "Type a word or two" in response.content.decode()


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_the_page_answers_odd_queries_clearly(client, author, make_post, query):
    make_post(author, "Plain post", body="Plain words.")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert b"Search" in response.content


def test_the_page_says_when_it_shortened_the_query(client):
    content = client.get("/search/", {"q": "x" * 10_000}).content.decode()
    assert "searched its first 200 characters" in content


def test_the_page_never_shows_drafts(client, author, make_post):
    make_post(author, "Draft about zebras", status=Post.Status.DRAFT)
    content = client.get("/search/", {"q": "zebras"}).content.decode()
    assert "Draft about zebras" not in content


def test_the_page_paginates_and_keeps_the_query(client, author, make_post):
    for n in range(12):
        make_post(author, f"Zebra {n}", body="Stripes.")
    content = client.get("/search/", {"q": "zebra"}).content.decode()
    assert "12 posts found" in content
    assert content.count('class="card"') == 10
    assert 'href="?q=zebra&amp;page=2"' in content
    second = client.get("/search/", {"q": "zebra", "page": 2}).content.decode()
    assert second.count('class="card"') == 2


def test_the_page_runs_the_same_queries_for_one_hit_or_many(
    client, author, other_author, make_post, django_assert_num_queries
):
    make_post(author, "Zebra one", body="Stripes.", tags=["animals"])
    # 1 count, 1 page of posts with their authors and (on PostgreSQL) their tags; elsewhere 1 for the tags
    queries = 2 if connection.vendor == "postgresql" else 3
    # On PostgreSQL a process's first search for a last word also asks whether the blog has
    # longer words that begin with it (search.has_longer_words); a save makes it ask again.
    asks_words = connection.vendor == "postgresql"
    with django_assert_num_queries(queries + asks_words):
        client.get("/search/", {"q": "zebra"})
    with django_assert_num_queries(queries):
        client.get("/search/", {"q": "zebra"})
    writers = [make_user(f"writer{n}", role="author") for n in range(5)]
    for n in range(14):
        make_post(writers[n % 5], f"Zebra {n}", body="Stripes.", tags=["animals", f"tag{n}"])
    with django_assert_num_queries(queries + asks_words):
        client.get("/search/", {"q": "zebra"})
    with django_assert_num_queries(queries):
        response = client.get("/search/", {"q": "zebra"})
    assert response.content.decode().count('class="card"') == 10


def test_a_result_shows_a_change_to_its_remembered_title_meta_and_tags_at_once(
    client, author, make_post, settings
):
    """A result's title, meta and tags are remembered (docs/decisions/0103) by all they show;
    its snippet is made for each search."""
    settings.PAGE_CACHE_SECONDS = 0
    post = make_post(author, "Walnut orchards", body="Walnut trees and their keepers.", tags=["trees"])
    client.get("/search/?q=walnut")
    post.title = "Walnut groves"
    post.save()
    author.display_name = "Asha Renamed"
    author.save()
    Tag.objects.filter(slug="trees").update(name="Woods")
    html = client.get("/search/?q=walnut").content.decode()
    assert "Walnut groves" in html and "Walnut orchards" not in html
    assert "Asha Renamed" in html and "#Woods" in html
    assert "<mark>keepers</mark>" in client.get("/search/?q=keepers").content.decode()

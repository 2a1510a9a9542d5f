"""The search page's count and results are read with written-out SQL on PostgreSQL
(posts/cards.py, SearchResults): they find the posts Post.objects.public().search() finds, in
its order, with the same snippets; elsewhere they come from it."""

from datetime import timedelta

import pytest
from django.contrib.postgres.search import SearchRank
from django.db import connection
from django.db.models import F, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from posts import search
from posts.cards import SearchResults
from posts.models import Post

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's full-text search")

QUERIES = [
    "zebra",
    "zebra str",
    "zebras stripes",
    '"zebra crossing"',
    "zebra -road",
    "zebra or lion",
    "zeb",
    "none",
    *("zebra's", "'zebra':* & !b | (c", '"zebra', "zebra-lion", "the"),  # odd ones
]


@pytest.fixture
def zoo(author, other_author, make_post):
    """Posts about zebras, some at the same second, among drafts, pages and scheduled posts."""
    at = timezone.now() - timedelta(days=1)
    bodies = [
        "A zebra on the road.",
        "Stripes and stripes: a zebra, another zebra.",
        "The lion watched a zebra crossing.",
        "Nothing about it here, but the title.",
        "A zebra & a <b>lion</b>.",
    ]
    for n in range(12):
        writer = author if n % 2 else other_author
        title = "Zebra crossing" if n % 4 == 0 else f"Savannah {n}"
        make_post(
            writer, title, body=bodies[n % 5], published_at=at - timedelta(hours=n // 3), tags=[f"t{n % 3}"]
        )
    make_post(author, "Zebra draft", status=Post.Status.DRAFT, published_at=at)
    make_post(author, "Zebra later", published_at=timezone.now() + timedelta(days=1))
    page = make_post(author, "Zebra page", published_at=at)
    page.is_page = True
    page.save()


def expected_page(text, start, stop):
    return search.add_snippets(Post.objects.public().search(text)[start:stop], text)


@pytest.mark.parametrize("ranked_by_rum", [True, False], ids=["rum", "ts_rank"])
def test_results_are_the_public_search_in_its_order_page_by_page(zoo, ranked_by_rum, monkeypatch):
    if (
        connection.vendor == "postgresql"
        and ranked_by_rum
        and not search.ranks_by_rum_index(connection.alias)
    ):
        pytest.skip("This PostgreSQL server has no RUM index.")
    monkeypatch.setattr(search, "ranks_by_rum_index", lambda using: ranked_by_rum)
    for text in QUERIES:
        results = SearchResults(text)
        found = Post.objects.public().search(text)
        assert results.count() == found.count()
        for start in range(0, 12, 5):
            cards, posts = results[start : start + 5], expected_page(text, start, start + 5)
            assert [card.pk for card in cards] == [post.pk for post in posts], text
            for card, post in zip(cards, posts, strict=True):
                assert card.snippet == post.snippet
                assert (card.title, card.summary, card.published_at) == (
                    post.title,
                    post.summary,
                    post.published_at,
                )
                assert (card.reading_time_minutes, card.author.name) == (
                    post.reading_time_minutes,
                    post.author.name,
                )
                assert card.get_absolute_url() == post.get_absolute_url()
                assert card.author.get_absolute_url() == post.author.get_absolute_url()
                assert card.tags == list(post.tags.order_by("name").values_list("name", "slug"))


def test_it_counts_at_most_max_counted_and_says_there_were_more(zoo, monkeypatch):
    monkeypatch.setattr(search, "MAX_COUNTED", 4)
    results = SearchResults("zebra")
    assert (results.count(), results.more) == (4, True)
    assert len(results[0:10]) == 4
    monkeypatch.setattr(search, "MAX_COUNTED", 100)
    results = SearchResults("zebra")
    assert (results.count(), results.more) == (Post.objects.public().search("zebra").count(), False)


def test_an_empty_query_or_page_asks_the_database_nothing(zoo, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert SearchResults("  ").count() == 0
        assert SearchResults(" ")[0:10] == []


@postgres_only
@pytest.mark.parametrize("text", [*QUERIES, "notifier second", "a:* & !b | (c", "'; --", '"open', "x-y z_"])
def test_the_written_out_query_is_the_one_the_orm_builds(author, make_post, text):
    post = make_post(author, "Any post")
    sql, params = search.postgres_query_sql(text)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({sql})::text", params)
        written = cursor.fetchone()[0]
    built = Post.objects.filter(pk=post.pk).values_list(
        Cast(search.postgres_query(text), TextField()), flat=True
    )
    assert written == built.get()


@postgres_only
def test_a_page_ranked_by_the_rum_index_is_never_prepared(zoo):
    """Equal matches come in the order of the plan that read them: a prepared statement moving to
    a generic plan could show a post on two pages of one search (docs/decisions/0091)."""
    if not search.ranks_by_rum_index(connection.alias):
        pytest.skip("This PostgreSQL server has no RUM index.")
    if connection.settings_dict["OPTIONS"].get("prepare_threshold") is None:
        pytest.skip("Prepared statements are off (DATABASE_PREPARED_STATEMENTS=false).")
    first = [card.pk for card in SearchResults("zebra")[0:5]]
    for _ in range(10):
        assert [card.pk for card in SearchResults("zebra")[0:5]] == first
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("count(*)" in statement for statement in prepared)  # the search's count is
    assert not any("<=>" in statement for statement in prepared)


@postgres_only
def test_a_query_of_common_words_ranks_its_newest_matches(zoo, monkeypatch, client):
    """A query likely to match a tenth of the posts or more (docs/decisions/0098): its newest
    MAX_COUNTED matches are the ones counted and ranked, best first, so a word in most posts of a
    large blog does not make the database rank all of them."""
    monkeypatch.setattr(search, "MAX_COUNTED", 4)
    rum = search.ranks_by_rum_index(connection.alias)  # as this server has it
    monkeypatch.setitem(search._search_index, connection.alias, search.SearchIndex(rum=rum, common={}))
    assert not SearchResults("zebra").newest

    monkeypatch.setitem(
        search._search_index, connection.alias, search.SearchIndex(rum=rum, common={"zebra": 0.9})
    )
    results = SearchResults("zebra")
    assert results.newest and (results.count(), results.more) == (4, True)
    query = search.postgres_query("zebra")
    newest = Post.objects.public().filter(search_vector=query).order_by("-published_at", "-id")[:4]
    ranked = (
        Post.objects.filter(pk__in=[post.pk for post in newest])
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "-published_at", "-id")
    )
    assert [card.pk for card in results[0:4]] == [post.pk for post in ranked]
    assert [card.pk for card in results[2:4]] == [post.pk for post in ranked][2:4]
    assert [post.pk for post in ranked] != [post.pk for post in newest]  # ranked, not in date order

    page = client.get("/search/", {"q": "zebra"}).content.decode()
    assert "More than 4 posts found for “zebra”: the newest 4 are shown, best match first" in page


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("zebra", 0.9),
        ("Zebra, stripes", 0.9 * 0.5),
        ("zebra lion", 0.0),  # "lion" is not common
        ('"zebra stripes"', 0.0),  # a phrase: rarer than its words
        ("zebra -stripes", 0.0),  # a left-out word: as rare as it is common
        ("zebra or stripes", 0.0),
        ("the", 0.0),  # not a stem the posts hold
    ],
)
def test_a_querys_likely_share_is_that_of_its_common_words(text, share):
    common = {"zebra": 0.9, "stripe": 0.5}
    assert search.likely_share(text, common) == pytest.approx(share)
    assert search.ranks_newest_matches(text, common) == (share >= search.COMMON_SHARE)

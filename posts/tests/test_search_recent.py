"""The newest posts' own search index (docs/decisions/0099): a blog with more than twice
search.RECENT_POSTS posts indexes its newest RECENT_POSTS again, and a search with more than
MAX_COUNTED matches among them ranks those, saying since when; fewer, and every post is searched."""

import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.template.defaultfilters import date
from django.utils import timezone

from blogsite.database import PLANNED_EACH_RUN
from posts import cards, search
from posts.cards import SearchResults
from posts.models import Post

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's full-text search"),
]


@pytest.fixture
def small_window(monkeypatch):
    """Three posts in the recent index, two matches counted: the rules at a size a test can make."""
    monkeypatch.setattr(search, "RECENT_POSTS", 3)
    monkeypatch.setattr(search, "MAX_COUNTED", 2)
    monkeypatch.setattr(search, "_search_index", {})  # what is learned here is forgotten after


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def recent_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef, obj_description(to_regclass(indexname), 'pg_class') FROM pg_indexes "
            "WHERE indexname = %s",
            [search.RECENT_INDEX],
        )
        return cursor.fetchone()


def test_a_blog_of_up_to_twice_the_window_has_no_recent_index(small_window, author, make_post):
    for n in range(6):
        make_post(author, f"Zebra {n}", published_at=days_ago(n + 1))
    assert search.renew_recent_index(connection.alias) is None
    assert recent_index() is None
    assert search.learn_search_index(connection.alias).recent_since is None


def test_a_larger_blog_indexes_its_newest_posts_and_renews_it_when_twice_as_many_came(
    small_window, author, make_post
):
    for n in range(7):
        make_post(author, f"Zebra {n}", published_at=days_ago(20 - n))
    since = search.renew_recent_index(connection.alias)
    fourth_newest = days_ago(20 - 3)
    assert abs(since - fourth_newest) < timedelta(seconds=5)  # the three after it are in
    definition, comment = recent_index()
    # PostgreSQL writes the time as it prints one: no trailing zeros in its fraction of a second.
    written = re.search(r"WHERE \(published_at > '([^']+)'::timestamp with time zone\)", definition)
    assert written and datetime.fromisoformat(written[1]) == since
    assert comment == since.isoformat()
    assert search.learn_search_index(connection.alias).recent_since == since

    for n in range(3):  # twice the window since: not yet due
        make_post(author, f"Later {n}", published_at=days_ago(10 - n))
    assert search.renew_recent_index(connection.alias) == since
    make_post(author, "One more", published_at=days_ago(1))
    renewed = search.renew_recent_index(connection.alias)
    assert abs(renewed - days_ago(10)) < timedelta(seconds=5)  # the fourth newest
    assert recent_index()[1] == renewed.isoformat()


def test_learning_that_the_index_is_due_renews_it_in_the_background(small_window, author, make_post):
    for n in range(7):
        make_post(author, f"Zebra {n}", published_at=days_ago(20 - n))
    assert recent_index() is None
    search.learn_search_index(connection.alias)  # the task runs as it is enqueued here
    assert recent_index() is not None


@pytest.fixture
def blog_with_recent_index(small_window, author, make_post):
    """Old posts that match "zebra" best (in their titles), newer ones that match it in their
    bodies only, and a word only an old post has."""
    for n in range(4):
        make_post(author, f"Zebra {n}", body="Zebra, zebra, zebra and a lion.", published_at=days_ago(30 + n))
    for n in range(4):
        make_post(author, f"News {n}", body=f"A zebra crossed the road ({n}).", published_at=days_ago(4 - n))
    search.renew_recent_index(connection.alias)
    return search.learn_search_index(connection.alias).recent_since


def test_a_search_with_more_matches_than_counted_among_the_newest_ranks_those(blog_with_recent_index, client):
    results = SearchResults("zebra")
    assert results.since == blog_with_recent_index
    assert (results.count(), results.more) == (2, True)
    assert all(card.title.startswith("News") for card in results[0:2])  # not the old, better ones
    page = client.get("/search/", {"q": "zebra"}).content.decode()
    shown = date(timezone.localtime(blog_with_recent_index), "j F Y")
    assert "More than 2 posts found for “zebra”: the best 2 published since <time datetime=" in page
    assert f">{shown}</time> are shown" in page


def test_a_search_with_few_matches_among_the_newest_searches_every_post(blog_with_recent_index):
    results = SearchResults("lion")  # only the old posts say it
    assert results.since is None
    assert (results.count(), results.more) == (2, True)
    assert all(card.title.startswith("Zebra") for card in results[0:2])


def test_a_search_of_every_post_on_a_large_blog_is_ranked_once_in_the_orms_order(
    blog_with_recent_index, author, make_post, django_assert_num_queries
):
    for n in range(1, 4):
        make_post(author, f"Old {n}", body="An owl. " + "Owl, " * n, published_at=days_ago(60 + n))
    expected = [post.pk for post in Post.objects.public().search("owl")]
    assert len(expected) == 3
    with django_assert_num_queries(3):  # among the newest, all ranked, the page
        results = SearchResults("owl")
        assert (results.count(), results.more, results.since) == (2, True, None)
        assert [card.pk for card in results[0:2]] == expected[:2]


def test_the_search_page_reads_a_ranking_of_every_post_with_the_page_asked_for(
    blog_with_recent_index, author, make_post, client, settings, django_assert_num_queries
):
    settings.BLOG_POSTS_PER_PAGE = 1
    for n in range(1, 4):
        make_post(author, f"Old {n}", body="An owl. " + "Owl, " * n, published_at=days_ago(60 + n))
    best = [post.title for post in Post.objects.public().search("owl")][:2]  # two counted
    client.get("/search/", {"q": "owl"})  # a process's first search for a word asks about longer ones
    for number, title in enumerate(best, start=1):
        with django_assert_num_queries(2):  # the count among the newest; every post ranked, with the page
            page = client.get("/search/", {"q": "owl", "page": number}).content.decode()
        assert page.count('class="card"') == 1
        assert f">{title}</a>" in page
    with django_assert_num_queries(3):  # past the last result: ranked, then the last page by id
        page = client.get("/search/", {"q": "owl", "page": 3}).content.decode()
    assert f">{best[-1]}</a>" in page


def test_the_count_among_the_newest_leaves_out_posts_scheduled_for_later(
    blog_with_recent_index, author, make_post
):
    # That count is prepared, with the database's time for the public rule (docs/decisions/0118).
    for n in range(2):
        make_post(author, f"Giraffe {n}", published_at=days_ago(n + 1))
    make_post(author, "Giraffe to come", published_at=timezone.now() + timedelta(days=1))
    results = SearchResults("giraffe")  # two of the newest match: not more than counted
    assert (results.count(), results.more, results.since) == (2, False, None)
    assert sorted(card.title for card in results[0:2]) == ["Giraffe 0", "Giraffe 1"]
    assert PLANNED_EACH_RUN not in cards.SEARCH_RECENT_COUNT_SQL

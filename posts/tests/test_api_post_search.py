from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from posts.models import Post

from .api_helpers import bearer

pytestmark = pytest.mark.django_db


def test_q_puts_title_matches_first_with_highlighted_snippets(client, author, make_post):
    make_post(author, "Cooking notes", body="A word about indexes in passing.")
    make_post(author, "Indexes explained", body="Why indexes pay for themselves.")
    make_post(author, "Gardening", body="Nothing to see.")
    response = client.get("/api/posts?q=indexes")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [post["title"] for post in results] == ["Indexes explained", "Cooking notes"]
    for post in results:
        assert "<mark>" in post["snippet"]
        assert "indexes" in post["snippet"].lower()


def test_q_never_finds_drafts_of_others(client, author, other_author, make_post):
    make_post(author, "Secret indexes", body="indexes", status=Post.Status.DRAFT)
    make_post(author, "Scheduled indexes", body="indexes", published_at=timezone.now() + timedelta(days=1))
    make_post(author, "Public indexes", body="indexes")
    for caller in ({}, bearer(other_author)):
        found = [post["title"] for post in client.get("/api/posts?q=indexes", **caller).json()["results"]]
        assert found == ["Public indexes"]
    mine = client.get("/api/posts?q=indexes&mine=true", **bearer(author)).json()["results"]
    assert len(mine) == 3


def test_search_runs_a_constant_number_of_queries(client, author, make_post):
    for n in range(3):
        make_post(author, f"Indexes {n}", tags=["a"])
    with CaptureQueriesContext(connection) as few:
        client.get("/api/posts?q=indexes")
    for n in range(20):
        make_post(author, f"More indexes {n}", tags=["b"])
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/posts?q=indexes&page_size=50").json()["count"] == 23
    # Each is a first search since a save: on PostgreSQL it also asks whether the blog has longer
    # words that begin with "indexes" (search.has_longer_words).
    assert len(few) == len(many) == 3 + (connection.vendor == "postgresql")

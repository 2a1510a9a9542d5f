"""How PostgreSQL stores a post's body: compressed with LZ4, which it undoes in less time than
its own pglz (posts/migrations/0018, docs/decisions/0105)."""

import pytest
from django.db import DatabaseError, connection, transaction

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's compression of long values"),
]


@pytest.fixture(autouse=True)
def server_with_lz4(db):
    """A server built without LZ4 refuses a column of it: its bodies keep pglz (the migration allows it)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE lz4_here (v text COMPRESSION lz4)")
            cursor.execute("DROP TABLE lz4_here")
    except DatabaseError:
        pytest.skip("this PostgreSQL was built without LZ4")


def compression_of(post, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_column_compression({column}) FROM posts_post WHERE id = %s", [post.pk])
        return cursor.fetchone()[0]


def test_a_long_post_is_stored_compressed_with_lz4(author, make_post):
    body = "\n\n".join(f"Paragraph {n}: the same words of a long post, over and over." for n in range(300))
    post = make_post(author, "A long one", body=body)
    assert compression_of(post, "body") == compression_of(post, "body_html") == "lz4"
    post.refresh_from_db()
    assert post.body == body and "<p>Paragraph 299: the same words" in post.body_html


def test_a_short_post_is_stored_as_it_is(author, make_post):
    post = make_post(author, "A short one", body="Too short to compress.")
    assert compression_of(post, "body_html") is None

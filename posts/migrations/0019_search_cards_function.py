# What a search result shows of a post, read by id in a PL/pgSQL function: the search page's
# statement ranks the page's ids (planned for its words each run, as the RUM index's order of equal
# matches needs, docs/decisions/0091) and hands them to this function, whose statement PostgreSQL
# plans once per connection. Written into the page's statement, the writer and the tags cost
# PostgreSQL some 0.3 ms of planning on every search (docs/decisions/0106). posts/cards.py calls it
# (SEARCH_PAGE_SQL, SEARCH_CARDS_SQL); posts/tests/test_search_sql.py holds its cards to the ORM's
# search. PostgreSQL only: elsewhere the search page reads its cards with the ORM.
#
# The columns are cast to the types declared: PL/pgSQL's RETURN QUERY accepts no other. A card read
# with more or other columns is a new migration that replaces the function.

from django.db import migrations

CREATE = """
CREATE FUNCTION posts_search_cards(ids bigint[])
RETURNS TABLE (
    id bigint, title text, slug text, summary text, reading_time_minutes integer,
    published_at timestamptz, body_html text, tags text[], author_id bigint,
    author_username text, author_display_name text
)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT p.id, p.title::text, p.slug::text, p.summary, p.reading_time_minutes, p.published_at,
        p.body_html,
        ARRAY(
            SELECT ARRAY[t.name, t.slug]::text[] FROM posts_tag t JOIN posts_post_tags pt ON pt.tag_id = t.id
            WHERE pt.post_id = p.id ORDER BY t.name
        ),
        p.author_id, u.username::text, u.display_name::text
    FROM posts_post p JOIN accounts_user u ON u.id = p.author_id
    WHERE p.id = ANY(ids)
    ORDER BY array_position(ids, p.id);
END
$$
"""
DROP = "DROP FUNCTION posts_search_cards(bigint[])"


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("posts", "0018_post_bodies_compressed_with_lz4"),
    ]

    operations = [
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP), elidable=False),
    ]

"""A tag's public list read from its own index: each tag row keeps its post's publication time.

A tag's page picked its posts by walking the posts' date index and looking each one up among
the tag's rows, and a deep page walked that far first: page 600 of a tag on a quarter of 100,000
posts cost PostgreSQL 22 ms, page 1 under one (docs/decisions/0110). Now each row of
``posts_post_tags`` keeps ``listed_at``: its post's ``published_at`` while the post is published
and not a page (as ``ListCount`` counts it), else NULL; and an index on (tag, listed_at, post)
holding the listed rows answers a tag's page alone, and its anchors, as the posts' date index
answers the site's.

Triggers keep it whichever way a post or its tags are written (the editor, the admin, the API,
an import, a bulk update, raw SQL), as they keep the list counts (0014). The column is the
database's own: Django's M2M table is auto-created and knows only its two keys, so a tag added by
``post.tags.add()`` is inserted without it and the trigger fills it in. The list counts' triggers
on the tag rows now fire only when a row changes its post or its tag, not its ``listed_at``.
Written for PostgreSQL and SQLite.
"""

from django.db import migrations

LISTED = "CASE WHEN {row}.status = 'published' AND NOT {row}.is_page THEN {row}.published_at END"
CHANGED = (
    "(OLD.status IS DISTINCT FROM NEW.status OR OLD.is_page IS DISTINCT FROM NEW.is_page "
    "OR OLD.published_at IS DISTINCT FROM NEW.published_at)"
)
INDEX = (
    "CREATE INDEX posts_post_tags_listed ON posts_post_tags (tag_id, listed_at, post_id) "
    "WHERE listed_at IS NOT NULL"
)
FILL = (
    "UPDATE posts_post_tags SET listed_at = "
    f"(SELECT {LISTED.format(row='p')} FROM posts_post p WHERE p.id = posts_post_tags.post_id)"
)

POSTGRESQL = [
    # First, so that filling the column does not count every tagged post out and in again.
    "DROP TRIGGER posts_post_tags_listcount ON posts_post_tags",
    "CREATE TRIGGER posts_post_tags_listcount AFTER INSERT OR DELETE OR UPDATE OF post_id, tag_id "
    "ON posts_post_tags FOR EACH ROW EXECUTE FUNCTION posts_post_tags_listcount()",
    "ALTER TABLE posts_post_tags ADD COLUMN listed_at timestamp with time zone NULL",
    FILL,
    INDEX,
    # A tag row takes its post's time as it is written; FOR SHARE waits for a publish of the
    # same post in another transaction, and then sees it (as the list counts' trigger does).
    f"""
CREATE FUNCTION posts_post_tags_listed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT {LISTED.format(row="p")} INTO NEW.listed_at FROM posts_post p WHERE p.id = NEW.post_id FOR SHARE;
    RETURN NEW;
END $$""",
    f"""
CREATE FUNCTION posts_post_listed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE posts_post_tags SET listed_at = {LISTED.format(row="NEW")} WHERE post_id = NEW.id;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER posts_post_tags_listed BEFORE INSERT OR UPDATE OF post_id ON posts_post_tags "
    "FOR EACH ROW EXECUTE FUNCTION posts_post_tags_listed()",
    "CREATE TRIGGER posts_post_listed AFTER UPDATE OF status, is_page, published_at ON posts_post "
    f"FOR EACH ROW WHEN {CHANGED} EXECUTE FUNCTION posts_post_listed()",
]

POSTGRESQL_REVERSE = [
    "DROP TRIGGER posts_post_tags_listcount ON posts_post_tags",
    "CREATE TRIGGER posts_post_tags_listcount AFTER INSERT OR UPDATE OR DELETE ON posts_post_tags "
    "FOR EACH ROW EXECUTE FUNCTION posts_post_tags_listcount()",
    "DROP TRIGGER posts_post_listed ON posts_post",
    "DROP TRIGGER posts_post_tags_listed ON posts_post_tags",
    "DROP FUNCTION posts_post_listed()",
    "DROP FUNCTION posts_post_tags_listed()",
    "DROP INDEX posts_post_tags_listed",
    "ALTER TABLE posts_post_tags DROP COLUMN listed_at",
]

# SQLite's triggers cannot set the row being written: an inserted tag row is updated after.
_FILL_ROW = f"""UPDATE posts_post_tags SET listed_at = (
    SELECT {LISTED.format(row="p")} FROM posts_post p WHERE p.id = NEW.post_id
) WHERE id = NEW.id;"""
# 0014's triggers on the tag rows, as they were and as they are now (on a change of post or tag).
_LISTCOUNT_ON_UPDATE = ("posts_post_tags_listcount_leave", "OLD", -1), ("posts_post_tags_listcount_join", "NEW", 1)


def _sqlite_listcount(name: str, row: str, delta: int, columns: str) -> str:
    counted = f"EXISTS (SELECT 1 FROM posts_post WHERE id = {row}.post_id AND status = 'published' AND NOT is_page)"
    key = f"SELECT 'tag-' || {row}.tag_id || '-posts' AS key"
    make = f"INSERT OR IGNORE INTO posts_listcount (key, published) SELECT key, 0 FROM ({key});"
    add = f"UPDATE posts_listcount SET published = published + ({delta}) WHERE key IN (SELECT key FROM ({key}));"
    body = f"{make}\n{add}" if delta > 0 else add
    return f"CREATE TRIGGER {name} AFTER UPDATE{columns} ON posts_post_tags WHEN {counted} BEGIN {body} END"


SQLITE = [
    *(f"DROP TRIGGER {name}" for name, _row, _delta in _LISTCOUNT_ON_UPDATE),
    *(_sqlite_listcount(*trigger, " OF post_id, tag_id") for trigger in _LISTCOUNT_ON_UPDATE),
    "ALTER TABLE posts_post_tags ADD COLUMN listed_at datetime NULL",
    FILL,
    INDEX,
    f"CREATE TRIGGER posts_post_tags_listed AFTER INSERT ON posts_post_tags BEGIN {_FILL_ROW} END",
    f"CREATE TRIGGER posts_post_tags_moved AFTER UPDATE OF post_id ON posts_post_tags BEGIN {_FILL_ROW} END",
    f"""CREATE TRIGGER posts_post_listed AFTER UPDATE OF status, is_page, published_at ON posts_post
WHEN {CHANGED.replace("IS DISTINCT FROM", "IS NOT")} BEGIN
    UPDATE posts_post_tags SET listed_at = {LISTED.format(row="NEW")} WHERE post_id = NEW.id;
END""",
]

SQLITE_REVERSE = [
    *(f"DROP TRIGGER {name}" for name, _row, _delta in _LISTCOUNT_ON_UPDATE),
    *(_sqlite_listcount(*trigger, "") for trigger in _LISTCOUNT_ON_UPDATE),
    "DROP TRIGGER posts_post_listed",
    "DROP TRIGGER posts_post_tags_moved",
    "DROP TRIGGER posts_post_tags_listed",
    "DROP INDEX posts_post_tags_listed",
    "ALTER TABLE posts_post_tags DROP COLUMN listed_at",
]


def run(statements):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"Tag lists are kept by triggers written for PostgreSQL and SQLite, not {vendor}.")
        for sql in statements[vendor]:
            schema_editor.execute(sql, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0020_search_words"),
    ]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
            elidable=False,
        ),
    ]

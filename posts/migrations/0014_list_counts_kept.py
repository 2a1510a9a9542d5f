"""Each public list's count of published posts, kept by the database itself (ListCount).

Triggers on posts and on their tags add or take one from the lists a post joins or leaves
(the site's, its writer's, each of its tags'), so every write path keeps the counts exact:
the models, the admin, bulk updates and raw SQL alike. Written for PostgreSQL and SQLite.
"""

from django.db import migrations, models

COUNTED = "{row}.status = 'published' AND NOT {row}.is_page"
CHANGED = "(OLD.status IS DISTINCT FROM NEW.status OR OLD.is_page IS DISTINCT FROM NEW.is_page OR OLD.author_id IS DISTINCT FROM NEW.author_id)"


def keys(row):
    """The keys of the lists a post row belongs to, as a SELECT."""
    return (
        f"SELECT 'posts' AS key UNION ALL SELECT 'author-' || {row}.author_id || '-posts' "
        f"UNION ALL SELECT 'tag-' || tag_id || '-posts' FROM posts_post_tags WHERE post_id = {row}.id"
    )


FILL = f"""
INSERT INTO posts_listcount (key, published)
SELECT 'posts', COUNT(*) FROM posts_post p WHERE {COUNTED.format(row='p')}
UNION ALL
SELECT 'author-' || p.author_id || '-posts', COUNT(*) FROM posts_post p WHERE {COUNTED.format(row='p')}
GROUP BY p.author_id
UNION ALL
SELECT 'tag-' || t.tag_id || '-posts', COUNT(*) FROM posts_post_tags t JOIN posts_post p ON p.id = t.post_id
WHERE {COUNTED.format(row='p')} GROUP BY t.tag_id
"""

POSTGRESQL = [
    # One change of counts at a time: two writers adding to the same lists in opposite orders
    # would deadlock. A list's first post makes its row.
    f"""
CREATE FUNCTION posts_listcount_add(list_keys text[], delta integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(160066);
    IF delta > 0 THEN
        INSERT INTO posts_listcount (key, published) SELECT k, delta FROM unnest(list_keys) AS k
        ON CONFLICT (key) DO UPDATE SET published = posts_listcount.published + EXCLUDED.published;
    ELSE
        UPDATE posts_listcount SET published = published + delta WHERE key = ANY(list_keys);
    END IF;
END $$""",
    f"""
CREATE FUNCTION posts_post_listcount() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF {COUNTED.format(row="OLD")} THEN
            PERFORM posts_listcount_add(ARRAY({keys("OLD")}), -1);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF {COUNTED.format(row="NEW")} THEN
            PERFORM posts_listcount_add(ARRAY({keys("NEW")}), 1);
        END IF;
    END IF;
    RETURN NULL;
END $$""",
    # A tag joins or leaves a post: its list changes if the post is counted. FOR SHARE waits for
    # a publish of the same post in another transaction, and then sees it.
    """
CREATE FUNCTION posts_post_tags_listcount() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM 1 FROM posts_post WHERE id = OLD.post_id AND status = 'published' AND NOT is_page FOR SHARE;
        IF FOUND THEN
            PERFORM posts_listcount_add(ARRAY['tag-' || OLD.tag_id || '-posts'], -1);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM 1 FROM posts_post WHERE id = NEW.post_id AND status = 'published' AND NOT is_page FOR SHARE;
        IF FOUND THEN
            PERFORM posts_listcount_add(ARRAY['tag-' || NEW.tag_id || '-posts'], 1);
        END IF;
    END IF;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER posts_post_listcount AFTER INSERT OR DELETE ON posts_post "
    "FOR EACH ROW EXECUTE FUNCTION posts_post_listcount()",
    "CREATE TRIGGER posts_post_listcount_update AFTER UPDATE OF status, is_page, author_id ON posts_post "
    f"FOR EACH ROW WHEN {CHANGED} EXECUTE FUNCTION posts_post_listcount()",
    "CREATE TRIGGER posts_post_tags_listcount AFTER INSERT OR UPDATE OR DELETE ON posts_post_tags "
    "FOR EACH ROW EXECUTE FUNCTION posts_post_tags_listcount()",
]

POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS posts_post_tags_listcount ON posts_post_tags",
    "DROP TRIGGER IF EXISTS posts_post_listcount_update ON posts_post",
    "DROP TRIGGER IF EXISTS posts_post_listcount ON posts_post",
    "DROP FUNCTION IF EXISTS posts_post_tags_listcount()",
    "DROP FUNCTION IF EXISTS posts_post_listcount()",
    "DROP FUNCTION IF EXISTS posts_listcount_add(text[], integer)",
]


def sqlite_add(select_keys, delta):
    """SQLite's trigger bodies: make the lists' rows if missing, then add ``delta``."""
    make = f"INSERT OR IGNORE INTO posts_listcount (key, published) SELECT key, 0 FROM ({select_keys});"
    add = f"UPDATE posts_listcount SET published = published + ({delta}) WHERE key IN (SELECT key FROM ({select_keys}));"
    return f"{make}\n{add}" if delta > 0 else add


SQLITE_CHANGED = CHANGED.replace("IS DISTINCT FROM", "IS NOT")
TAG_COUNTED = "EXISTS (SELECT 1 FROM posts_post WHERE id = {row}.post_id AND status = 'published' AND NOT is_page)"
TAG_KEY = "SELECT 'tag-' || {row}.tag_id || '-posts' AS key"

SQLITE = [
    f"""CREATE TRIGGER posts_post_listcount_insert AFTER INSERT ON posts_post
WHEN {COUNTED.format(row="NEW")} BEGIN {sqlite_add(keys("NEW"), 1)} END""",
    f"""CREATE TRIGGER posts_post_listcount_delete AFTER DELETE ON posts_post
WHEN {COUNTED.format(row="OLD")} BEGIN {sqlite_add(keys("OLD"), -1)} END""",
    f"""CREATE TRIGGER posts_post_listcount_leave AFTER UPDATE OF status, is_page, author_id ON posts_post
WHEN {COUNTED.format(row="OLD")} AND {SQLITE_CHANGED} BEGIN {sqlite_add(keys("OLD"), -1)} END""",
    f"""CREATE TRIGGER posts_post_listcount_join AFTER UPDATE OF status, is_page, author_id ON posts_post
WHEN {COUNTED.format(row="NEW")} AND {SQLITE_CHANGED} BEGIN {sqlite_add(keys("NEW"), 1)} END""",
    f"""CREATE TRIGGER posts_post_tags_listcount_insert AFTER INSERT ON posts_post_tags
WHEN {TAG_COUNTED.format(row="NEW")} BEGIN {sqlite_add(TAG_KEY.format(row="NEW"), 1)} END""",
    f"""CREATE TRIGGER posts_post_tags_listcount_delete AFTER DELETE ON posts_post_tags
WHEN {TAG_COUNTED.format(row="OLD")} BEGIN {sqlite_add(TAG_KEY.format(row="OLD"), -1)} END""",
    f"""CREATE TRIGGER posts_post_tags_listcount_leave AFTER UPDATE ON posts_post_tags
WHEN {TAG_COUNTED.format(row="OLD")} BEGIN {sqlite_add(TAG_KEY.format(row="OLD"), -1)} END""",
    f"""CREATE TRIGGER posts_post_tags_listcount_join AFTER UPDATE ON posts_post_tags
WHEN {TAG_COUNTED.format(row="NEW")} BEGIN {sqlite_add(TAG_KEY.format(row="NEW"), 1)} END""",
]

SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "posts_post_listcount_insert",
        "posts_post_listcount_delete",
        "posts_post_listcount_leave",
        "posts_post_listcount_join",
        "posts_post_tags_listcount_insert",
        "posts_post_tags_listcount_delete",
        "posts_post_tags_listcount_leave",
        "posts_post_tags_listcount_join",
    )
]


def run(statements):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"List counts are kept by triggers written for PostgreSQL and SQLite, not {vendor}.")
        for sql in statements[vendor]:
            schema_editor.execute(sql, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0013_provisional_slugs_for_hidden_posts"),
    ]

    operations = [
        migrations.CreateModel(
            name="ListCount",
            fields=[
                ("key", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("published", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(
            run({"postgresql": [*POSTGRESQL, FILL], "sqlite": [*SQLITE, FILL]}),
            run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]

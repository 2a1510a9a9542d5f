# A post's body and its HTML compressed with LZ4 instead of PostgreSQL's own pglz, where the
# server was built with it (PostgreSQL 14 or later; Debian's is): a search result page reads ten
# bodies of some 15 KB and a post page one, and PostgreSQL spends about 30 µs less a body
# undoing LZ4 than pglz (docs/decisions/0105-post-bodies-compressed-with-lz4.md).
#
# Only the catalogue changes: bodies written from now on are compressed with LZ4, and the ones
# stored keep pglz until their post is saved again (or the database is restored with pg_restore).
# Rewriting every post here would add a new entry to each of the posts' indexes, the search
# indexes too, for every post, while the table is locked. PostgreSQL only.

from django.db import migrations

COLUMNS = ("body", "body_html")


def compress_with(method):
    def alter(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        columns = ", ".join(f"ALTER COLUMN {column} SET COMPRESSION {method}" for column in COLUMNS)
        # A server built without LZ4 refuses it (feature_not_supported): its bodies keep pglz.
        schema_editor.execute(
            f"DO $$ BEGIN ALTER TABLE posts_post {columns}; "
            "EXCEPTION WHEN feature_not_supported THEN NULL; END $$"
        )

    return alter


class Migration(migrations.Migration):

    dependencies = [
        ("posts", "0017_recent_search_index"),
    ]

    operations = [
        migrations.RunPython(compress_with("lz4"), compress_with("pglz"), elidable=False),
    ]

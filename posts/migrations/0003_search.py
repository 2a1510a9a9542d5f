# Full-text search: a stored search vector per post (title weighted A, body B).
#
# On PostgreSQL the vector is filled in for existing posts and GIN-indexed here. The index
# is made with SQL on PostgreSQL only, not declared in Post.Meta, because SQLite (used in
# development and tests) cannot build a GIN index and rebuilds tables from Meta.indexes.

import django.contrib.postgres.search
from django.db import migrations

INDEX = "post_search_idx"
# The same vector Post.save() computes (posts/search.py: search_vector).
FILL = """
UPDATE posts_post SET search_vector =
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(body_html, '')), 'B')
"""


def index_and_fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL)
        schema_editor.execute(f"CREATE INDEX {INDEX} ON posts_post USING gin (search_vector)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('posts', '0002_revisions'),
    ]

    operations = [
        migrations.AddField(
            model_name='post',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(index_and_fill, drop_index, elidable=False),
    ]

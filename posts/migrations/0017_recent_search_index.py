# The newest posts' own search index, for a blog with more than twice search.RECENT_POSTS posts:
# a search with more than search.MAX_COUNTED matches among them ranks those, not every match
# (docs/decisions/0099). Made here for a blog that is already that large; renewed in the
# background as posts come (posts/search.py: renew_recent_index). PostgreSQL only.

from django.db import migrations

INDEX = "post_search_recent_idx"  # posts/search.py: RECENT_INDEX


def recent_index(apps, schema_editor):
    from posts import search  # the one rule for when and how it is made

    search.renew_recent_index(schema_editor.connection.alias)


def drop_recent_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("posts", "0016_search_ranked_by_rum_index"),
    ]

    operations = [
        migrations.RunPython(recent_index, drop_recent_index, elidable=False),
    ]

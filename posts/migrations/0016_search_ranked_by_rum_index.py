# Search results ranked by an index: where the PostgreSQL server has the RUM extension
# (Debian: postgresql-15-rum), a RUM index on the search vector hands matches over best
# first, so a page of results reads its ten posts instead of ranking every match
# (docs/decisions/0070-search-ranked-by-a-rum-index.md).
#
# CREATE EXTENSION rum needs a superuser: where the migrating user is not one, a superuser
# runs it once and the migration is run again (README, Search). Without the extension this
# does nothing and search keeps ranking through the GIN index of 0003. PostgreSQL only.

import logging

from django.db import DatabaseError, migrations, transaction

INDEX = "post_search_rum_idx"  # posts/search.py: RUM_INDEX
logger = logging.getLogger(__name__)


def rum_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT installed_version FROM pg_available_extensions WHERE name = 'rum'")
        row = cursor.fetchone()
    if row is None:
        logger.warning("PostgreSQL has no RUM extension: search ranks through the GIN index.")
        return
    if row[0] is None:
        try:
            with transaction.atomic(using=connection.alias):
                schema_editor.execute("CREATE EXTENSION IF NOT EXISTS rum")
        except DatabaseError:
            logger.warning("Only a superuser may run CREATE EXTENSION rum: search ranks through GIN.")
            return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON posts_post USING rum (search_vector rum_tsvector_ops)"
    )


def drop_rum_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('posts', '0015_public_list_indexes'),
    ]

    operations = [
        migrations.RunPython(rum_index, drop_rum_index, elidable=False),
    ]

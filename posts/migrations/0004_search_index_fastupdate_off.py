# Posts are written rarely and searched often: let the GIN search index take each post's
# words straight away instead of through its pending list, which the planner prices so
# high (until a vacuum empties it) that it scans the whole table instead. PostgreSQL only.

from django.db import migrations


def fastupdate_off(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER INDEX post_search_idx SET (fastupdate = off)")


def fastupdate_on(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER INDEX post_search_idx RESET (fastupdate)")


class Migration(migrations.Migration):

    dependencies = [
        ('posts', '0003_search'),
    ]

    operations = [
        migrations.RunPython(fastupdate_off, fastupdate_on, elidable=False),
    ]

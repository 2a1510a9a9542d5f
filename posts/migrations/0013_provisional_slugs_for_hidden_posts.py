"""Posts that never went public get a provisional slug (``title--k3x9q2``), as new ones do.

Before, a draft's slug was numbered against every post (``title-2``), so a writer could learn
that someone else's hidden draft held ``title`` (issue 13, finding 9; docs/decisions/0021).
"""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string

TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


def make_provisional(apps, schema_editor):
    Post = apps.get_model("posts", "Post")
    never_out = Post.objects.exclude(status="published").filter(
        Q(published_at__isnull=True) | Q(published_at__gt=timezone.now())
    )
    for pk, slug in never_out.exclude(slug__contains="--").values_list("pk", "slug"):
        token = get_random_string(6, TOKEN_CHARS)
        Post.objects.filter(pk=pk).update(slug=f"{slug[:210].strip('-') or 'post'}--{token}")


class Migration(migrations.Migration):
    dependencies = [("posts", "0012_who_made_each_tag")]

    operations = [migrations.RunPython(make_provisional, migrations.RunPython.noop, elidable=True)]

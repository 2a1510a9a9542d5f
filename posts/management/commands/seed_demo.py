from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from posts.models import Post, Tag

DEMO_PASSWORD = "blogsite-demo"

WRITERS = [
    ("admin", "Site Admin", Role.ADMIN, "Keeps the lights on."),
    ("edith", "Edith Editor", Role.EDITOR, "Reads everything twice before it goes out."),
    ("asha", "Asha Rao", Role.AUTHOR, "Writes about databases, Python and the web."),
    ("ben", "Ben Okafor", Role.AUTHOR, "Backend engineer. Likes boring technology."),
    ("cai", "Cai Jones", Role.CONTRIBUTOR, "New here; sends drafts for review."),
]

BODY = """Blogsite renders Markdown once, when a post is saved, so readers get plain fast HTML.

## Why {topic} matters

Most of the work in {topic} is *deciding what not to do*. A few rules we keep:

- measure before changing anything;
- keep the common path short;
- write the rule down **once**.

### A small example

```python
def {func}(items):
    \"\"\"Return the items that matter.\"\"\"
    return [item for item in items if item.matters]
```

> Simple things should be simple, complex things should be possible.

| Step | What happens |
|:-----|-------------:|
| 1 | Write a draft |
| 2 | Ask an editor |
| 3 | Publish |

Read more in the [Django documentation](https://docs.djangoproject.com/) or the
[home page](/).
"""

POSTS = [
    ("asha", "Indexes that pay for themselves", ["postgres", "performance"], "indexes"),
    ("asha", "Reading query plans without fear", ["postgres"], "query plans"),
    ("ben", "Boring technology, happy teams", ["engineering"], "boring technology"),
    ("ben", "Caching the right things", ["performance", "django"], "caching"),
    ("asha", "Forms are the best part of Django", ["django"], "forms"),
    ("ben", "Deploying with a Procfile", ["deployment", "django"], "deployment"),
    ("asha", "Time zones, stored in UTC", ["django", "engineering"], "time zones"),
    ("ben", "Writing tests that read like sentences", ["testing"], "testing"),
    ("asha", "Sanitising HTML with an allow-list", ["security"], "sanitising"),
    ("ben", "Background tasks without a broker", ["django", "deployment"], "background work"),
    ("asha", "Full-text search in PostgreSQL", ["postgres", "search"], "search"),
    ("ben", "Accessible by default", ["accessibility"], "accessibility"),
]


class Command(BaseCommand):
    help = "Create demo writers and posts; safe to run again (it adds only what is missing)."

    @transaction.atomic
    def handle(self, *args, **options):
        users = {name: self._writer(name, *rest) for name, *rest in WRITERS}
        now = timezone.now()
        for n, (author, title, tags, topic) in enumerate(POSTS):
            body = BODY.format(topic=topic, func=topic.split()[0].replace("-", "_"))
            self._post(users[author], title, body, tags, publish_at=now - timedelta(days=len(POSTS) - n))
        self._post(
            users["asha"],
            "Notes for a future post",
            "Still thinking about this one.",
            [],
            status=Post.Status.DRAFT,
        )
        self._post(
            users["cai"],
            "My first post, for review",
            BODY.format(topic="review", func="review"),
            ["engineering"],
            status=Post.Status.REVIEW,
        )
        self._post(
            users["ben"],
            "Coming soon: the road map",
            "What we build next.",
            ["engineering"],
            publish_at=now + timedelta(days=3),
        )
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
        self.stdout.write(
            f"Sign in at /accounts/login/ as admin, edith (editor), asha or ben (authors) "
            f"or cai (contributor), each with the password {DEMO_PASSWORD!r}."
        )  # fmt: skip

    def _writer(self, username, display_name, role, bio):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "display_name": display_name,
                "role": role,
                "bio": bio,
                "email": f"{username}@example.com",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user

    def _post(self, author, title, body, tag_names, *, status=Post.Status.PUBLISHED, publish_at=None):
        if Post.objects.filter(title=title, author=author).exists():
            return
        post = Post(title=title, body=body, author=author, status=status, published_at=publish_at)
        post.save()
        post.tags.set(Tag.from_names(tag_names))

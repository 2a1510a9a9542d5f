import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw

from accounts.models import Role, User
from media.models import Image
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


# Posts that get a cover (drawn here with Pillow: nothing is downloaded), and of those, the
# ones that also show a second picture in their body.
COVERS = {
    "Indexes that pay for themselves": ("A red sun over blue hills at dusk", (214, 84, 60)),
    "Reading query plans without fear": ("A pale sun over green hills at noon", (96, 160, 80)),
    "Caching the right things": ("A yellow sun over purple hills", (120, 80, 160)),
    "Deploying with a Procfile": ("A white sun over grey mountains", (110, 110, 120)),
}
INLINE = {"Indexes that pay for themselves", "Caching the right things"}


def landscape(colour, *, width=1600, height=900, seed=0) -> bytes:
    """A simple drawn landscape as a JPEG: a sky, a sun and two rows of hills."""
    sky = PILImage.linear_gradient("L").resize((width, height)).convert("RGB")
    picture = PILImage.blend(sky, PILImage.new("RGB", (width, height), (40, 90, 170)), 0.6)
    draw = ImageDraw.Draw(picture)
    sun = width // 5 + seed * 97 % (width // 2)
    draw.ellipse((sun, height // 6, sun + height // 4, height // 6 + height // 4), fill=(250, 220, 120))
    for row, lift in ((0, 0.55), (1, 0.7)):
        shade = tuple(max(0, c - 40 * row) for c in colour)
        points = (
            [(0, height)]
            + [
                (x, int(height * lift + (height / 10) * ((x * (3 + row + seed)) % 7 - 3) / 3))
                for x in range(0, width + 200, 200)
            ]
            + [(width, height)]
        )
        draw.polygon(points, fill=shade)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


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
        if title in COVERS:
            post.cover = self._picture(author, title, seed=0)
            if title in INLINE:
                inline = self._picture(author, title, seed=1, width=1200, height=800)
                post.body += f"\n![{inline.alt}]({inline.get_absolute_url()})\n"
        post.save()
        post.tags.set(Tag.from_names(tag_names))

    def _picture(self, author, title, *, seed, width=1600, height=900):
        alt, colour = COVERS[title]
        alt = alt if seed == 0 else f"{alt}, seen from further away"
        data = landscape(colour, width=width, height=height, seed=seed)
        name = f"{title.lower().replace(' ', '-')}-{seed}.jpg"
        image = Image.objects.create_from_upload(ContentFile(data, name=name), author, alt=alt)
        image.make_renditions()  # now, not by a worker: `make demo` runs none
        return image

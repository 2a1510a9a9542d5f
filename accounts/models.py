import unicodedata

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q

from blogsite.text import validate_line, validate_text


class Role(models.TextChoices):
    CONTRIBUTOR = "contributor", "Contributor"
    AUTHOR = "author", "Author"
    EDITOR = "editor", "Editor"
    ADMIN = "admin", "Admin"


# Surrogate keys of cached pages (blogsite/pagecache.py): a writer's name and profile, and the
# list of writers who have published.
WRITERS_KEY = "writers"


def author_key(user_id) -> str:
    """The key of every cached page that shows this writer's name or profile."""
    return f"author-{user_id}"


def normalise_identifier(identifier: str) -> str:
    """A username or e-mail address as sign-in compares and counts it: NFKC, then case-folded
    after upper-casing, so that the dotless i (U+0131) and the long s (U+017F) fold like i and s
    (as PostgreSQL's case-insensitive match does)."""
    return unicodedata.normalize("NFKC", identifier).strip().upper().casefold()


class UserManager(DjangoUserManager):
    def for_sign_in(self, identifier: str):
        """The one account that a typed username or e-mail address names, or None.

        An exact username first; then usernames, then addresses, equal once normalised. A name
        or address that two accounts share names neither.
        """
        identifier = identifier.strip()
        if user := self.filter(username=identifier).first():
            return user
        key = normalise_identifier(identifier)
        near = Q(username__iexact=key) | Q(username__iexact=identifier)
        near |= Q(email__iexact=key) | Q(email__iexact=identifier)
        candidates = list(self.filter(near)[:20])
        by_name = [user for user in candidates if normalise_identifier(user.username) == key]
        by_email = [user for user in candidates if user.email and normalise_identifier(user.email) == key]
        matches = by_name or by_email
        return matches[0] if len(matches) == 1 else None


class User(AbstractUser):
    """A person who signs in: a writer of some role, or an admin.

    Their public page (``get_absolute_url``) belongs to the posts app: settings.ABSOLUTE_URL_OVERRIDES.
    """

    display_name = models.CharField(max_length=100, blank=True, validators=[validate_line])
    bio = models.TextField(max_length=2000, blank=True, validators=[validate_text])
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CONTRIBUTOR)
    # Carried by every API token; bumping it revokes all of this user's tokens at once.
    token_version = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Keep Django's staff and superuser flags in step with the role, the one source of truth."""
        if self._state.adding and self.is_superuser:
            self.role = Role.ADMIN  # made by createsuperuser
        self.is_superuser = self.role == Role.ADMIN
        self.is_staff = self.role in (Role.EDITOR, Role.ADMIN)
        super().save(*args, **kwargs)

    def set_password(self, raw_password):
        """A new password (by any form, command or the admin) revokes every API token."""
        super().set_password(raw_password)
        self.token_version += 1

    def revoke_tokens(self):
        """Make every API token issued to this user stop working (signing out everywhere)."""
        User.objects.filter(pk=self.pk).update(token_version=models.F("token_version") + 1)
        self.refresh_from_db(fields=["token_version"])

    @property
    def name(self):
        """The name readers see: the display name, or the username when there is none."""
        return self.display_name or self.username

    @property
    def url(self) -> str:
        """Their public page, ``get_absolute_url()``, for templates: Jinja2 reads an attribute
        for a fraction of what a call costs it, and a list page links to writers ten times."""
        return self.get_absolute_url()

    @property
    def is_editor(self):
        """Editors and admins review and manage every post."""
        return self.role in (Role.EDITOR, Role.ADMIN)

    @property
    def can_publish(self):
        """Authors and up publish their own posts; contributors only submit them."""
        return self.role in (Role.AUTHOR, Role.EDITOR, Role.ADMIN)

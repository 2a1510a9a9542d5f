"""Signing in: by username or e-mail address, within the failed sign-in limit."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from blogsite.ratelimit import FAILED_LOGINS, client_ip


class UsernameOrEmailBackend(ModelBackend):
    """Sign in with the username or the e-mail address (the API's login and the sign-in page alike)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        users = get_user_model().objects
        if username and "@" in username and not users.filter(username=username).exists():
            matches = list(users.filter(email__iexact=username)[:2])
            if len(matches) == 1:  # an address shared by two accounts names neither
                username = matches[0].username
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_blocked_for(request, username: str) -> int:
    """Seconds before this username or address may try to sign in again; 0 when it may now."""
    return max(
        FAILED_LOGINS.blocked_for(f"user:{username.strip().lower()}"),
        FAILED_LOGINS.blocked_for(f"ip:{client_ip(request)}"),
    )


def note_failed_login(request, username: str) -> None:
    """Count a failed sign-in against both the username (whether it exists or not) and the address."""
    FAILED_LOGINS.hit(f"user:{username.strip().lower()}")
    FAILED_LOGINS.hit(f"ip:{client_ip(request)}")

"""The JSON API's part of accounts: bearer tokens as authentication, a writer's public name
card (``UserRef``), and signing out everywhere.

Endpoints that show what a writer published (profiles, and the caller's own profile that
sign-in answers with) live in posts/api.py, beside the posts they count.
"""

from django.contrib.auth import logout
from ninja import Router
from ninja.errors import AuthenticationError
from ninja.responses import Status
from ninja.security import HttpBearer

from blogsite.api import Schema, SessionAuth, absolute_uri, anyone, errors

from . import tokens


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>`` from ``POST /api/auth/login``; CSRF does not apply."""

    def authenticate(self, request, token):
        user = tokens.user_for_token(token)
        if user is None:
            # A bad token is an error even where anonymous callers are welcome.
            raise AuthenticationError(message="The bearer token is invalid, expired or revoked.")
        request.user = user
        return user


SIGNED_IN = [BearerAuth(), SessionAuth()]
ANYONE = [*SIGNED_IN, anyone]

router = Router(tags=["people"], auth=ANYONE)


class UserRef(Schema):
    id: int
    username: str
    display_name: str
    url: str


def user_ref(request, user) -> dict:
    """The few public facts shown wherever a writer is named (e.g. a post's author)."""
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.name,
        "url": absolute_uri(request, user.get_absolute_url()),
    }


@router.post("/auth/logout", auth=SIGNED_IN, response={204: None, **errors(401, 403, 429)})
def api_logout(request):
    """Sign out everywhere: every token of this user stops working, and this session ends."""
    request.auth.revoke_tokens()
    if request.user.is_authenticated and not request.headers.get("Authorization"):
        logout(request)
    return Status(204, None)

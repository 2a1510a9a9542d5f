"""Bearer tokens for the JSON API: JWTs signed with the site's key.

A token carries the user id, an expiry and the user's token version. Logging out through
the API and changing the password bump the version, so every older token stops working
at once without a table of issued tokens.
"""

from datetime import UTC, datetime, timedelta

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model

ALGORITHM = "HS256"


def issue_token(user) -> str:
    """A signed token for ``user``, valid for ``BLOG_API_TOKEN_SECONDS``."""
    now = datetime.now(UTC)
    claims = {
        "sub": str(user.pk),
        "ver": user.token_version,
        "iat": now,
        "exp": now + timedelta(seconds=settings.BLOG_API_TOKEN_SECONDS),
    }
    return jwt.encode(claims, settings.SECRET_KEY, algorithm=ALGORITHM)


def user_for_token(token: str):
    """The active user a token belongs to; None when it is malformed, expired or revoked."""
    try:
        claims = jwt.decode(
            token, settings.SECRET_KEY, algorithms=[ALGORITHM], options={"require": ["sub", "ver", "exp"]}
        )
        user_id, version = int(claims["sub"]), int(claims["ver"])
    except (jwt.InvalidTokenError, TypeError, ValueError):
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.token_version != version:
        return None
    return user

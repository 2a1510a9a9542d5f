"""Signing in, by every path: the sign-in page, the admin's, the API and password reset links.

Each attempt counts against one limit per account and one per address (``FAILED_LOGINS``:
``BLOG_LOGIN_ATTEMPTS`` in ``BLOG_LOGIN_WINDOW_SECONDS``), and is counted *before* the
password or the link is checked, in one atomic step of the shared cache: parallel guesses
cannot slip past it. A successful attempt is taken back, so only failures use the limit up.
What was typed is resolved to the account it names (username or e-mail address, normalised),
so ``editor``, ``EDITOR`` and ``editor@example.org`` count together; a name that matches no
account is counted under its normalised form.
"""

import hashlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router

from blogsite import ratelimit
from blogsite.ratelimit import FAILED_LOGINS, client_ip
from blogsite.rows import from_columns

from .models import normalise_identifier


class SignInBlocked(PermissionDenied):
    """Too many attempts for this account or address: nothing was checked.

    A ``PermissionDenied``, so Django's ``authenticate()`` stops at once and answers None
    wherever it is called; callers that can say more read ``sign_in_blocked_for(request)``.
    """

    def __init__(self, retry_after: int):
        super().__init__("Too many failed sign-in attempts.")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Attempt:
    keys: tuple[str, ...]
    at: float

    def succeeded(self) -> None:
        """Take the attempt back: the limit counts failures (and attempts still being checked)."""
        for key in self.keys:
            FAILED_LOGINS.take_back(key, at=self.at)


def count_attempt(request, *, account, identifier: str) -> Attempt:
    """Count one attempt against ``account`` (or, when it is None, what was typed) and the
    request's address, before anything is checked; ``SignInBlocked`` past the limit."""
    if account is not None:
        keys = [f"user:{account.pk}"]
    else:
        keys = ["name:" + hashlib.sha256(normalise_identifier(identifier).encode()).hexdigest()[:32]]
    if request is not None:
        keys.append(f"ip:{client_ip(request)}")
    at = ratelimit.clock()
    wait = max(FAILED_LOGINS.hit(key, at=at) for key in keys)
    if wait:
        if request is not None:
            request.sign_in_blocked_for = wait
        raise SignInBlocked(wait)
    return Attempt(tuple(keys), at)


def sign_in_blocked_for(request) -> int:
    """Seconds to wait when the last sign-in attempt of this request was refused by the limit; else 0."""
    return getattr(request, "sign_in_blocked_for", 0)


class UsernameOrEmailBackend(ModelBackend):
    """Sign in with the username or the e-mail address, within the limit (every path uses this backend)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = get_user_model().objects.for_sign_in(username)
        attempt = count_attempt(request, account=user, identifier=username)
        if user is None:
            get_user_model()().set_password(password)  # as slow as a real check: no account is not faster
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            attempt.succeeded()
            return user
        return None

    def get_user(self, user_id):
        """The signed-in user of a request, by the id their session holds, asked on every request
        they make: one row read as columns, which the ORM's ``get()`` took three times as long
        to build (0.5 ms of CPU on every signed-in page)."""
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        db, fields, meta = router.db_for_read(model), model._meta.concrete_fields, model._meta
        columns = ", ".join(field.column for field in fields)
        sql = f"SELECT {columns} FROM {meta.db_table} WHERE {meta.pk.column} = %s"  # noqa: S608 - our own names
        with connections[db].cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        user = from_columns(model, fields, row, db)
        return user if self.user_can_authenticate(user) else None

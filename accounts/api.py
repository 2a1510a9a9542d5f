"""The JSON API for people: sign-in tokens, public profiles of writers, and the caller's own profile."""

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, logout
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from blogsite.api import SIGNED_IN, ApiError, Page, PageParams, errors, paginate, text
from posts.models import Post

from . import backends, tokens
from .models import Role

router = Router(tags=["people"])


class UserRef(Schema):
    id: int
    username: str
    display_name: str
    url: str


class UserOut(UserRef):
    bio: str
    post_count: int


class MeOut(UserOut):
    email: str
    role: Role


class LoginIn(Schema):
    model_config = ConfigDict(extra="forbid")
    username: text(254, min_length=1) = Field(description="The username or the e-mail address.")
    password: text(4096, min_length=1)


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_in: int
    user: MeOut


class ProfileIn(Schema):
    model_config = ConfigDict(extra="forbid")
    display_name: text(100, strip=True) = None
    bio: text(2000) = None


def user_ref(request, user) -> dict:
    """The few public facts shown wherever a writer is named (e.g. a post's author)."""
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.name,
        "url": request.build_absolute_uri(user.get_absolute_url()),
    }


def user_data(request, user) -> dict:
    """A public profile: never the e-mail address."""
    return user_ref(request, user) | {"bio": user.bio, "post_count": user.post_count}


def me_data(request, user) -> dict:
    """The caller's own profile: the public one plus e-mail address and role."""
    user.post_count = Post.objects.public().filter(author=user).count()
    return user_data(request, user) | {"email": user.email, "role": user.role}


def _writers():
    """Active users with at least one public post, each with the number of those posts."""
    public = Post.objects.public()
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(post_count=Count("posts", filter=Q(posts__in=public)))
        .filter(post_count__gt=0)
        .order_by("username")
    )


@router.post("/auth/login", auth=None, response={200: TokenOut, **errors(400, 401, 413, 415, 429)})
def api_login(request, credentials: LoginIn):
    """Trade a username (or e-mail address) and password for a bearer token."""
    wait = backends.login_blocked_for(request, credentials.username)
    if wait:
        raise ApiError(429, "Too many failed sign-ins; try again later.", headers={"Retry-After": str(wait)})
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None:
        backends.note_failed_login(request, credentials.username)
        raise ApiError(401, "Wrong username or password.", headers={"WWW-Authenticate": "Bearer"})
    return {
        "token": tokens.issue_token(user),
        "expires_in": settings.BLOG_API_TOKEN_SECONDS,
        "user": me_data(request, user),
    }


@router.post("/auth/logout", auth=SIGNED_IN, response={204: None, **errors(401, 403, 429)})
def api_logout(request):
    """Sign out everywhere: every token of this user stops working, and this session ends."""
    request.auth.revoke_tokens()
    if request.user.is_authenticated and not request.headers.get("Authorization"):
        logout(request)
    return Status(204, None)


@router.get("/users", response={200: Page[UserOut], **errors(400, 401, 429)})
def api_user_list(request, params: Query[PageParams]):
    """Writers who have published posts, by username."""
    return paginate(request, _writers(), params, lambda user: user_data(request, user))


@router.get("/users/{int:user_id}", response={200: UserOut, **errors(401, 404, 429)})
def api_user_detail(request, user_id: int):
    user = get_object_or_404(_writers(), pk=user_id)
    return user_data(request, user)


@router.get("/profile", auth=SIGNED_IN, response={200: MeOut, **errors(401, 429)})
def api_profile(request):
    return me_data(request, request.auth)


@router.patch("/profile", auth=SIGNED_IN, response={200: MeOut, **errors(400, 401, 403, 413, 415, 429)})
def api_profile_update(request, changes: ProfileIn):
    """Change the display name and bio; nothing else about a user is writable here."""
    user = request.auth
    fields = changes.model_dump(exclude_unset=True)
    for name, value in fields.items():
        setattr(user, name, value)
    if fields:
        user.save(update_fields=list(fields))
    return me_data(request, user)

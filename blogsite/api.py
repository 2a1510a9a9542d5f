"""The JSON API's shared layer: the API object, session authentication, problem details, rate
limits, ETags.

Every endpoint lives in its app's ``api.py`` (``posts/api.py``, ``accounts/api.py``) as a
django-ninja router, mounted by blogsite/urls.py; this module holds what they all share, so
that each rule of API.md (errors as RFC 9457 problems, session vs bearer, CSRF, 429, 412) is
written once. It knows no app: bearer tokens belong to accounts (``accounts.api.BearerAuth``),
and each router names its authentication.
"""

import hashlib
import json
import logging
import threading
from typing import Annotated, Any, Generic, TypeVar

import ninja
import pydantic_core
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import Field, NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.schema import DjangoGetter
from ninja.security import APIKeyCookie
from ninja.throttling import BaseThrottle
from ninja.utils import check_csrf
from pydantic import AfterValidator, AwareDatetime, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from blogsite import pagecache, ratelimit
from blogsite.conditional import is_precondition_failed
from blogsite.dates import validate_date_in_range
from blogsite.paging import page_rows
from blogsite.problems import PROBLEM_TYPE, problem
from blogsite.text import LINE_PATTERN, TEXT_PATTERN, validate_line, validate_text
from blogsite.views import RETRY_AFTER_SECONDS, is_outage

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL characters


def text(max_length: int, *, min_length: int = 0, strip: bool = False, multiline: bool = False):
    """A string type for input: within its lengths, and without control characters (blogsite.text).

    A single line holds none; ``multiline`` text may hold tabs and line breaks.
    """
    limits = StringConstraints(strip_whitespace=strip, min_length=min_length, max_length=max_length)
    validator = validate_text if multiline else validate_line
    pattern = TEXT_PATTERN if multiline else LINE_PATTERN
    return Annotated[str, limits, AfterValidator(_refusing(validator)), WithJsonSchemaPattern(pattern)]


def _refusing(validator):
    """A pydantic check made of one of our Django validators, its message kept for the client."""

    def check(value: str) -> str:
        try:
            validator(value)
        except DjangoValidationError as error:
            raise PydanticCustomError(error.code or "invalid", error.messages[0]) from None
        return value

    return check


# A date and time with its offset, within the years blogsite.dates allows.
Moment = Annotated[AwareDatetime, AfterValidator(_refusing(validate_date_in_range))]


class WithJsonSchemaPattern:
    """Shows the allowed characters as ``pattern`` in the OpenAPI document (the check is ``_refusing``)."""

    def __init__(self, pattern: str):
        self.pattern = pattern

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        schema["pattern"] = self.pattern
        return schema


class Schema(ninja.Schema):
    """ninja's Schema for every answer and input of the API, validating a dict as pydantic does.

    ninja wraps whatever it validates in a ``DjangoGetter``, so that a model instance's managers,
    files and methods read as fields. Every answer here is built as a dict (``post_data``,
    ``media_data``, …), and an input arrives as one; read through that wrapper, field by field
    in Python, validating a page of ten posts was a quarter of an uncached ``GET /api/posts``
    (decision 0081). Anything but a dict is still read ninja's way.
    """

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values, handler, info):
        if isinstance(values, dict):
            return handler(values)
        if cls.model_config.get("extra") == "forbid" or cls.model_config.get("validate_assignment", False):
            handler(values)  # as ninja does: checked as given before it is read through the wrapper
        return handler(DjangoGetter(values, cls, info.context))


class Problem(Schema):
    """An RFC 9457 problem: what went wrong, for people and programs."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] | None = None


T = TypeVar("T")


class Page(Schema, Generic[T]):
    """One page of a list; ``next`` and ``previous`` are absolute URLs or null."""

    count: int
    next: str | None
    previous: str | None
    results: list[T]


class PageParams(Schema):
    page: int = Field(1, ge=1, description="From 1.")
    page_size: int = Field(10, ge=1, le=100)


def paginate(request, queryset, params: PageParams, serialize, *, prepare=list, count=None) -> dict:
    """A Page of ``queryset``: one COUNT query (unless its ``count`` is given) and one query for
    the rows (plus its prefetches). ``queryset`` may also be any list that counts itself and
    reads a page of rows when sliced, as Django's ``Paginator`` takes one; one that can read its
    count with a page (``counted_page(start, stop)``, None where it cannot) is asked that first.

    ``prepare`` turns the page's rows into the list to serialize (e.g. adding search snippets).
    """
    start, stop = (params.page - 1) * params.page_size, params.page * params.page_size
    counted = None
    if count is None and hasattr(queryset, "counted_page"):
        counted = queryset.counted_page(start, stop)
    if count is None:
        count = queryset.count()
    if counted is not None:
        rows = prepare(counted)
    elif start >= count:
        rows = []
    elif isinstance(queryset, QuerySet):
        rows = prepare(page_rows(queryset, start, stop))
    else:
        rows = prepare(queryset[start:stop])

    def page_url(number):
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": count,
        "next": page_url(params.page + 1) if start + params.page_size < count else None,
        "previous": page_url(params.page - 1) if params.page > 1 else None,
        "results": [serialize(row) for row in rows],
    }


def written(request, schema: type[Schema], data: dict, *, exclude_unset: bool = False) -> bytes:
    """``data`` as ninja answers with it for ``schema``: checked (a wrong field raises, as ninja's
    own check of an answer does), then written as the API writes JSON. For the parts of an answer
    that are written once and remembered (``written_page``)."""
    checked = schema.model_validate(data, context={"request": request, "response_status": 200})
    return to_json(checked.model_dump(exclude_unset=exclude_unset))


def written_page(response: HttpResponse, page: dict) -> HttpResponse:
    """``response``, the view's own (its headers kept), answering ``page``: a ``paginate()`` dict
    whose results are each written already (``written()``). The same bytes as ninja would write
    for the page; ninja gives a view's response as it is."""
    head = to_json({**page, "results": []})  # {"count":…,"results":[]}
    response.content = head[:-2] + b",".join(page["results"]) + head[-2:]
    return response


def absolute_uri(request, location: str) -> str:
    """``request.build_absolute_uri(location)``, for the addresses our answers give: the request's
    scheme and host are read once, not parsed again for each of a page's thirty links. An
    absolute path as ``reverse()`` and storage give them (already quoted) is put after them as
    it is; anything else goes to Django's own method."""
    if not location.startswith("/") or location.startswith("//") or "/." in location:
        return request.build_absolute_uri(location)
    base = request.__dict__.get("_absolute_uri_base")
    if base is None:
        base = request._absolute_uri_base = request.build_absolute_uri("/")[:-1]
    return base + location


def errors(*statuses: int) -> dict[int, type[Problem]]:
    """The problem responses an operation declares in the OpenAPI document."""
    return dict.fromkeys(statuses, Problem)


class ApiError(Exception):
    """Raised by endpoints and helpers; becomes a problem response."""

    def __init__(self, status: int, detail: str, *, errors=None, headers=None):
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers = status, detail, errors, headers


# AUTHENTICATION
# ------------------------------------------------------------------------------
class SessionAuth(APIKeyCookie):
    """The browser's session cookie; unsafe methods also need Django's CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=False)  # checked below, and only once the session is known to be signed in

    def authenticate(self, request, key):
        if not request.user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request):
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header with a session.")
        return request.user


def anyone(request):
    """The last resort for endpoints open to visitors: the caller is anonymous."""
    return AnonymousUser()


# RATE LIMITS, PRECONDITIONS
# ------------------------------------------------------------------------------
class RateLimit(BaseThrottle):
    """Writes count per user, anonymous reads per address (blogsite.ratelimit); 429 past the limit.

    Ninja checks it after authentication and before validation, so bad requests count too.
    """

    def __init__(self):
        self._last = threading.local()  # wait() is asked right after allow_request(), same thread

    def allow_request(self, request) -> bool:
        user = getattr(request, "auth", None) or request.user  # sign-in itself has no auth
        if request.method not in SAFE_METHODS and user.is_authenticated:
            self._last.wait = ratelimit.WRITES.hit(user.pk)
        elif request.method in SAFE_METHODS and not user.is_authenticated:
            self._last.wait = ratelimit.ANONYMOUS_READS.hit(ratelimit.client_ip(request))
        else:
            self._last.wait = 0
        return not self._last.wait

    def wait(self):
        return self._last.wait


def etag_of(data: dict[str, Any]) -> str:
    """A strong validator for a representation: it changes whenever any field shown changes."""
    encoded = json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True).encode()
    return f'"{hashlib.sha256(encoded).hexdigest()[:32]}"'


def check_if_match(request, etag: str) -> None:
    """Refuse a write made against an older representation than the current one (412)."""
    if is_precondition_failed(request, etag):
        raise ApiError(412, "The resource changed since you fetched it; fetch it again (If-Match).")


def may_serve_cached_read(request) -> bool:
    """A cached read counts against the visitor's read limit; past it, the API itself answers 429."""
    return not ratelimit.ANONYMOUS_READS.hit(ratelimit.client_ip(request))


def is_public_read(request) -> bool:
    """Every anonymous GET of the JSON API is public (API.md): only search (``?q=``) is left uncached."""
    return "q" not in request.GET


# The query parameters of the API's public reads (PageParams and the posts' filters); any other
# is ignored by the API, so it makes no cache entry of its own.
PUBLIC_READ_QUERY = frozenset({"page", "page_size", "tag", "author", "status", "mine"})

pagecache.add_section(
    pagecache.Section(
        prefix=settings.API_PREFIX,
        query=PUBLIC_READ_QUERY,
        is_public=is_public_read,
        may_serve_hit=may_serve_cached_read,
    )
)


# THE API
# ------------------------------------------------------------------------------
HEADERS = {
    201: {"Location": "The path of what was created."},
    401: {"WWW-Authenticate": "How to authenticate: Bearer."},
    429: {"Retry-After": "Seconds to wait before trying again."},
}


class BlogsiteSchema(OpenAPISchema):
    """The OpenAPI document, saying what ninja cannot: problem media type, optional auth, headers."""

    def responses(self, operation):
        result = super().responses(operation)
        for status, response in result.items():
            if status >= 400 and "content" in response:
                response["content"] = {PROBLEM_TYPE: response["content"].popitem()[1]}
            headers = dict(HEADERS.get(status, {}))
            if status in (200, 304) and (304 in result or 412 in result):
                headers["ETag"] = "The version of the post, for If-None-Match and If-Match."
            for name, text in headers.items():
                response.setdefault("headers", {})[name] = {"description": text, "schema": {"type": "string"}}
        return result

    def operation_security(self, operation):
        security = super().operation_security(operation)
        if security and anyone in operation.auth_callbacks:
            security.append({})  # an empty requirement: credentials are optional
        return security


class _JSONRenderer(JSONRenderer):
    """Answers written by pydantic's own serializer, in Rust. ``json.dumps`` called back into
    Python for every time in an answer (thirty in a list of ten posts): 95 µs a page, against
    21. Times stay ISO 8601 with their offset ("Z" for UTC), to the microsecond as stored;
    whatever it does not know (a lazy translation, an address) ninja's encoder turns into JSON."""

    def render(self, request, data, *, response_status):
        return to_json(data)


def to_json(data) -> bytes:
    return pydantic_core.to_json(data, fallback=_ENCODER.default)


_ENCODER = NinjaJSONEncoder()


class BlogsiteAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return BlogsiteSchema(self, path_prefix)


api = BlogsiteAPI(
    title=f"{settings.SITE_NAME} API",
    version="1",
    description="Posts, writers and profiles of the blog. Errors are RFC 9457 problem details.",
    urls_namespace="api",
    throttle=RateLimit(),
    renderer=_JSONRenderer(),
)


@api.exception_handler(ApiError)
def _api_error(request, exc):
    return problem(exc.status, exc.detail, errors=exc.errors, headers=exc.headers)


@api.exception_handler(ValidationError)
def _validation_error(request, exc):
    """Wrong types, missing or unknown fields, bad query values: 400 with messages per field."""
    by_field: dict[str, list[str]] = {}
    for error in exc.errors:
        source, *location = error.get("loc", ())
        if source == "body":
            location = location[1:]  # the name of the view's argument, not a field of the JSON
        by_field.setdefault(str(location[0]) if location else "__all__", []).append(error["msg"])
    return problem(400, "The request is not valid; see errors.", errors=by_field)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    detail = str(exc) if str(exc) != "Unauthorized" else "Sign in or send a bearer token."
    return problem(401, detail, headers={"WWW-Authenticate": "Bearer"})


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem(exc.status_code, str(exc))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return problem(403, str(exc) or "You may not do this.")


@api.exception_handler(DjangoValidationError)
def _rule_broken(request, exc):
    """A business rule of the model or a service (e.g. publishing needs a body): 400, per field."""
    by_field = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return problem(400, "The request breaks a rule; see errors.", errors=by_field)


@api.exception_handler(IntegrityError)
def _conflict(request, exc):
    """Two writes raced for the same unique value (a slug, a tag name): the later one is refused."""
    return problem(409, "This conflicts with another post or tag (e.g. the same address); try again.")


@api.exception_handler(MultiPartParserError)
def _unreadable_upload(request, exc):
    """A multipart body that cannot be parsed (no boundary, cut short): the client's mistake."""
    return problem(400, f"The multipart/form-data body could not be read: {exc}")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(404, str(exc) or "Not found.")


@api.exception_handler(Exception)
def _server_error(request, exc):
    logger.exception("API error on %s %s", request.method, request.path)
    if is_outage(exc):  # the database or cache cannot be reached: a moment's wait, not a bug
        detail = "The service is briefly unavailable. Please retry shortly."
        return problem(503, detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    return problem(500, "Something went wrong on our side; it has been logged.")


def problem_details_middleware(get_response):
    """Under the API prefix: refuse big or non-JSON bodies, and turn every other error into a problem.

    The endpoints answer their own errors as problems; this catches what happens around them
    (unknown paths, methods a path does not allow, server errors) so nothing under it is HTML.
    """

    def middleware(request):
        if not request.path.startswith(settings.API_PREFIX):
            return get_response(request)
        if request.method == "HEAD":  # answered as GET, without the body (RFC 9110, 9.3.2)
            request.method = "GET"
            response = _without_body(answer(request))
            request.method = "HEAD"
            return response
        return answer(request)

    def answer(request):
        response = _refuse_body(request) or get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(PROBLEM_TYPE):
            headers = {h: response[h] for h in ("Allow", "Retry-After", "WWW-Authenticate") if h in response}
            detail = {404: "Nothing here.", 405: f"Allowed methods: {response.get('Allow', 'none')}."}
            status = response.status_code
            return problem(status, detail.get(status, "The request failed."), headers=headers)
        return response

    return middleware


def _without_body(response):
    """The answer to HEAD: the GET response's status and headers (its length too), and no body."""
    if not response.streaming:
        response["Content-Length"] = str(len(response.content))
        response.content = b""
    return response


# Endpoints that take a file as multipart/form-data, and the setting that limits its size. A
# multipart body holds the file plus a few small fields: that much more is allowed on top.
UPLOAD_LIMITS = {"media": "BLOG_MEDIA_MAX_BYTES"}  # by path under API_PREFIX
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def _refuse_body(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return problem(400, "The Content-Length header is not a number.")
    upload_limit = UPLOAD_LIMITS.get(request.path.removeprefix(settings.API_PREFIX))
    if request.method == "POST" and upload_limit:
        return _refuse_upload(request, length, getattr(settings, upload_limit))
    if length > MAX_BODY_BYTES:
        return problem(413, f"Request bodies are limited to {MAX_BODY_BYTES} bytes.")
    if length and request.method not in SAFE_METHODS:
        media_type = request.content_type or ""
        if not (media_type == "application/json" or media_type.endswith("+json")):
            return problem(415, "Send the request body as application/json.")
    return None


def _refuse_upload(request, length: int, limit: int):
    """A file upload: multipart/form-data, refused before it is read when it cannot fit the limit."""
    if length > limit + MULTIPART_OVERHEAD_BYTES:
        return problem(413, f"The file is too large: at most {limit / 1024 / 1024:g} MiB.")
    if length and request.content_type != "multipart/form-data":
        return problem(415, "Send the file as multipart/form-data.")
    if length and not request.content_params.get("boundary"):
        return problem(400, "The multipart/form-data body needs a boundary in its Content-Type.")
    return None

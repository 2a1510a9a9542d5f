"""RFC 9457 problem details: how every error under the API prefix is answered, by pages and API alike."""

import json
from http import HTTPStatus

from django.http import HttpResponse

PROBLEM_TYPE = "application/problem+json"


def problem(status: int, detail: str, *, errors=None, headers=None) -> HttpResponse:
    """An ``application/problem+json`` response; ``errors`` maps fields to their messages."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response

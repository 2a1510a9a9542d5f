"""Small helpers for the API tests: call the API as a user with a bearer token."""

import json

from accounts.tokens import issue_token


def bearer(user) -> dict:
    """Headers for the test client that sign the request in as ``user`` with a token."""
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user)}"}


def send(client, method, path, data=None, user=None, **headers):
    """A JSON request, signed in as ``user`` by bearer token when given."""
    if user is not None:
        headers |= bearer(user)
    body = json.dumps(data) if data is not None else ""
    return getattr(client, method)(path, body, content_type="application/json", **headers)


def assert_problem(response, status):
    """The response is an RFC 9457 problem with this status."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"] == "about:blank"
    assert problem["title"] and problem["detail"]
    return problem

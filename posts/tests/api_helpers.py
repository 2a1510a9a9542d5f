"""The API test helpers live in accounts/tests/api_helpers.py, so every app's tests can use them."""

from accounts.tests.api_helpers import assert_problem, bearer, send

__all__ = ["assert_problem", "bearer", "send"]

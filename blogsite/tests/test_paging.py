"""Pages of a long list: rows picked by key in the list's order, and page numbers keyed one way."""

import pytest
from django.contrib.auth import get_user_model

from blogsite.paging import canonical_number, page_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    User = get_user_model()
    User.objects.bulk_create(User(username=f"reader{n:02}", email=f"r{n}@example.org") for n in range(23))
    return User.objects.order_by("-username")


def test_it_picks_rows_by_key_and_keeps_the_order(people):
    assert [u.username for u in page_rows(people, 20, 30)] == ["reader02", "reader01", "reader00"]
    assert list(page_rows(people, 30, 40)) == []


@pytest.mark.parametrize(
    "given, canonical",
    [("1", "1"), ("01", "1"), ("000", "0"), ("10", "10"), ("abc", "abc"), (" 1", " 1"), ("²", "²"), ("", "")],
)
def test_a_page_number_is_written_without_leading_zeros(given, canonical):
    assert canonical_number(given) == canonical

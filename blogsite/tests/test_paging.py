"""Pages of a long list: the same rows as Django's own paginator, in one query each."""

import pytest
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator

from blogsite.paging import IndexPaginator, canonical_number, page_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    User = get_user_model()
    User.objects.bulk_create(User(username=f"reader{n:02}", email=f"r{n}@example.org") for n in range(23))
    return User.objects.order_by("-username")


@pytest.mark.parametrize("orphans", [0, 2])
def test_it_gives_every_page_the_rows_django_gives_it(people, orphans):
    ours, django = IndexPaginator(people, 5, orphans=orphans), Paginator(people, 5, orphans=orphans)
    assert ours.num_pages == django.num_pages
    for number in ours.page_range:
        mine, theirs = ours.page(number), django.page(number)
        assert [u.username for u in mine] == [u.username for u in theirs]
        assert (mine.start_index(), mine.end_index()) == (theirs.start_index(), theirs.end_index())
        assert mine.has_next() == theirs.has_next()


def test_it_reads_a_deep_page_in_one_query(people, django_assert_num_queries):
    page = IndexPaginator(people, 5).page(4)  # counting happens before
    with django_assert_num_queries(1):
        assert [u.username for u in page] == ["reader07", "reader06", "reader05", "reader04", "reader03"]


def test_it_picks_rows_by_key_and_keeps_the_order(people):
    assert [u.username for u in page_rows(people, 20, 30)] == ["reader02", "reader01", "reader00"]
    assert list(page_rows(people, 30, 40)) == []


def test_it_treats_a_bad_page_number_as_django_does(people):
    assert IndexPaginator(people, 5).get_page("x").number == 1
    assert IndexPaginator(people, 5).get_page("99").number == 5


@pytest.mark.parametrize(
    "given, canonical",
    [("1", "1"), ("01", "1"), ("000", "0"), ("10", "10"), ("abc", "abc"), (" 1", " 1"), ("²", "²"), ("", "")],
)
def test_a_page_number_is_written_without_leading_zeros(given, canonical):
    assert canonical_number(given) == canonical

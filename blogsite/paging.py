"""Pages of a long, ordered list whose deep pages cost about what the first one costs.

A page's rows are picked by their primary keys in a subquery (``WHERE pk IN (SELECT pk …
LIMIT 10 OFFSET 49990)``), which the database answers from an index alone, and only those
rows are read in full. Slicing the queryset itself makes PostgreSQL read every skipped row
from the table: at 100,000 posts, page 5,000 of the home page took 40-260 ms that way and
7 ms this way (docs/decisions/0061-deep-pages-from-an-index.md). Still one query for the
rows, so a page's query count does not change.
"""

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property


def page_rows(queryset, start: int, stop: int):
    """The rows ``start:stop`` of an ordered ``queryset``, picked by primary key first."""
    return queryset.filter(pk__in=queryset.values("pk")[start:stop])


def canonical_number(value: str) -> str:
    """``007`` as ``7``: a page number written with leading zeros, without them; anything else as given.

    Every view reads both alike (``int()``), so the page cache keys them alike (``?page=01``).
    """
    return (value.lstrip("0") or "0") if value.isascii() and value.isdigit() else value


class IndexPaginator(Paginator):
    """Django's ``Paginator``, with each page's rows found through ``page_rows()``; given the
    list's ``count`` when it is known without counting the rows."""

    def __init__(self, object_list, per_page, *, count=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = count

    @cached_property
    def count(self):
        return super().count if self.known_count is None else self.known_count

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(page_rows(self.object_list, bottom, top), number, self)

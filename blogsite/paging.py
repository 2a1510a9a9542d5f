"""Pages of a long, ordered list whose deep pages cost about what the first one costs.

A page's rows are picked by their primary keys in a subquery (``WHERE pk IN (SELECT pk …
LIMIT 10 OFFSET 49990)``), which the database answers from an index alone, and only those
rows are read in full. Slicing the queryset itself makes PostgreSQL read every skipped row
from the table: at 100,000 posts, page 5,000 of the home page took 40-260 ms that way and
7 ms this way (docs/decisions/0061-deep-pages-from-an-index.md). Still one query for the
rows, so a page's query count does not change. The API pages with ``page_rows()``; the
site's lists pick their cards the same way in SQL of their own (``posts/cards.py``), which
starts deep pages from kept anchors instead (docs/decisions/0092).
"""


def page_rows(queryset, start: int, stop: int):
    """The rows ``start:stop`` of an ordered ``queryset``, picked by primary key first."""
    return queryset.filter(pk__in=queryset.values("pk")[start:stop])


def canonical_number(value: str) -> str:
    """``007`` as ``7``: a page number written with leading zeros, without them; anything else as given.

    Every view reads both alike (``int()``), so the page cache keys them alike (``?page=01``).
    """
    return (value.lstrip("0") or "0") if value.isascii() and value.isdigit() else value

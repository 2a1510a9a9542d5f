"""Which statements PostgreSQL may keep a plan for (docs/decisions/0091).

Statements a worker runs again and again are prepared on their sixth run (psycopg's own
threshold) and planned no more: planning was most of PostgreSQL's time on an uncached page.
A prepared statement may move from plans made for its parameters to one generic plan, and
where rows that sort equal come in the order a plan reads them (search results ranked by
the RUM index, which has no second sort key), that move would change the order between two
pages. Such a statement carries ``PLANNED_EACH_RUN`` and is never prepared.
"""

from django.db.backends.postgresql.base import ServerBindingCursor

# An SQL comment: a statement holding it is planned for its own parameters every time it runs.
PLANNED_EACH_RUN = "/* planned each run */"


class PreparingCursor(ServerBindingCursor):
    """Django's server-side binding cursor, preparing whatever psycopg's threshold picks except
    the statements marked ``PLANNED_EACH_RUN``."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        if prepare is None and isinstance(query, str) and PLANNED_EACH_RUN in query:
            prepare = False
        return super().execute(query, params, prepare=prepare, binary=binary)

"""PostgreSQL prepares the statements a worker repeats, except those marked to be planned each
run (blogsite/database.py, docs/decisions/0091)."""

import pytest
from django.db import connection

from blogsite.database import PLANNED_EACH_RUN

PREPARING = connection.vendor == "postgresql" and connection.settings_dict["OPTIONS"].get("prepare_threshold")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not PREPARING,
        reason="PostgreSQL's prepared statements, on unless DATABASE_PREPARED_STATEMENTS=false",
    ),
]


def prepared_statements_like(fragment: str) -> list[str]:
    with connection.cursor() as cursor:
        sql = "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s"
        cursor.execute(sql, [f"%{fragment}%"])
        return [row[0] for row in cursor.fetchall()]


def run(sql: str, times: int) -> None:
    with connection.cursor() as cursor:
        for n in range(times):
            cursor.execute(sql, [n])
            assert cursor.fetchone() == (n,)


def test_a_statement_run_again_and_again_is_prepared_on_its_sixth_run():
    sql = "SELECT %s::int AS repeated_statement"
    run(sql, 5)
    assert prepared_statements_like("repeated_statement") == []
    run(sql, 1)
    assert len(prepared_statements_like("repeated_statement")) == 1


def test_a_statement_marked_planned_each_run_is_never_prepared():
    run(f"SELECT %s::int AS marked_statement {PLANNED_EACH_RUN}", 20)
    assert prepared_statements_like("marked_statement") == []

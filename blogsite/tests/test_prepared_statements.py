"""On PostgreSQL a worker's repeated statements are prepared once (docs/decisions/0091)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements"),
]


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_statement_run_again_and_again_is_prepared_once():
    for pk in range(8):
        list(ContentType.objects.filter(pk=pk, model__gte=str(pk)).values_list("app_label"))
    repeated = [sql for sql in prepared_statements() if '"model" >= $' in sql]
    assert len(repeated) == 1  # its parameters are bound by the server, not written into it


def test_a_statement_run_a_few_times_is_not():
    for pk in range(3):
        list(ContentType.objects.filter(pk=pk, app_label__gte=str(pk)).values_list("model"))
    assert not [sql for sql in prepared_statements() if '"app_label" >= $' in sql]

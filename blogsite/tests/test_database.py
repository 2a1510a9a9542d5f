"""Our PostgreSQL backend: it prepares the statements a worker repeats, except those marked to be
planned each run (blogsite/database/__init__.py, docs/decisions/0091), reads timestamps with
psycopg's compiled loader and checks a kept connection by its socket (blogsite/database/base.py)."""

import datetime
import select

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from blogsite.database import PLANNED_EACH_RUN

POSTGRESQL = connection.vendor == "postgresql"
PREPARING = POSTGRESQL and connection.settings_dict["OPTIONS"].get("prepare_threshold")
pytestmark = pytest.mark.django_db
needs_prepared_statements = pytest.mark.skipif(
    not PREPARING, reason="PostgreSQL's prepared statements, on unless DATABASE_PREPARED_STATEMENTS=false"
)


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


@needs_prepared_statements
def test_a_statement_run_again_and_again_is_prepared_on_its_sixth_run():
    sql = "SELECT %s::int AS repeated_statement"
    run(sql, 5)
    assert prepared_statements_like("repeated_statement") == []
    run(sql, 1)
    assert len(prepared_statements_like("repeated_statement")) == 1


@needs_prepared_statements
def test_a_statement_marked_planned_each_run_is_never_prepared():
    run(f"SELECT %s::int AS marked_statement {PLANNED_EACH_RUN}", 20)
    assert prepared_statements_like("marked_statement") == []


@pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL's timestamps")
def test_timestamps_are_read_in_c_as_the_aware_utc_datetimes_django_expects():
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
    from psycopg.pq import Format

    from blogsite.database.base import COMPILED_TIMESTAMPTZ_LOADER

    with connection.cursor() as cursor:
        assert cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT) is COMPILED_TIMESTAMPTZ_LOADER
        cursor.execute("SELECT %s::timestamptz", ["2026-03-29 01:30:00.000250+02"])
        (read,) = cursor.fetchone()
    assert read == datetime.datetime(2026, 3, 28, 23, 30, 0, 250, tzinfo=datetime.UTC)
    assert read.tzinfo is datetime.UTC


@pytest.fixture
def kept_connection():
    """A second connection to the test database, kept open between requests as a worker keeps its own."""
    kept = connections.create_connection(DEFAULT_DB_ALIAS)
    kept.ensure_connection()
    yield kept
    kept.close()


def checked_at_next_request(kept) -> None:
    kept.health_check_done = False  # as Django marks it when a request starts
    kept.close_if_health_check_failed()


@pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL's kept connections")
def test_a_quiet_kept_connection_is_trusted_without_a_round_trip(kept_connection, monkeypatch):
    monkeypatch.setattr(kept_connection, "is_usable", lambda: pytest.fail("SELECT 1 was sent"))
    checked_at_next_request(kept_connection)
    assert kept_connection.connection is not None and kept_connection.health_check_done


@pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL's kept connections")
def test_a_connection_the_server_ended_is_closed_and_the_next_query_reconnects(kept_connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [kept_connection.connection.info.backend_pid])
    socket = kept_connection.connection.pgconn.socket
    assert select.select([socket], [], [], 5)[0], "the server said nothing on the ended connection"
    checked_at_next_request(kept_connection)
    assert kept_connection.connection is None
    with kept_connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)

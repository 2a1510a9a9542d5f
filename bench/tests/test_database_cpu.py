"""The benchmark reads the database's CPU per request from the backends of the server's database."""

import os

import pytest
from django.db import connection

from bench.driver import database_cpu_seconds

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backends"),
]


def test_it_counts_the_work_of_the_databases_backends():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        if not os.path.exists(f"/proc/{cursor.fetchone()[0]}/stat"):
            pytest.skip("PostgreSQL runs on another machine")
        before = database_cpu_seconds(connection.settings_dict["NAME"])
        cursor.execute("SELECT count(*) FROM generate_series(1, 3000000)")
    assert database_cpu_seconds(connection.settings_dict["NAME"]) - before >= 0.05


def test_it_has_nothing_to_count_for_a_database_no_backend_serves():
    assert database_cpu_seconds("no_such_database") is None

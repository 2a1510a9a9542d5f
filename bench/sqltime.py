"""How long the database takes for each page: every query a page runs, timed by EXPLAIN ANALYZE.

    CACHE_DISABLED=true DATABASE_URL=… python bench/sqltime.py URL [URL …]

Renders each URL once through Django's full request handling (the first read of a post
makes its related-posts ranking), then again, capturing its queries; each query is run under
``EXPLAIN (ANALYZE)`` five times and its median planning plus execution time kept. Prints one
line per page (total ms, query count) and one per query, slowest first. Only on PostgreSQL.
"""

import json
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = 5


def query_ms(sql: str) -> float:
    """The median planning plus execution time of ``sql``, in milliseconds."""
    times = []
    with connection.cursor() as cursor:
        for _ in range(RUNS):
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            times.append(plan[0]["Planning Time"] + plan[0]["Execution Time"])
    return statistics.median(times)


def page_sql(url: str) -> tuple[float, list[tuple[float, str]]]:
    client = Client(HTTP_HOST="localhost")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        status = client.get(url).status_code
    assert status == 200, (url, status)
    timed = [(query_ms(q["sql"]), q["sql"]) for q in captured.captured_queries]
    return sum(ms for ms, _ in timed), timed


def main():
    for url in sys.argv[1:]:
        total, timed = page_sql(url)
        print(f"{total:8.2f} ms  {len(timed)} queries  {url}")
        for ms, sql in sorted(timed, reverse=True):
            print(f"    {ms:7.2f} ms  {' '.join(sql.split())[:160]}")


if __name__ == "__main__":
    main()

"""Count the SQL queries one anonymous request to each URL makes, with the server's own settings.

    python bench/queries.py HOST URL…   (environment as for the server being measured)

Runs each URL through Django's full request handling (every middleware, the same cache),
twice: the first request may fill the cache as the benchmark's warm-up did; the second is
counted, so with the cache on it is the count of a cache hit. Prints JSON.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def count_queries(host: str, url: str) -> dict:
    """The status and query count of the second of two fresh, cookie-less requests to ``url``."""
    Client(HTTP_HOST=host).get(url)
    with CaptureQueriesContext(connection) as captured:
        response = Client(HTTP_HOST=host).get(url)
    return {
        "status": response.status_code,
        "queries": len(captured.captured_queries),
        "sql": [query["sql"][:300] for query in captured.captured_queries],
    }


def main():
    host, *urls = sys.argv[1:]
    print(json.dumps({url: count_queries(host, url) for url in urls}))


if __name__ == "__main__":
    main()

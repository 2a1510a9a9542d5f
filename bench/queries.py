"""Count the SQL queries one anonymous request to each URL makes, with the server's own settings.

    python bench/queries.py HOST '[[URL, COOKIE], …]'   (environment as for the server measured)

Runs each URL through Django's full request handling (every middleware, the same cache),
twice: the first request may fill the cache as the benchmark's warm-up did; the second is
counted, so with the cache on it is the count of a cache hit. A URL's cookie (may be empty)
is sent with both: a signed-in reader's session. Prints JSON.
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


def count_queries(host: str, url: str, cookie: str = "") -> dict:
    """The status and query count of the second of two fresh requests to ``url``."""
    headers = {"HTTP_HOST": host, **({"HTTP_COOKIE": cookie} if cookie else {})}
    Client(**headers).get(url)
    with CaptureQueriesContext(connection) as captured:
        response = Client(**headers).get(url)
    return {
        "status": response.status_code,
        "queries": len(captured.captured_queries),
        "sql": [query["sql"][:300] for query in captured.captured_queries],
    }


def main():
    host, urls = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps({url: count_queries(host, url, cookie) for url, cookie in urls}))


if __name__ == "__main__":
    main()

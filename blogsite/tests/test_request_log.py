import io
import json
import logging
import time
import weakref

import pytest
from django.test import Client

from blogsite.logs import BatchedStreamHandler, JsonFormatter

pytestmark = pytest.mark.django_db


def request_lines(caplog):
    return [r for r in caplog.records if r.name == "blogsite.requests"]


def test_it_logs_one_json_line_per_request(client, caplog):
    caplog.set_level(logging.INFO, logger="blogsite.requests")
    response = client.get("/?page=1")
    [record] = request_lines(caplog)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["time"].endswith("+00:00")
    assert entry["request_id"] == response["X-Request-ID"]
    assert entry["method"] == "GET"
    assert entry["path"] == "/"  # never the query string: it may hold tokens
    assert entry["status"] == 200
    assert isinstance(entry["duration_ms"], float)
    assert entry["user_id"] is None


def test_it_logs_the_signed_in_users_id(client, author, caplog):
    client.force_login(author)
    caplog.set_level(logging.INFO, logger="blogsite.requests")
    client.get("/")
    [record] = request_lines(caplog)
    assert record.fields["user_id"] == author.pk


def test_it_logs_cache_hits_and_probes_too(client, caplog):
    caplog.set_level(logging.INFO, logger="blogsite.requests")
    for url in ("/healthz", "/", "/"):
        client.get(url)
    assert [r.fields["path"] for r in request_lines(caplog)] == ["/healthz", "/", "/"]


def test_it_keeps_a_well_formed_request_id(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.2:abc_DEF")
    assert response["X-Request-ID"] == "lb-7f3a.2:abc_DEF"


@pytest.mark.parametrize("given", ["", "a" * 129, "evil\nnext-line", "<script>", "id with spaces"])
def test_it_replaces_a_malformed_request_id(client, given):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32


class JsonLines(logging.Handler):
    """What the console handler writes, one formatted line per record, as it is emitted."""

    def __init__(self):
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def test_every_line_of_a_failing_request_carries_its_id_and_the_traceback(settings):
    settings.ROOT_URLCONF = "blogsite.tests.urls"
    client = Client(raise_request_exception=False)
    handler = JsonLines()
    logging.getLogger().addHandler(handler)
    try:
        response = client.get("/boom/", HTTP_X_REQUEST_ID="trace-me")
    finally:
        logging.getLogger().removeHandler(handler)
    assert response.status_code == 500
    entries = [json.loads(line) for line in handler.lines]
    [error] = [e for e in entries if e["logger"] == "django.request"]
    [request] = [e for e in entries if e["logger"] == "blogsite.requests"]
    assert error["request_id"] == request["request_id"] == "trace-me"
    assert "ValueError: a bug with a secret" in error["traceback"]
    assert "Traceback" not in response.content.decode()


def batched_logger(stream, **options):
    handler = BatchedStreamHandler(stream, **options)
    logger = logging.getLogger(f"batched-{id(handler)}")
    logger.propagate, logger.handlers = False, [handler]
    logger.setLevel(logging.INFO)
    return logger, handler


def test_lines_are_written_together_within_the_interval():
    stream = io.StringIO()
    logger, _ = batched_logger(stream, interval=0.05)
    logger.info("one")
    logger.info("two")
    assert stream.getvalue() == ""  # held, not yet written
    deadline = time.monotonic() + 2
    while not stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert stream.getvalue() == "one\ntwo\n"


def test_a_warning_is_written_at_once_after_the_lines_before_it():
    stream = io.StringIO()
    logger, _ = batched_logger(stream, interval=60)
    logger.info("request")
    logger.warning("trouble")
    assert stream.getvalue() == "request\ntrouble\n"


def test_lines_are_written_when_enough_are_held_and_at_exit():
    stream = io.StringIO()
    logger, handler = batched_logger(stream, interval=60, capacity=10)
    logger.info("12345")
    assert stream.getvalue() == ""
    logger.info("67890")  # 12 characters held: over the capacity
    assert stream.getvalue() == "12345\n67890\n"
    logger.info("last")
    logging.shutdown([weakref.ref(handler)])  # as at exit
    assert stream.getvalue().endswith("67890\nlast\n")

import time

import pytest

from blogsite import health

pytestmark = pytest.mark.django_db


def test_healthz_always_answers_without_io(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_probes_answer_any_host_name(client):
    # Load balancers probe by address, which is rarely in ALLOWED_HOSTS.
    assert client.get("/healthz", HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.0.0.7:8000").status_code == 200


def test_readyz_is_200_when_the_database_and_cache_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}, "failed": []}


def test_readyz_names_the_failing_check(client, monkeypatch):
    def refuse():
        raise OSError("connection refused by 10.1.2.3")

    monkeypatch.setitem(health.CHECKS, "database", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "error", "cache": "ok"},
        "failed": ["database"],
    }
    assert "10.1.2.3" not in response.content.decode()


def test_readyz_gives_up_on_a_check_that_hangs(client, monkeypatch):
    monkeypatch.setattr(health, "READY_TIMEOUT_SECONDS", 0.3)
    monkeypatch.setitem(health.CHECKS, "cache", lambda: time.sleep(2))
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "timeout"}

import pytest
from django.test import Client


@pytest.fixture
def client(settings):
    settings.ROOT_URLCONF = "blogsite.tests.urls"
    return Client(raise_request_exception=False)


def test_it_answers_a_styled_503_when_the_database_is_down(client):
    response = client.get("/db-down/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert "Back in a moment" in content
    assert "/static/css/site" in content
    assert "10.1.2.3" not in content
    assert "Traceback" not in content


def test_it_answers_an_api_outage_with_problem_json(client):
    response = client.get("/api/db-down")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "The service is briefly unavailable. Please retry shortly.",
    }


def test_a_bug_is_a_500_without_its_traceback(client, caplog):
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "hunter2" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    api = client.get("/api/boom")
    assert (api.status_code, api["Content-Type"]) == (500, "application/problem+json")
    assert "hunter2" not in api.content.decode()
    # The server's log has it all.
    logged = [r for r in caplog.records if r.exc_info]
    assert any("hunter2" in str(r.exc_info[1]) for r in logged)

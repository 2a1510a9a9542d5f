import re

import pytest

pytestmark = pytest.mark.django_db


def test_it_serves_an_openapi_document_of_every_endpoint(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    operations = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}
    assert operations == {
        ("GET", "/api/posts"),
        ("POST", "/api/posts"),
        ("GET", "/api/posts/{post_id}"),
        ("PUT", "/api/posts/{post_id}"),
        ("PATCH", "/api/posts/{post_id}"),
        ("DELETE", "/api/posts/{post_id}"),
        ("POST", "/api/auth/login"),
        ("POST", "/api/auth/logout"),
        ("GET", "/api/users"),
        ("GET", "/api/users/{user_id}"),
        ("GET", "/api/profile"),
        ("PATCH", "/api/profile"),
        ("GET", "/api/media"),
        ("POST", "/api/media"),
        ("GET", "/api/media/{image_id}"),
        ("PATCH", "/api/media/{image_id}"),
        ("DELETE", "/api/media/{image_id}"),
    }


def test_it_documents_the_upload_as_multipart(client):
    upload = client.get("/api/openapi.json").json()["paths"]["/api/media"]["post"]
    body = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(body["required"]) == {"file"}
    assert {"413", "415", "400"} <= set(upload["responses"])


def test_it_documents_errors_as_problem_details_and_who_may_call(client):
    schema = client.get("/api/openapi.json").json()
    detail = schema["paths"]["/api/posts/{post_id}"]
    assert list(detail["get"]["responses"]["404"]["content"]) == ["application/problem+json"]
    assert "304" in detail["get"]["responses"] and "412" in detail["patch"]["responses"]
    assert {} in detail["get"]["security"]  # visitors welcome
    assert {} not in detail["patch"]["security"]  # signed in only
    assert "Retry-After" in detail["get"]["responses"]["429"]["headers"]
    assert "ETag" in detail["get"]["responses"]["200"]["headers"]
    assert "ETag" in detail["patch"]["responses"]["200"]["headers"]
    assert "Location" in schema["paths"]["/api/posts"]["post"]["responses"]["201"]["headers"]
    assert schema["components"]["schemas"]["PostIn"]["additionalProperties"] is False
    assert "email" not in schema["components"]["schemas"]["UserOut"]["properties"]
    assert "email" in schema["components"]["schemas"]["MeOut"]["properties"]


def test_the_docs_page_loads_nothing_from_other_hosts(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/openapi.json" in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(asset.startswith("/static/") for asset in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.urls("bench.urls")
def test_it_answers_the_floor_with_a_constant_response(client):
    response = client.get("/bench/floor/")
    assert response.status_code == 200
    assert response.content == b"floor\n"


@pytest.mark.urls("bench.urls")
def test_it_serves_the_whole_site_beside_the_floor(client):
    assert client.get("/").status_code == 200
    assert client.get("/no-such-page/").status_code == 404


def test_the_site_itself_has_no_floor(client):
    assert client.get("/bench/floor/").status_code == 404


def test_the_bare_floor_is_a_django_project_with_only_common_middleware():
    script = (
        "from bench.floor.wsgi import application\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='127.0.0.1')\n"
        "r = c.get('/bench/floor/')\n"
        "print(r.status_code, len(r.content), settings.MIDDLEWARE, c.get('/bench/floor').status_code)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.floor.settings"}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    # CommonMiddleware at work: the address without its slash is redirected.
    assert out.split() == ["200", "5120", "['django.middleware.common.CommonMiddleware']", "301"]

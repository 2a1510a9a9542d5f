"""Password resets (issue 13, finding 7, and the note on task results): links only on SITE_URL,
requests limited per address and per account without telling which accounts exist, and no
link or token kept in the task queue."""

import json
import re

import pytest
from django.conf import settings
from django.core import mail
from django_tasks_db.models import DBTaskResult

from conftest import run_worker

pytestmark = pytest.mark.django_db


def request_reset(client, email="asha@example.com", address="10.0.0.1", **extra):
    return client.post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=address, **extra)


def test_finding_7_reset_links_are_on_site_url_whatever_host_the_request_named(client, author, settings):
    settings.SITE_URL = "https://blog.example.org"
    settings.ALLOWED_HOSTS = ["blog.example.org", "evil.example"]
    request_reset(client, HTTP_HOST="evil.example")
    [message] = mail.outbox
    assert "evil.example" not in message.body + message.alternatives[0][0]
    assert re.search(r"^https://blog\.example\.org/accounts/reset/\S+/$", message.body, re.MULTILINE)


def test_review_requests_link_to_site_url_whatever_host_the_request_named(
    client, contributor, editor, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://blog.example.org"
    settings.ALLOWED_HOSTS = ["blog.example.org", "evil.example"]
    client.force_login(contributor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/dashboard/posts/new/",
            {"title": "For review", "body": "words", "action": "submit"},
            HTTP_HOST="evil.example",
        )
    [message] = mail.outbox
    assert "evil.example" not in message.body
    assert "https://blog.example.org/dashboard/posts/" in message.body


def test_finding_7_reset_requests_are_limited_per_address(client, author):
    for n in range(settings.BLOG_PASSWORD_RESETS):
        assert (
            request_reset(client, f"someone{n}@example.com")["Location"] == "/accounts/password_reset/done/"
        )
    for email in ["asha@example.com", "nobody@example.com"]:  # the same answer, account or not
        response = request_reset(client, email)
        assert response.status_code == 429 and int(response["Retry-After"]) > 0
        assert "Too many reset requests" in response.content.decode()
    assert mail.outbox == []
    assert request_reset(client, address="10.0.0.2").status_code == 302  # another address


def test_finding_7_reset_requests_are_limited_per_account_without_saying_so(client, author):
    for n in range(settings.BLOG_PASSWORD_RESETS + 2):
        response = request_reset(client, "ASHA@example.com", address=f"10.0.1.{n}")
        assert response["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == settings.BLOG_PASSWORD_RESETS


@pytest.mark.django_db(transaction=True)
def test_a_queued_reset_holds_no_link_or_token_before_or_after_it_runs(client, author, database_queue):
    request_reset(client)
    [queued] = DBTaskResult.objects.all()
    assert (queued.task_path, queued.args_kwargs) == (
        "accounts.tasks.send_password_reset",
        {"args": [], "kwargs": {"user_id": author.pk}},
    )
    run_worker()
    [message] = mail.outbox
    token = re.search(r"/accounts/reset/[^/]+/([^/\s]+)/", message.body).group(1)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    stored = json.dumps([queued.args_kwargs, queued.return_value]) + queued.traceback
    assert token not in stored and "/accounts/reset/" not in stored


@pytest.mark.django_db(transaction=True)
def test_a_reset_the_mail_server_refused_is_retried_with_the_user_id_only(
    client, author, database_queue, flaky_mail
):
    flaky_mail.failures = 1
    request_reset(client)
    run_worker()
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.return_value == {"sent": False, "attempt": 1}
    assert retry.args_kwargs == {"args": [], "kwargs": {"user_id": author.pk, "attempt": 2}}

"""E-mails queued before sending moved from accounts to blogsite still go out."""

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from accounts import tasks
from conftest import run_worker


@pytest.mark.django_db(transaction=True)
def test_an_email_queued_under_its_old_path_still_goes_out(database_queue):
    # As the code before the move queued it: the row names accounts.tasks.deliver_email.
    tasks.deliver_email.enqueue(to=["edith@example.com"], subject="Queued long ago", body="Body")
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "accounts.tasks.deliver_email"
    run_worker()
    assert [m.subject for m in mail.outbox] == ["Queued long ago"]
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_an_old_email_that_fails_is_retried_under_the_new_path(database_queue, flaky_mail):
    flaky_mail.failures = 1
    tasks.deliver_email.enqueue(to=["edith@example.com"], subject="Queued long ago", body="Body")
    run_worker()
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert (first.status, retry.status) == ("SUCCESSFUL", "READY")
    assert retry.task_path == "blogsite.tasks.deliver_email"
    assert retry.args_kwargs["kwargs"] == {
        "to": ["edith@example.com"],
        "subject": "Queued long ago",
        "body": "Body",
        "html_body": None,
        "attempt": 2,
    }

from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from accounts import tasks
from accounts.emails import send_email


class FlakyBackend(EmailBackend):
    """A mail server that drops the first ``failures`` messages, then delivers."""

    failures = 0
    attempts = 0

    def send_messages(self, messages):
        FlakyBackend.attempts += 1
        if FlakyBackend.attempts <= FlakyBackend.failures:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.attempts = 0
    return FlakyBackend


@pytest.fixture
def database_queue(settings):
    """The production queue: tasks wait in the database until a worker runs them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_it_sends_an_email_through_the_task(db):
    send_email(to=["asha@example.com"], subject="Hello", body="Plain", html_body="<p>Rich</p>")
    [message] = mail.outbox
    assert (message.to, message.subject, message.body) == (["asha@example.com"], "Hello", "Plain")
    assert message.alternatives[0][0] == "<p>Rich</p>"


def test_it_retries_when_the_mail_server_fails(db, flaky_mail):
    flaky_mail.failures = 2
    send_email(to=["asha@example.com"], subject="Try again", body="Body")
    assert flaky_mail.attempts == 3
    assert [m.subject for m in mail.outbox] == ["Try again"]


def test_it_gives_up_after_the_last_attempt(db, flaky_mail):
    flaky_mail.failures = 100
    send_email(to=["asha@example.com"], subject="Never", body="Body")
    assert flaky_mail.attempts == tasks.MAX_ATTEMPTS
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_queued_email_waits_for_the_worker_and_then_goes_out(database_queue):
    send_email(to=["edith@example.com"], subject="Review waiting", body="A post needs you.")
    assert mail.outbox == []
    [queued] = DBTaskResult.objects.all()
    assert queued.status == "READY"
    run_worker()
    assert [m.subject for m in mail.outbox] == ["Review waiting"]
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_is_queued_again_for_later(database_queue, flaky_mail):
    flaky_mail.failures = 1
    send_email(to=["edith@example.com"], subject="Later", body="Body")
    run_worker()
    assert mail.outbox == []
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == "SUCCESSFUL"  # it did its job: queue the retry
    assert retry.status == "READY"
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after is not None  # not before a delay: the worker left it waiting

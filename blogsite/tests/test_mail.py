"""E-mail: rendered from templates, queued in the database, sent and retried by the worker."""

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from blogsite import tasks
from blogsite.mail import render_email, send_email
from conftest import run_worker


def send_plain(to, subject, body, html_body=None):
    """Queue a message already rendered, as send_email does after rendering its templates."""
    tasks.deliver_email.enqueue(to=to, subject=subject, body=body, html_body=html_body)


def test_it_sends_an_email_through_the_task(db):
    send_plain(["asha@example.com"], "Hello", "Plain", "<p>Rich</p>")
    [message] = mail.outbox
    assert (message.to, message.subject, message.body) == (["asha@example.com"], "Hello", "Plain")
    assert message.alternatives[0][0] == "<p>Rich</p>"


def test_it_retries_when_the_mail_server_fails(db, flaky_mail):
    flaky_mail.failures = 2
    send_plain(["asha@example.com"], "Try again", "Body")
    assert flaky_mail.attempts == 3
    assert [m.subject for m in mail.outbox] == ["Try again"]


def test_it_gives_up_after_the_last_attempt(db, flaky_mail):
    flaky_mail.failures = 100
    send_plain(["asha@example.com"], "Never", "Body")
    assert flaky_mail.attempts == tasks.MAX_ATTEMPTS
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_queued_email_waits_for_the_worker_and_then_goes_out(database_queue):
    send_plain(["edith@example.com"], "Review waiting", "A post needs you.")
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
    send_plain(["edith@example.com"], "Later", "Body")
    run_worker()
    assert mail.outbox == []
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == "SUCCESSFUL"  # it did its job: queue the retry
    assert retry.status == "READY"
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after is not None  # not before a delay: the worker left it waiting


def test_a_message_is_rendered_from_its_templates_with_the_sites_name_and_address(settings, editor, author):
    settings.SITE_NAME, settings.SITE_URL = "The Daily Blog", "https://blog.example.com"
    post = author.posts.create(title="Tea & <cake>", body="x")
    email = render_email("review_requested", {"editor": editor, "writer": author, "post": post, "link": "L"})
    assert email.subject == "[The Daily Blog] Review requested: Tea & <cake>"
    assert "Asha Author submitted “Tea & <cake>” for review" in email.body  # plain text: nothing escaped
    assert email.body.rstrip().endswith("The Daily Blog, https://blog.example.com")
    assert "Tea &amp; &lt;cake&gt;" in email.html_body  # HTML: escaped
    assert '<a href="https://blog.example.com/">The Daily Blog</a>' in email.html_body


def test_send_email_queues_the_rendered_message(db, editor, author, mailoutbox):
    post = author.posts.create(title="Ready", body="x")
    send_email(
        to=[editor.email],
        name="review_requested",
        context={"editor": editor, "writer": author, "post": post, "link": "https://blog.example.com/x"},
    )
    [message] = mailoutbox
    assert message.subject == "[Blogsite] Review requested: Ready"
    assert "https://blog.example.com/x" in message.body
    assert message.alternatives[0][1] == "text/html"

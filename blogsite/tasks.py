"""Background tasks, run by ``manage.py db_worker``.

E-mail goes out from a task so that a slow or failing mail server never slows or breaks a
page, and a message queued while the worker is down waits in the database until it runs.
"""

import logging
from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

MAX_ATTEMPTS = 5

logger = logging.getLogger(__name__)


def retry_delay(attempt: int) -> timedelta:
    """Wait longer after each failure: 1, 4, 9, 16 minutes."""
    return timedelta(minutes=attempt**2)


def send_or_retry(message: EmailMultiAlternatives, *, attempt: int, retry: Task, **arguments) -> dict:
    """Send ``message``; if the mail server fails, queue ``retry`` with ``arguments`` for a later
    attempt, up to ``MAX_ATTEMPTS``. What a task returns is kept in its result: no secrets here."""
    try:
        message.send()
    except (SMTPException, OSError):
        if attempt >= MAX_ATTEMPTS:
            raise  # the task is kept as failed, with its traceback, for an operator to see
        logger.warning(
            "Sending %r failed (attempt %d); retrying later", message.subject, attempt, exc_info=True
        )
        if retry.get_backend().supports_defer:
            retry = retry.using(run_after=timezone.now() + retry_delay(attempt))
        retry.enqueue(**arguments, attempt=attempt + 1)
        return {"sent": False, "attempt": attempt}
    return {"sent": True, "attempt": attempt}


def email_message(*, to: list[str], subject: str, body: str, html_body: str | None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message


@task()
def deliver_email(*, to: list[str], subject: str, body: str, html_body: str | None = None, attempt: int = 1):
    """Send one e-mail already rendered (see blogsite/mail.py), retrying when the server fails.

    Its arguments are kept in the queue and shown in the admin's task results: never queue a
    message that holds a secret this way (a password reset has its own task, which makes the
    link when it runs)."""
    message = email_message(to=to, subject=subject, body=body, html_body=html_body)
    return send_or_retry(
        message, attempt=attempt, retry=deliver_email, to=to, subject=subject, body=body, html_body=html_body
    )

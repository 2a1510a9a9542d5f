"""Background tasks of the accounts app.

``send_password_reset`` makes a reset link when it runs, so the link and its token are never
stored in the queue or in the task results the admin shows.

``deliver_email`` stays at this path for e-mails queued before sending moved to
blogsite/tasks.py: the database queue names each task by its import path, so a row
written by the old code still finds a task here and is sent by blogsite's.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from blogsite import mail, tasks


@task()
def send_password_reset(*, user_id: int, attempt: int = 1):
    """E-mail an active user a link to choose a new password; retried as a whole when the
    mail server fails, so a retry, too, holds nothing but the user id."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return {"sent": False, "attempt": attempt}
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    email = mail.render_email("password_reset", {"user": user, "link": mail.link(path)})
    message = tasks.email_message(
        to=[user.email], subject=email.subject, body=email.body, html_body=email.html_body
    )
    return tasks.send_or_retry(message, attempt=attempt, retry=send_password_reset, user_id=user_id)


@task()
def deliver_email(*, to: list[str], subject: str, body: str, html_body: str | None = None, attempt: int = 1):
    """An e-mail queued under the old path: sent, and retried, by ``blogsite.tasks.deliver_email``."""
    return tasks.deliver_email.call(to=to, subject=subject, body=body, html_body=html_body, attempt=attempt)

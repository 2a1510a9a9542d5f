"""Background tasks of the accounts app.

``deliver_email`` stays at this path for e-mails queued before sending moved to
blogsite/tasks.py: the database queue names each task by its import path, so a row
written by the old code still finds a task here and is sent by blogsite's.
"""

from django_tasks import task

from blogsite import tasks


@task()
def deliver_email(*, to: list[str], subject: str, body: str, html_body: str | None = None, attempt: int = 1):
    """An e-mail queued under the old path: sent, and retried, by ``blogsite.tasks.deliver_email``."""
    return tasks.deliver_email.call(to=to, subject=subject, body=body, html_body=html_body, attempt=attempt)

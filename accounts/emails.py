"""Every e-mail Blogsite sends goes through ``send_email``: one place to queue, retry and log."""

from .tasks import deliver_email


def send_email(*, to: list[str], subject: str, body: str, html_body: str | None = None) -> None:
    """Queue one e-mail to these addresses; the background worker sends it (see accounts/tasks.py)."""
    deliver_email.enqueue(to=list(to), subject=subject, body=body, html_body=html_body)

"""Every e-mail Blogsite sends goes through ``send_email``: one place to queue, retry and log."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives


def send_email(*, to: list[str], subject: str, body: str, html_body: str | None = None) -> None:
    """Send one e-mail to these addresses."""
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()

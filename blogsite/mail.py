"""Every e-mail Blogsite sends: rendered from ``templates/emails/``, then queued for the worker.

A message called ``review_requested`` is up to three templates: ``emails/review_requested_subject.txt``,
``emails/review_requested.txt`` and, where a formatted version helps, ``emails/review_requested.html``.
Each is rendered with the caller's context plus ``site_name`` and ``site_url``. Every link in
an e-mail is made by ``link()``, on ``SITE_URL``: never on the host a request named, which
its sender chooses (a password reset link pointing at an attacker's host gives them the token).
"""

from dataclasses import dataclass

from django.conf import settings
from django.template import TemplateDoesNotExist, loader

from .tasks import deliver_email

# Where links point when SITE_URL is unset, which the checks allow only with DEBUG on (checks.py).
DEVELOPMENT_URL = "http://localhost:8000"


@dataclass(frozen=True)
class Email:
    subject: str
    body: str
    html_body: str | None


def site_url() -> str:
    """The base of every link in an e-mail: SITE_URL (the development server's without it)."""
    return settings.SITE_URL or DEVELOPMENT_URL


def link(path: str) -> str:
    """An absolute link for an e-mail to ``path`` (as ``reverse()`` gives it)."""
    return site_url() + path


def render_email(name: str, context: dict) -> Email:
    """The message ``name`` rendered from its templates; the subject on one line."""
    context = {"site_name": settings.SITE_NAME, "site_url": site_url()} | context
    subject = " ".join(loader.render_to_string(f"emails/{name}_subject.txt", context).split())
    body = loader.render_to_string(f"emails/{name}.txt", context)
    try:
        html = loader.get_template(f"emails/{name}.html")
    except TemplateDoesNotExist:
        return Email(subject, body, None)  # plain text says it all
    return Email(subject, body, html.render(context))


def send_email(*, to: list[str], name: str, context: dict) -> None:
    """Render the message ``name`` now and queue it; the background worker sends it."""
    email = render_email(name, context)
    deliver_email.enqueue(to=list(to), subject=email.subject, body=email.body, html_body=email.html_body)

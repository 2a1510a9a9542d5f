"""Fixtures shared by every app's tests: one user of each role, and a post factory."""

import functools
import hashlib
import os
import re
import time
from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.handlers.base import BaseHandler
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.template.backends import jinja2 as jinja2_backend
from django.test.signals import template_rendered
from django.utils import timezone

from accounts.models import Role, User
from blogsite import ratelimit
from posts.models import Post, Tag

PASSWORD = "correct-horse-battery-staple"

# Every deployment sets SITE_URL (blogsite/checks.py); so do the tests, for the manage.py
# processes some of them start (the site_url fixture below sets it in this process).
os.environ.setdefault("SITE_URL", "http://testserver")


@functools.cache
def _hashed_password():
    """PASSWORD hashed once with the real (Argon2) hasher: hashing it for every user costs ~0.3 s each."""
    return make_password(PASSWORD)


def make_user(username, role=Role.CONTRIBUTOR, **extra):
    user = User(username=username, role=role, email=f"{username}@example.com", **extra)
    user.password = _hashed_password()
    user.save()
    return user


@pytest.fixture(scope="session", autouse=True)
def collected_static_files():
    """Pages link hashed static files, as in production: collect them once per run."""
    call_command("collectstatic", interactive=False, verbosity=0)


# Made the same in every page, so that pages differing only in them are checked once.
_UNIQUE_PER_REQUEST = re.compile(r'(\bnonce|name="csrfmiddlewaretoken" value)="[^"]*"')


@pytest.fixture(scope="session", autouse=True)
def html_dump():
    """With HTML_DUMP_DIR set, keep every HTML page the tests receive, for the W3C Nu checker in CI.

    Test client and live server both answer through Django's ``BaseHandler.get_response``.
    Pages are saved once per content, with CSRF tokens and CSP nonces made constant first, so
    a page rendered by a hundred tests is checked once.
    """
    folder = os.environ.get("HTML_DUMP_DIR")
    if not folder:
        yield
        return
    os.makedirs(folder, exist_ok=True)
    get_response = BaseHandler.get_response

    def get_response_and_keep_html(self, request):
        response = get_response(self, request)
        is_html = response.get("Content-Type", "").startswith("text/html")
        if is_html and not response.streaming and response.content.strip():
            page = _UNIQUE_PER_REQUEST.sub(r'\1="x"', response.content.decode())
            name = hashlib.sha256(page.encode()).hexdigest()[:20]
            with open(os.path.join(folder, f"{name}.html"), "w", encoding="utf-8") as file:
                file.write(page)
        return response

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseHandler, "get_response", get_response_and_keep_html)
        yield


@pytest.fixture(scope="session", autouse=True)
def jinja2_contexts():
    """``response.context`` for Jinja2 pages, as Django's test runner gives it for its own
    templates: the backend's templates announce what they render with Django's signal."""
    render = jinja2_backend.Template.render

    def render_and_announce(self, context=None, request=None):
        html = render(self, context, request)
        template_rendered.send(sender=self, template=self, context=context)
        return html

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jinja2_backend.Template, "render", render_and_announce)
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: no page, session or rate-limit count leaks between tests."""
    cache.clear()


@pytest.fixture(autouse=True)
def rate_limit_windows_start_with_the_test(monkeypatch):
    """Every rate-limit window (a minute, a quarter of an hour, an hour) starts just before each
    test, so none ends halfway through one and starts counting again: the limits' clock is
    moved to a second past midnight, and runs on from there."""
    shift = -time.time() % 86400 + 1
    monkeypatch.setattr(ratelimit, "clock", lambda: time.time() + shift)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Uploaded images go to a fresh folder per test, never into the project's uploads/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("uploads")
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def site_url(settings):
    """The blog's public address, which every deployment sets (blogsite/checks.py): here the
    test client's own host, so pages and e-mails link where the tests browse."""
    settings.SITE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def tasks_run_immediately(settings):
    """Background tasks (e-mail) run as they are enqueued; a test that needs the queue overrides this."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


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
    settings.EMAIL_BACKEND = "conftest.FlakyBackend"
    FlakyBackend.attempts = 0
    return FlakyBackend


@pytest.fixture
def database_queue(settings):
    """The production queue: tasks wait in the database until a worker runs them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def run_worker():
    """One pass of the background worker over the tasks waiting in the database."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.fixture
def contributor(db):
    return make_user("cora", Role.CONTRIBUTOR, display_name="Cora Contributor")


@pytest.fixture
def author(db):
    return make_user("asha", Role.AUTHOR, display_name="Asha Author", bio="Writes about databases.")


@pytest.fixture
def other_author(db):
    return make_user("ben", Role.AUTHOR, display_name="Ben Author")


@pytest.fixture
def editor(db):
    return make_user("edith", Role.EDITOR, display_name="Edith Editor")


@pytest.fixture
def admin_user(db):
    return make_user("root", Role.ADMIN)


@pytest.fixture
def make_post(db):
    """Make a post; published an hour ago unless told otherwise."""

    def make(
        author,
        title="A post",
        *,
        body="Some **text**.",
        status=Post.Status.PUBLISHED,
        published_at=None,
        tags=(),
    ):
        if status == Post.Status.PUBLISHED and published_at is None:
            published_at = timezone.now() - timedelta(hours=1)
        post = Post(title=title, body=body, author=author, status=status, published_at=published_at)
        post.save()
        if tags:
            post.tags.set(Tag.from_names(tags))
        return post

    return make


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright; skipped where it is missing (never in CI)."""

    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is required for the browser tests in CI.")
        pytest.skip("Chromium is not installed.")
    # Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are still sync.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, with /static/ served by WhiteNoise as in production.

    Pages link the hashed names that collectstatic made; pytest-django's default static
    handler looks files up with the finders, which only know the unhashed names (a 404).
    """
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer(request.config.getvalue("liveserver") or "localhost", start=False)
    server.thread.static_handler = lambda app: app  # WhiteNoiseMiddleware serves STATIC_ROOT
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (own cookies) pointed at the live test server."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()

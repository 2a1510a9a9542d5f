"""The site's template language: Jinja2 through Django's own backend (docs/decisions/0063).

Every page of the site is a Jinja2 template under ``templates/``; Django's template language
is left to the admin. Jinja2 compiles a template to Python once, so a page costs a fraction
of what Django's template language costs to walk its node tree (bench/run).

What every template has besides its view's context (and Django's ``request``,
``csrf_input`` and ``csrf_token``): ``url("posts:tag", slug)`` (a remembered ``reverse()``),
``static("css/site.css")``, and Django's own filters where Jinja2's differ or lack one
(``date``, ``truncatechars``, ``linebreaksbr``, ``pluralize``, ``urlencode``,
``filesizeformat``), plus ``machine_datetime`` for ``<time datetime>`` and ``remembered()``
for markup shown on many pages (``tuple`` makes a list one of its keys). Apps add their own
helpers with ``add_globals()`` from their ``AppConfig.ready()``, as they plug into the page cache.
"""

import contextlib
import functools
import threading
import unicodedata
import weakref
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaultfilters
from django.templatetags.static import static as static_url
from django.utils import timezone, translation
from django.utils.text import add_truncation_text, calculate_truncate_chars_length
from django.utils.translation import pgettext
from jinja2 import Environment, Template

from blogsite.links import cached_reverse, view_routing

APP_GLOBALS: dict[str, Callable] = {}


def add_globals(**helpers: Callable) -> None:
    """Offer ``helpers`` to every template by name; an app calls it from its ``ready()``."""
    APP_GLOBALS.update(helpers)


def url(viewname: str, *args) -> str:
    """``url("posts:tag", tag.slug)``: ``reverse()``, remembered (blogsite/links.py)."""
    return cached_reverse(viewname, *(str(arg) for arg in args))


@functools.lru_cache(maxsize=256)
def static(path: str) -> str:
    """A static file's hashed address; looking it up in the manifest costs more than the page's links."""
    return static_url(path)


@receiver(setting_changed)
def _forget_static(setting, **kwargs):
    if setting in ("STATIC_URL", "STORAGES"):
        static.cache_clear()


class Remembered:
    """``remembered(key, macro, *args)``: ``macro(*args)``, made once for each ``key`` (everything
    the markup is made of: a card's columns and tags), macro, time zone, language and routing,
    then given again (docs/decisions/0103). A list page's cards were most of its rendering, and
    the same cards are on the home, tag and author pages, and again after a change to one post.

    A key that names all a markup shows cannot give stale markup: a changed title, name or cover
    is another key. At most ``limit`` markups (``LIMIT`` unless told) and ``LIMIT_CHARACTERS``
    characters of them are kept, the oldest dropped first; an environment that reloads changed
    templates (``DEBUG``) keeps none, and a changed setting forgets them all. The API remembers
    its public lists' posts the same way, as written JSON (its length in bytes).
    """

    LIMIT = 4096  # some 1.5 KB a card, 3 KB a dashboard list
    LIMIT_CHARACTERS = 4 * 1024 * 1024  # a few MB a worker, whatever the markups' sizes

    def __init__(self, *, keep: bool, limit: int | None = None):
        self.keep, self.limit = keep, limit or self.LIMIT
        self.made, self.characters, self.lock = {}, 0, threading.Lock()
        _REMEMBERING.add(self)

    def __call__(self, key, macro, *args) -> str:
        if not self.keep:
            return macro(*args)
        key = (key, macro, *_zone_and_language(), *view_routing())
        made = self.made.get(key)
        if made is None:
            made = macro(*args)
            with self.lock:
                while self.made and (
                    len(self.made) >= self.limit or self.characters + len(made) > self.LIMIT_CHARACTERS
                ):
                    self.characters -= len(self.made.pop(next(iter(self.made))))
                if key not in self.made:  # another thread may have made it meanwhile
                    self.made[key] = made
                    self.characters += len(made)
        return made

    def forget(self) -> None:
        with self.lock:
            self.made.clear()
            self.characters = 0


_REMEMBERING: "weakref.WeakSet[Remembered]" = weakref.WeakSet()


@receiver(setting_changed)
def _forget_markup(**kwargs):
    for remembered in list(_REMEMBERING):
        remembered.forget()


# The time zone and language of the render running now (``LocalisedTemplate``).
_RENDER_LOCALE: ContextVar[tuple | None] = ContextVar("render_locale", default=None)


@contextlib.contextmanager
def localised():
    """The active time zone and language, read once for everything made inside, not once a date
    or a remembered markup: each is an asgiref Local read of some 5 µs, and a page of ten cards
    shows thirty dates."""
    token = _RENDER_LOCALE.set((timezone.get_current_timezone(), translation.get_language()))
    try:
        yield
    finally:
        _RENDER_LOCALE.reset(token)


class LocalisedTemplate(Template):
    """A template that reads the active time zone and language once a render (``localised``)."""

    def render(self, *args, **kwargs) -> str:
        with localised():
            return super().render(*args, **kwargs)


def _zone_and_language() -> tuple:
    return _RENDER_LOCALE.get() or (timezone.get_current_timezone(), translation.get_language())


def date(value, format: str) -> str:
    """Django's ``date`` filter, in the site's time zone: Django's own templates convert a
    datetime to local time before their date filters see it; Jinja2 does not."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return _local_date(value, format, *_zone_and_language())
    return defaultfilters.date(value, format)


def machine_datetime(value: datetime | None) -> str:
    """A ``<time datetime>`` value browsers and validators accept: whole seconds, local time, its offset.

    HTML allows at most three digits of fractional seconds; Django's ``date:'c'`` prints six.
    """
    if not value:
        return ""
    if timezone.is_aware(value):
        return _local_date(value, "", _zone_and_language()[0], "")
    return value.isoformat(timespec="seconds")


@functools.lru_cache(maxsize=8192)
def _local_date(value: datetime, format: str, zone, language: str) -> str:
    # A list page shows the same few dates to every reader; formatting one (time zone, month
    # names) costs more than the rest of its card.
    local = timezone.localtime(value, zone)
    return defaultfilters.date(local, format) if format else local.isoformat(timespec="seconds")


def truncatechars(value, length: int) -> str:
    """Django's ``truncatechars``, which walks every character of the text in Python to skip
    combining ones: on a post page, two summaries cost more than its card of tags. Text whose
    first ``length + 1`` characters are none of them (ASCII has none) is cut where Django cuts
    it, without the walk; text already as short as ``length`` comes back as Django gives it (NFC)."""
    text, length = unicodedata.normalize("NFC", str(value)), int(length)
    if len(text) <= length:
        return text
    if length > 0 and (text.isascii() or not any(map(unicodedata.combining, text[: length + 1]))):
        ending, kept = _truncation(_zone_and_language()[1], length)
        return add_truncation_text(text[:kept], ending)
    return defaultfilters.truncatechars(text, length)


@functools.lru_cache(maxsize=256)
def _truncation(language: str, length: int) -> tuple[str, int]:
    """What ends a text cut short in ``language`` ("…", translated as Django has it), and how many
    of the text's characters fit in ``length`` with it: Django looks the translation up twice
    for each text it cuts."""
    ending = pgettext("String to return when truncating text", "%(truncated_text)s…")
    return ending, calculate_truncate_chars_length(length, ending)


def environment(**options) -> Environment:
    """The Jinja2 environment of ``TEMPLATES``; autoescaping is always on, whatever the options say."""
    options.pop("autoescape", None)
    options.setdefault("keep_trailing_newline", True)  # a page or an e-mail ends as its file does
    env = Environment(autoescape=True, **options)
    env.template_class = LocalisedTemplate
    remembered = Remembered(keep=not env.auto_reload)
    env.globals.update(url=url, static=static, remembered=remembered, **APP_GLOBALS)
    env.filters.update(
        date=date,
        truncatechars=truncatechars,
        linebreaksbr=defaultfilters.linebreaksbr,
        pluralize=defaultfilters.pluralize,
        urlencode=defaultfilters.urlencode,
        filesizeformat=defaultfilters.filesizeformat,
        machine_datetime=machine_datetime,
        tuple=tuple,  # a list made a key of remembered()
    )
    return env

"""The helpers every template has (blogsite/jinja2.py): links, static files, dates, escaping."""

from datetime import UTC, datetime

import pytest
from django.template import defaultfilters, engines
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from blogsite.jinja2 import Remembered, environment, truncatechars


def render(source, **context):
    return engines["jinja2"].from_string(source).render(context)


def test_url_gives_what_reverse_gives():
    assert render("{{ url('posts:tag', slug) }} {{ url('posts:home') }}", slug="python") == "/tags/python/ /"
    assert render("{{ url('posts:post_edit', 7) }}") == reverse("posts:post_edit", args=[7])


def test_an_unknown_link_fails_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        render("{{ url('posts:nowhere') }}")


def test_static_gives_the_hashed_address():
    assert render("{{ static('css/site.css') }}").startswith("/static/css/site.")


def test_dates_are_shown_in_the_site_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    moment = datetime(2026, 7, 15, 22, 30, tzinfo=UTC)
    html = render("{{ moment|date('j F Y, H:i') }} {{ moment|machine_datetime }}", moment=moment)
    assert html == "16 July 2026, 00:30 2026-07-16T00:30:00+02:00"


def test_text_is_escaped_unless_marked_safe():
    assert render("{{ text }}", text="<b>&'") == "&lt;b&gt;&amp;&#39;"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "short",
        "exactly ten",
        "longer than ten characters",
        "ten chars  then spaces",
        "cafe\u0301 au lait",
        "e\u0301" * 12,
        "naïve café — “quoted” ✓ 日本語 and more words after them",
        "q\u0307 has a dot no precomposed letter carries: q\u0307q\u0307q\u0307q\u0307",
    ],
)
@pytest.mark.parametrize("language", ["en", "zh-hans", "fr"])
def test_truncatechars_gives_what_djangos_gives(text, language):
    with translation.override(language):  # what ends a cut text is each language's own
        for length in (-1, 0, 1, 10, 11, 30, 160):
            assert truncatechars(text, length) == defaultfilters.truncatechars(text, length)


def test_a_render_reads_the_active_time_zone_and_language_once(settings, monkeypatch):
    settings.TIME_ZONE = "Europe/Paris"
    reads = []
    read_zone = timezone.get_current_timezone
    monkeypatch.setattr(timezone, "get_current_timezone", lambda: reads.append(1) or read_zone())
    moments = [datetime(2026, 7, day, 22, 30, tzinfo=UTC) for day in range(1, 31)]
    each = "{% for m in moments %}{{ m|date('j F') }} {{ m|machine_datetime }};{% endfor %}"
    html = render(each, moments=moments)
    assert html.startswith("2 July 2026-07-02T00:30:00+02:00;") and html.count(";") == 30
    assert len(reads) == 1
    with timezone.override("Asia/Tokyo"):  # and the next render, the zone active then
        assert render("{{ m|date('j F, H:i') }}", m=moments[0]) == "2 July, 07:30"


def made_by(calls):
    def markup(name):
        calls.append(name)
        return f"<b>{name}</b>"

    return markup


def test_remembered_markup_is_made_once_for_each_key_zone_and_language():
    remembered, calls = Remembered(keep=True), []
    markup = made_by(calls)
    assert remembered(("a", 1), markup, "a") == remembered(("a", 1), markup, "a") == "<b>a</b>"
    assert calls == ["a"]
    remembered(("a", 2), markup, "a")  # anything the markup is made of changed
    with timezone.override("Asia/Tokyo"):
        remembered(("a", 1), markup, "a")
    with translation.override("fr"):
        remembered(("a", 1), markup, "a")
    assert calls == ["a"] * 4


def test_remembered_markup_is_made_again_by_another_macro():
    remembered, calls = Remembered(keep=True), []
    remembered(("a",), made_by(calls), "a")
    remembered(("a",), made_by(calls), "a")
    assert calls == ["a", "a"]


def test_at_most_the_limit_is_remembered_the_oldest_dropped_first(monkeypatch):
    monkeypatch.setattr(Remembered, "LIMIT", 3)
    remembered, calls = Remembered(keep=True), []
    markup = made_by(calls)
    for name in "abcd":
        remembered((name,), markup, name)
    assert len(remembered.made) == 3
    remembered(("d",), markup, "d")
    remembered(("a",), markup, "a")
    assert calls == ["a", "b", "c", "d", "a"]


def test_at_most_so_many_characters_are_remembered_the_oldest_dropped_first(monkeypatch):
    monkeypatch.setattr(Remembered, "LIMIT_CHARACTERS", 3 * len("<b>a</b>"))
    remembered, calls = Remembered(keep=True), []
    markup = made_by(calls)
    for name in "abcd":
        remembered((name,), markup, name)
    assert list(remembered.made.values()) == ["<b>b</b>", "<b>c</b>", "<b>d</b>"]
    assert remembered.characters == 3 * len("<b>a</b>")
    remembered.forget()
    assert (remembered.made, remembered.characters) == ({}, 0)


def test_templates_that_reload_remember_nothing():
    remembering = environment(auto_reload=True).globals["remembered"]
    calls = []
    remembering(("a",), made_by(calls), "a")
    remembering(("a",), made_by(calls), "a")
    assert calls == ["a", "a"]
    assert environment(auto_reload=False).globals["remembered"].keep


def test_a_changed_setting_forgets_remembered_markup(settings):
    remembered, calls = Remembered(keep=True), []
    remembered(("a",), made_by(calls), "a")
    settings.MEDIA_URL = "/elsewhere/"  # a cover's addresses change
    assert remembered.made == {}

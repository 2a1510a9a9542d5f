"""Whatever a writer types, a saved post's HTML carries no scripts or dangerous URLs."""

from html.parser import HTMLParser

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

EXTERNAL_REL = 'rel="nofollow noopener noreferrer"'


class _URLCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("href", "src", "action", "formaction")]


def urls_in(html):
    """Every URL a browser would follow or load from this HTML (entities decoded, as browsers do)."""
    collector = _URLCollector()
    collector.feed(html)
    return collector.urls


@pytest.fixture
def saved(make_post, author):
    """Save a post with this Markdown body and give back the HTML readers get."""

    def render(body):
        return make_post(author, "Sanitised", body=body).body_html

    return render


def test_it_drops_script_tags_and_their_content(saved):
    html = saved("Hello <script>alert('pwned')</script> world\n\n<script src=/x.js></script>")
    assert "<script" not in html
    assert "pwned" not in html
    assert "Hello" in html


def test_it_drops_event_handler_attributes(saved):
    html = saved('<img src="/cat.png" onerror="alert(1)">\n\n<p onclick="steal()" onmouseover="x()">hi</p>')
    assert "onerror" not in html
    assert "onclick" not in html
    assert "onmouseover" not in html
    assert '<img src="/cat.png" ' in html


@pytest.mark.parametrize(
    "body",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        '<a href="JaVaScRiPt:alert(1)">click</a>',
        '<a href="&#106;avascript:alert(1)">click</a>',
        '<a href="&#x6A;avascript&#58;alert(1)">click</a>',
        '<a href="java\tscript:alert(1)">click</a>',
        '<a href=" javascript:alert(1)">click</a>',
        '<a href="vbscript:msgbox(1)">click</a>',
    ],
)
def test_it_removes_javascript_links(saved, body):
    html = saved(body)
    assert urls_in(html) == []
    assert "click" in html


@pytest.mark.parametrize(
    "body",
    [
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<a href="data:text/html,<script>alert(1)</script>">click</a>',
        '<a href="DaTa:text/html,hi">click</a>',
        "![pixel](data:image/png;base64,iVBORw0KGgo=)",
        '<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="pixel">',
        '<img src="javascript:alert(1)" alt="pixel">',
    ],
)
def test_it_removes_data_urls_from_links_and_images(saved, body):
    assert urls_in(saved(body)) == []


def test_it_drops_svg_with_script(saved):
    html = saved('<svg onload="alert(1)"><script>alert(2)</script><circle r="4"/></svg>')
    assert "<svg" not in html
    assert "onload" not in html
    assert "alert" not in html


def test_it_drops_iframes_objects_and_embeds(saved):
    html = saved(
        '<iframe src="https://evil.example/"></iframe><object data="x.swf"></object><embed src="x.swf">'
    )
    assert "<iframe" not in html
    assert "<object" not in html
    assert "<embed" not in html
    assert "evil.example" not in html


def test_it_drops_forms_and_inputs(saved):
    html = saved('<form action="https://evil.example/"><input name="password"><button>Go</button></form>')
    assert "<form" not in html
    assert "<input" not in html
    assert "<button" not in html
    assert "evil.example" not in html


def test_it_drops_style_attributes_and_style_tags(saved):
    html = saved('<p style="position:fixed;top:0">styled</p>\n\n<style>body { display: none }</style>')
    assert "style=" not in html
    assert "<style" not in html
    assert "display" not in html
    assert "<p>styled</p>" in html


def test_it_keeps_harmless_raw_html_and_strips_the_rest(saved):
    html = saved(
        '<div class="x" id="y"><b>bold</b> and <kbd>Ctrl</kbd></div>\n\n<base href="https://evil.example/">'
    )
    assert "<b>bold</b>" in html
    assert "<kbd>Ctrl</kbd>" in html
    assert "<div" not in html
    assert "<base" not in html
    assert 'id="y"' not in html


def test_it_drops_meta_refresh_and_html_comments(saved):
    html = saved('<meta http-equiv="refresh" content="0;url=https://evil.example/">\n\n<!-- secret note -->')
    assert "<meta" not in html
    assert "secret note" not in html


def test_it_marks_external_links_nofollow(saved):
    html = saved("[elsewhere](https://example.org/page)")
    assert f'<a href="https://example.org/page" {EXTERNAL_REL}>elsewhere</a>' in html


def test_it_marks_external_raw_html_links_whatever_the_attribute_order(saved):
    html = saved('<a title="Away" href="https://example.org/" rel="opener" target="_blank">away</a>')
    assert EXTERNAL_REL in html
    assert "opener" not in html.replace("noopener", "")
    assert "target" not in html


def test_it_marks_protocol_relative_links_as_external(saved):
    assert EXTERNAL_REL in saved("[elsewhere](//example.org/page)")


def test_it_leaves_internal_links_alone(saved):
    html = saved(
        "[home](/) and [a post](/posts/hello/) and [relative](hello/) and [mail](mailto:a@b.example)"
    )
    assert "rel=" not in html
    assert '<a href="/posts/hello/">a post</a>' in html


@override_settings(SITE_URL="https://Blog.Example.com")
def test_it_treats_links_to_the_sites_own_host_as_internal(saved):
    html = saved("[ours](https://blog.example.com/posts/x/) [theirs](https://example.org/)")
    assert '<a href="https://blog.example.com/posts/x/">ours</a>' in html
    assert f'<a href="https://example.org/" {EXTERNAL_REL}>theirs</a>' in html


def test_it_renders_tables_with_alignment_classes(saved):
    html = saved("| Left | Right |\n|:-----|------:|\n| a | b |")
    assert '<table tabindex="0">' in html  # keyboard users can scroll a wide table
    assert '<th class="align-left">Left</th>' in html
    assert '<td class="align-right">b</td>' in html
    assert "style=" not in html


def test_it_renders_strikethrough(saved):
    assert "<s>gone</s>" in saved("~~gone~~")


def test_it_highlights_code_blocks_on_the_server(saved):
    html = saved('```python\ndef greet():\n    return "hi"\n```')
    assert '<pre class="highlight" tabindex="0"><code>' in html
    assert '<span class="k">def</span>' in html
    assert '<span class="nf">greet</span>' in html


def test_it_escapes_code_in_unknown_languages(saved):
    html = saved("```nosuchlanguage\n<script>alert(1)</script>\n```")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html


def test_it_escapes_html_in_inline_code(saved):
    assert "<code>&lt;iframe&gt;</code>" in saved("Use `<iframe>` sparingly.")


def test_it_makes_an_excerpt_and_reading_time_from_the_text_only(make_post, author):
    post = make_post(author, "Long", body="<script>alert(1)</script>" + "word " * 690)
    assert "alert" not in post.summary
    assert post.summary.startswith("word word")
    assert len(post.summary) <= 200
    assert post.reading_time_minutes == 3


def test_it_renders_again_when_the_body_changes(make_post, author):
    post = make_post(author, "Edited", body="*first*")
    post.body = "**second** <script>x()</script>"
    post.save()
    post.refresh_from_db()
    assert post.body_html == "<p><strong>second</strong> </p>\n"


def test_it_makes_the_excerpt_from_paragraphs_not_headings_or_code(make_post, author):
    body = "# Title inside\n\nFirst words.\n\n## A heading\n\n```python\nx = 1\n```\n\nSecond *words*."
    assert make_post(author, "Prose", body=body).summary == "First words. Second words."


def test_it_makes_an_excerpt_for_a_post_without_paragraphs(make_post, author):
    assert make_post(author, "Listy", body="- one\n- two & three").summary == "one two & three"


def test_it_keeps_an_excerpt_the_writer_gave(make_post, author):
    post = make_post(author, "Given", body="Body words.")
    post.excerpt = "  In short: a summary.  "
    post.save()
    assert post.summary == "In short: a summary."


def test_it_cuts_a_long_excerpt_at_a_word(make_post, author):
    summary = make_post(author, "Long", body="Readable words, " * 30).summary
    assert len(summary) <= 200
    assert summary.endswith("words…")


def test_it_loads_images_lazily_and_lets_keyboards_scroll_wide_blocks(saved):
    html = saved('![a cat](/cat.png)\n\n<img src="/x.png" loading="eager">\n\n```\ncode\n```')
    assert html.count('loading="lazy"') == html.count('decoding="async"') == 2
    assert 'loading="eager"' not in html
    assert '<pre tabindex="0">' in html

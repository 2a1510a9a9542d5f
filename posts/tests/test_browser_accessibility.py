"""In a real browser: axe-core finds no accessibility violations, nothing loads from other
hosts, and a phone-sized screen never scrolls sideways.

axe-core comes from the npm registry (package.json; `make test` runs `npm ci` when it is
missing) and is injected into each page.
"""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from posts.models import Post

pytestmark = pytest.mark.browser

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
PHONE = {"width": 375, "height": 812}

BODY = """Reading well on any screen matters. Here is a [link to the docs](https://docs.example.org/a/very/long/path/that/should/wrap/on/a/phone/screen/without/scrolling).

## A section

Averyveryverylongwordwithoutanyspacesthatcouldpushthepagewiderthanthephonescreenifwedidnotbreakit.

```python
def reading_time(words: int, pace: int = 230) -> int:
    return max(1, round(words / pace))  # a long comment that makes this line wider than a phone
```

| Column one | Column two | Column three | Column four | Column five |
|---|:-:|--:|---|---|
| a cell with words | another cell | 12,345 | more words here | the last cell |

> A quotation, *emphasised*, with `inline code`.

1. First
2. Second
"""


@pytest.fixture
def site(author, other_author, make_post):
    """A small blog: enough posts for pagination, tags, related posts and search results."""
    for n in range(11):
        make_post(other_author, f"Earlier note {n}", body="Notes about databases.", tags=["notes"])
    make_post(author, "Related reading", body="More on databases.", tags=["databases"])
    post = make_post(author, "Reading on a phone", body=BODY, tags=["databases", "design"])
    make_post(author, "A draft", status=Post.Status.DRAFT)
    return post


@pytest.fixture(params=["light", "dark"])
def color_scheme(request):
    return request.param


@pytest.fixture
def new_tab(browser, live_server):
    """Open tabs in fresh contexts; the CSP is bypassed only so that axe can be injected."""
    contexts = []

    def open_tab(user=None, **options):
        context = browser.new_context(base_url=live_server.url, bypass_csp=True, **options)
        context.set_default_timeout(10_000)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def axe_violations(page):
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results["violations"]
    ]


def public_pages(post):
    return {
        "home": "/",
        "home page 2": "/?page=2",
        "post": post.get_absolute_url(),
        "tag": "/tags/databases/",
        "tags": "/tags/",
        "author": post.author.get_absolute_url(),
        "search": "/search/?q=databases",
        "search, nothing found": "/search/?q=zzzz",
        "sign-in": "/accounts/login/",
        "not found": "/no-such-page/",
    }


def writer_pages(post):
    return {
        "editor, new post": "/dashboard/posts/new/",
        "editor": post.get_edit_url(),
        "dashboard": "/dashboard/",
    }


def test_public_pages_have_no_accessibility_violations(site, new_tab, color_scheme):
    page = new_tab(color_scheme=color_scheme)
    found = {}
    for name, url in public_pages(site).items():
        page.goto(url)
        found[name] = axe_violations(page)
    assert found == {name: [] for name in found}


def test_writer_pages_have_no_accessibility_violations(site, author, new_tab, color_scheme):
    page = new_tab(user=author, color_scheme=color_scheme)
    found = {}
    for name, url in writer_pages(site).items():
        page.goto(url)
        found[name] = axe_violations(page)
    assert found == {name: [] for name in found}


def test_the_sign_in_form_shows_errors_accessibly(site, new_tab):
    page = new_tab()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("asha")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert axe_violations(page) == []


@pytest.mark.parametrize("where", ["/", "post"])
def test_pages_load_nothing_from_other_hosts(site, page, live_server, where):
    own = urlsplit(live_server.url).netloc
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site.get_absolute_url() if where == "post" else where, wait_until="networkidle")
    assert requested, "the listener saw the page load"
    assert [url for url in requested if urlsplit(url).netloc != own] == []


def test_a_phone_never_scrolls_sideways(site, author, new_tab):
    pages = {**public_pages(site), **writer_pages(site)}
    page = new_tab(user=author, viewport=PHONE, is_mobile=True, has_touch=True)
    too_wide = {}
    for name, url in pages.items():
        page.goto(url)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            too_wide[name] = width
    assert too_wide == {}


def test_the_skip_link_is_first_and_moves_focus_to_the_content(site, page):
    page.goto(site.get_absolute_url())
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()  # it shows itself when focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_the_header_search_finds_a_post(site, page):
    page.goto("/")
    page.get_by_role("searchbox", name="Search posts").fill("phone")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=phone")
    assert page.get_by_role("link", name="Reading on a phone").is_visible()
    assert page.locator(".snippet mark").count() >= 1


def test_printing_uses_paper_colours_and_leaves_out_navigation(site, new_tab):
    page = new_tab(color_scheme="dark")
    page.goto(site.get_absolute_url())
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != "rgb(255, 255, 255)"
    page.emulate_media(media="print")
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    assert (
        page.evaluate("() => getComputedStyle(document.querySelector('.prose pre')).color")
        != "rgb(233, 231, 226)"
    )
    for hidden in (".site-header", ".site-footer", ".post-nav", ".related"):
        assert not page.locator(hidden).is_visible(), hidden
    assert page.get_by_role("heading", level=1).is_visible()


def test_structured_data_and_search_pages_break_no_content_security_rule(site, page):
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "CSP" in message.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.log('CSP', e.violatedDirective, e.blockedURI))"
    )
    for url in ("/", site.get_absolute_url(), "/search/?q=phone", "/tags/", "/feed/"):
        page.goto(url)
    page.goto(site.get_absolute_url())
    data = page.evaluate(
        "() => JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').text)"
    )
    assert data["headline"] == "Reading on a phone"
    assert violations == []

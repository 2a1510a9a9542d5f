"""Pages (About, Contact): a post that lives at /<slug>/, out of every list, and can sit in the navigation."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.template import engines
from django.utils import timezone

from posts.models import Post, reserved_slugs

pytestmark = pytest.mark.django_db


@pytest.fixture
def about(author):
    page = Post(title="About me", body="I write about *lakes*.", author=author, is_page=True)
    page.publish()
    return page


def test_it_serves_a_page_at_its_top_level_address(client, about):
    assert about.get_absolute_url() == "/about-me/"
    response = client.get("/about-me/")
    assert response.status_code == 200
    assert "<em>lakes</em>" in response.content.decode()
    assert client.get("/posts/about-me/").status_code == 404


def test_it_keeps_pages_out_of_lists_feeds_tags_search_and_the_sitemap(client, about, make_post, author):
    about.tags.set([])
    post = make_post(author, "A lakes post", body="About lakes.", tags=["lakes"])
    about.tags.add(post.tags.get())
    for url in [
        "/",
        "/tags/lakes/",
        f"/authors/{author.username}/",
        "/feed/",
        "/sitemap.xml",
        "/search/?q=lakes",
    ]:
        text = client.get(url).content.decode()
        assert "About me" not in text and "/about-me/" not in text, url
    assert list(Post.objects.public()) == [post]
    assert client.get("/api/posts").json()["count"] == 1


def test_a_page_visitors_may_not_read_does_not_exist_for_them(client, author, editor):
    draft = Post.objects.create(title="Contact", author=author, is_page=True)
    assert draft.get_absolute_url().startswith("/contact--")  # provisional until it is published
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(editor)
    assert "This page is not published" in client.get(draft.get_absolute_url()).content.decode()
    assert client.get("/contact/").status_code == 404


def test_finding_9_a_hidden_page_takes_no_address_from_anyone(author, other_author):
    """Issue 13, finding 9, for pages: a draft page holding /contact/ made the next one /contact-2/."""
    Post.objects.create(title="Contact", author=author, is_page=True)
    page = Post(title="Contact", body="Write to me.", author=other_author, is_page=True)
    page.save()
    assert page.slug.startswith("contact--")
    page.publish()
    assert page.get_absolute_url() == "/contact/"


def test_a_page_never_takes_one_of_the_sites_own_addresses(author):
    reserved = reserved_slugs()
    for name in [
        "admin",
        "accounts",
        "api",
        "posts",
        "tags",
        "authors",
        "search",
        "feed",
        "dashboard",
        "sitemap.xml",
        "robots.txt",
        "static",
        "media",
        "healthz",
        "readyz",
    ]:
        assert name in reserved, name
    page = Post(title="Feed", body="x", author=author, is_page=True)
    page.publish()
    assert page.slug == "feed-2"
    post = Post(title="Feed", body="x", author=author)
    post.publish()
    assert post.slug == "feed"  # a post lives under /posts/: no clash
    post.is_page = True
    with pytest.raises(ValidationError, match="one of the site's own addresses"):
        post.full_clean()


def test_admins_put_pages_in_the_navigation_in_their_order(client, about, author):
    contact = Post(title="Contact", body="Write to me.", author=author, is_page=True, nav_order=1)
    contact.publish()
    hidden = Post(title="Imprint", body="Legal.", author=author, is_page=True)
    hidden.publish()
    about.nav_order = 2
    about.save()
    soon = Post(title="Soon", body="Later.", author=author, is_page=True, nav_order=3)
    soon.publish(at=timezone.now() + timedelta(days=1))
    html = client.get("/tags/").content.decode()
    nav = html[html.index('aria-label="Site"') : html.index("</nav>")]
    assert nav.index('href="/contact/"') < nav.index('href="/about-me/"')
    assert "/imprint/" not in nav and "/soon/" not in nav


def header_markups() -> list[str]:
    """The site headers the layout remembers (templates/_chrome.html), one for each navigation."""
    remembered = engines["jinja2"].env.globals["remembered"]
    made = remembered.made.items()
    return [markup for (_key, macro, *_rest), markup in made if macro.name == "site_header"]


def test_the_layout_of_a_reader_not_signed_in_is_made_once_for_each_navigation(client, about, author):
    engines["jinja2"].env.globals["remembered"].forget()
    first = client.get("/tags/").content.decode()
    assert client.get("/").content.decode().count(header_markups()[0]) == 1
    assert len(header_markups()) == 1 and header_markups()[0] in first
    assert "Sign in" in header_markups()[0] and 'href="/about-me/"' not in header_markups()[0]

    about.nav_order = 1
    about.save()  # the navigation changed: another header
    assert 'href="/about-me/"' in client.get("/tags/").content.decode()
    assert len(header_markups()) == 2

    client.force_login(author)  # a signed-in reader's header is theirs: never remembered
    html = client.get("/tags/").content.decode()
    assert "Sign out" in html and 'href="/dashboard/"' in html and "Sign in" not in html
    assert len(header_markups()) == 2

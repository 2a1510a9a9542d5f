"""RSS and Atom feeds, read back with a real XML parser."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from posts.models import Post

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"


def rss_items(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    [channel] = root.findall("channel")
    assert channel.findtext("title") and channel.findtext("link").startswith("http")
    return channel.findall("item")


def atom_entries(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id") and root.findtext(f"{ATOM}updated")
    return root.findall(f"{ATOM}entry")


@pytest.fixture
def posts(author, other_author, make_post):
    """Two public posts, and one of each kind readers must never see."""
    make_post(author, "Older public", body="Older **body**.", tags=["django"],
              published_at=timezone.now() - timedelta(days=2))  # fmt: skip
    make_post(other_author, "Newest public", body="Hello <em>world</em> & more.", tags=["django", "postgres"])
    make_post(author, "A draft", status=Post.Status.DRAFT, tags=["django"])
    make_post(author, "In review", status=Post.Status.REVIEW, tags=["django"])
    make_post(author, "Scheduled", published_at=timezone.now() + timedelta(days=1), tags=["django"])


def test_it_lists_public_posts_in_rss_with_full_content(client, posts):
    items = rss_items(client.get("/feed/"))
    assert [item.findtext("title") for item in items] == ["Newest public", "Older public"]
    newest = items[0]
    assert newest.findtext("link") == "http://testserver/posts/newest-public/"
    assert newest.findtext("guid") == "http://testserver/posts/newest-public/"
    assert newest.findtext(DC_CREATOR) == "Ben Author"
    assert [c.text for c in newest.findall("category")] == ["django", "postgres"]
    assert "<em>world</em> &amp; more" in newest.findtext(CONTENT)
    assert newest.findtext("pubDate")
    assert "@" not in ElementTree.tostring(newest, encoding="unicode")  # no e-mail addresses leak


def test_it_lists_public_posts_in_atom_with_full_content(client, posts):
    entries = atom_entries(client.get("/feed/atom/"))
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Newest public", "Older public"]
    newest = entries[0]
    assert newest.find(f"{ATOM}link").get("href") == "http://testserver/posts/newest-public/"
    assert newest.findtext(f"{ATOM}author/{ATOM}name") == "Ben Author"
    assert newest.findtext(f"{ATOM}author/{ATOM}uri") == "http://testserver/authors/ben/"
    content = newest.find(f"{ATOM}content")
    assert content.get("type") == "html" and "<em>world</em>" in content.text
    assert [c.get("term") for c in newest.findall(f"{ATOM}category")] == ["django", "postgres"]


def test_it_has_a_feed_per_tag(client, posts):
    items = rss_items(client.get("/tags/postgres/feed/"))
    assert [item.findtext("title") for item in items] == ["Newest public"]
    entries = atom_entries(client.get("/tags/django/feed/atom/"))
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Newest public", "Older public"]


def test_it_has_a_feed_per_author(client, posts):
    items = rss_items(client.get("/authors/asha/feed/"))
    assert [item.findtext("title") for item in items] == ["Older public"]
    entries = atom_entries(client.get("/authors/ben/feed/atom/"))
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Newest public"]


def test_it_answers_404_for_unknown_tags_and_silent_authors(client, posts, contributor):
    assert client.get("/tags/nope/feed/").status_code == 404
    assert client.get("/authors/nobody/feed/").status_code == 404
    assert client.get(f"/authors/{contributor.username}/feed/").status_code == 404


def test_it_uses_site_url_for_links_when_set(client, posts, settings):
    settings.SITE_URL = "https://blog.example.org"
    items = rss_items(client.get("/feed/"))
    assert items[0].findtext("link") == "https://blog.example.org/posts/newest-public/"
    root = ElementTree.fromstring(client.get("/feed/atom/").content)
    self_link = next(link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self")
    assert self_link.get("href") == "https://blog.example.org/feed/atom/"


def test_it_runs_a_constant_number_of_queries(client, author, make_post, django_assert_num_queries, settings):
    settings.BLOG_FEED_LENGTH = 20
    for n in range(25):
        make_post(author, f"Post {n}", tags=[f"tag{n}", "common"])
    # 1 page of posts with their authors, 1 for their tags
    with django_assert_num_queries(2):
        assert len(rss_items(client.get("/feed/"))) == 20
    # the tag, then the same two
    with django_assert_num_queries(3):
        assert len(atom_entries(client.get("/tags/common/feed/atom/"))) == 20


def test_every_page_links_its_feeds_in_head(client, posts):
    home = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in home
    assert 'href="/feed/atom/"' in home
    tag = client.get("/tags/django/").content.decode()
    assert 'href="/tags/django/feed/"' in tag
    author = client.get("/authors/asha/").content.decode()
    assert 'href="/authors/asha/feed/atom/"' in author


def test_a_feed_holds_the_newest_ten_posts_by_default(client, author, make_post):
    for n in range(12):
        make_post(author, f"Post {n}")
    items = rss_items(client.get("/feed/"))
    assert [item.findtext("title") for item in items] == [f"Post {n}" for n in range(11, 1, -1)]


def test_it_answers_404_for_the_feed_of_a_tag_only_drafts_use(client, author, make_post):
    """Issue 13, finding 8: a tag only hidden posts use stays unknown, in its feed as on its page."""
    make_post(author, "Secret plans", status=Post.Status.DRAFT, tags=["secret-project"])
    make_post(author, "Coming soon", published_at=timezone.now() + timedelta(days=1), tags=["launch"])
    for slug in ("secret-project", "launch"):
        assert client.get(f"/tags/{slug}/").status_code == 404
        assert client.get(f"/tags/{slug}/feed/").status_code == 404
        assert client.get(f"/tags/{slug}/feed/atom/").status_code == 404

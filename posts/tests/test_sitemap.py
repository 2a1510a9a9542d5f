"""/sitemap.xml is an index of a sitemap for each section, in pages; together they list exactly
the public addresses."""

from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone
from django.utils.http import http_date

from posts.models import Post
from posts.sitemaps import PostSitemap

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def read(client, url: str, root_tag: str) -> ElementTree.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{NS}{root_tag}"
    return root


def index_entries(client) -> dict[str, str]:
    """The sitemaps /sitemap.xml lists, each with its lastmod."""
    root = read(client, "/sitemap.xml", "sitemapindex")
    return {item.findtext(f"{NS}loc"): item.findtext(f"{NS}lastmod") for item in root.findall(f"{NS}sitemap")}


def sitemap_entries(client, base: str = "http://testserver"):
    """Every address of every sitemap the index lists, each with its lastmod."""
    entries = {}
    for sitemap in index_entries(client):
        assert sitemap.startswith(base), sitemap
        root = read(client, sitemap.removeprefix(base), "urlset")
        found = {url.findtext(f"{NS}loc"): url.findtext(f"{NS}lastmod") for url in root.findall(f"{NS}url")}
        assert not found.keys() & entries.keys(), "each address in one sitemap"
        entries |= found
    return entries


def test_it_lists_exactly_the_public_urls(client, author, other_author, contributor, make_post):
    make_post(author, "Public one", tags=["django"])
    make_post(other_author, "Public two", tags=["postgres", "django"])
    make_post(author, "Draft", status=Post.Status.DRAFT, tags=["secret"])
    make_post(contributor, "Review", status=Post.Status.REVIEW, tags=["hidden"])
    make_post(author, "Later", published_at=timezone.now() + timedelta(days=3), tags=["future"])
    entries = sitemap_entries(client)
    base = "http://testserver"
    assert set(entries) == {
        f"{base}/",
        f"{base}/tags/",
        f"{base}/posts/public-one/",
        f"{base}/posts/public-two/",
        f"{base}/tags/django/",
        f"{base}/tags/postgres/",
        f"{base}/authors/asha/",
        f"{base}/authors/ben/",
    }
    assert all(entries.values()), "every address has a lastmod"


def test_every_listed_url_answers(client, author, make_post):
    make_post(author, "Public one", tags=["django"])
    for url in sitemap_entries(client):
        assert client.get(url.removeprefix("http://testserver")).status_code == 200, url


def test_it_uses_site_url_when_set(client, author, make_post, settings):
    settings.SITE_URL = "https://blog.example.org"
    make_post(author, "Public one")
    assert "https://blog.example.org/sitemap-posts.xml" in index_entries(client)
    assert "https://blog.example.org/posts/public-one/" in sitemap_entries(client, "https://blog.example.org")


def test_a_section_longer_than_a_page_is_listed_in_pages(client, author, make_post, monkeypatch):
    monkeypatch.setattr(PostSitemap, "limit", 2)
    posts = [make_post(author, f"Post {n}", tags=["django"]) for n in range(5)]
    posts[2].title = "Changed last"
    posts[2].save()
    listed = index_entries(client)
    pages = [url for url in listed if "/sitemap-posts.xml" in url]
    assert pages == [f"http://testserver/sitemap-posts.xml{page}" for page in ("", "?p=2", "?p=3")]
    posts[2].refresh_from_db()
    assert {datetime.fromisoformat(listed[url]) for url in pages} == {
        posts[2].updated_at
    }  # the newest change
    entries = sitemap_entries(client)
    assert {f"http://testserver{post.get_absolute_url()}" for post in posts} <= entries.keys()
    assert client.get("/sitemap-posts.xml?p=4").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_the_index_says_when_a_public_post_last_changed_and_each_address_when_it_did(
    client, author, other_author, make_post
):
    make_post(author, "Untagged")
    tagged = make_post(other_author, "Tagged", tags=["django"])
    Post.objects.filter(pk=tagged.pk).update(updated_at=timezone.now() - timedelta(days=2))
    newest, tagged = (Post.objects.get(title=title).updated_at for title in ("Untagged", "Tagged"))
    listed = {url.rsplit("/", 1)[1]: datetime.fromisoformat(at) for url, at in index_entries(client).items()}
    assert listed == dict.fromkeys(
        ["sitemap-pages.xml", "sitemap-posts.xml", "sitemap-tags.xml", "sitemap-authors.xml"], newest
    )
    assert client.get("/sitemap.xml")["Last-Modified"] == http_date(newest.timestamp())
    entries = {url.removeprefix("http://testserver"): at for url, at in sitemap_entries(client).items()}
    day = {at: timezone.localtime(at).date().isoformat() for at in (newest, tagged)}  # as addresses give it
    assert (
        entries["/tags/django/"]
        == entries[f"/authors/{other_author.username}/"]
        == day[tagged]
        != day[newest]
    )
    assert entries[f"/authors/{author.username}/"] == day[newest]


def test_it_runs_a_constant_number_of_queries(client, author, make_post, django_assert_num_queries):
    for n in range(15):
        make_post(author, f"Post {n}", tags=[f"tag{n}"])
    # Each section's lastmod, and the count of each section read from the database (not the lists').
    with django_assert_num_queries(7):
        index_entries(client)
    # The lists' lastmod (once each); a count and a page of each other section.
    queries = {"pages": 2, "posts": 2, "tags": 2, "authors": 2}
    for section, count in queries.items():
        with django_assert_num_queries(count):
            read(client, f"/sitemap-{section}.xml", "urlset")

"""/sitemap.xml lists exactly the public addresses."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from posts.models import Post

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_entries(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{NS}urlset"
    return {url.findtext(f"{NS}loc"): url.findtext(f"{NS}lastmod") for url in root.findall(f"{NS}url")}


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
    assert "https://blog.example.org/posts/public-one/" in sitemap_entries(client)


def test_it_runs_a_constant_number_of_queries(client, author, make_post, django_assert_num_queries):
    for n in range(15):
        make_post(author, f"Post {n}", tags=[f"tag{n}"])
    # pages' lastmod (twice); then a count and a page each of posts, tags and authors
    with django_assert_num_queries(8):
        sitemap_entries(client)

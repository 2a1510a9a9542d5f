"""What search engines and link previews read from each page's <head>."""

import json
import re
from html.parser import HTMLParser

import pytest

from posts.models import Post

pytestmark = pytest.mark.django_db


class HeadReader(HTMLParser):
    """Collects <title>, <meta>, <link> and JSON-LD blocks of a page."""

    def __init__(self):
        super().__init__()
        self.title, self.meta, self.links, self.json_ld, self.lang = "", {}, [], [], None
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "meta" and "content" in attrs:
            self.meta.setdefault(attrs.get("name") or attrs.get("property"), []).append(attrs["content"])
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "title" or (tag == "script" and attrs.get("type") == "application/ld+json"):
            self._in = tag

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "script":
            self.json_ld.append(json.loads(data))

    def handle_endtag(self, tag):
        self._in = None

    def link(self, rel):
        return [link["href"] for link in self.links if link.get("rel") == rel]


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200
    head = HeadReader()
    head.feed(response.content.decode())
    return head


def test_a_post_page_describes_itself(client, author, make_post):
    post = make_post(author, "Indexes explained", body="Why *indexes* help.", tags=["postgres"])
    head = read(client, post.get_absolute_url())
    assert head.lang == "en"
    assert head.title == "Indexes explained · Blogsite"
    assert head.meta["description"] == ["Why indexes help."]
    assert head.link("canonical") == ["http://testserver/posts/indexes-explained/"]
    assert head.meta["og:type"] == ["article"]
    assert head.meta["og:title"] == ["Indexes explained"]
    assert head.meta["og:url"] == ["http://testserver/posts/indexes-explained/"]
    assert head.meta["twitter:card"] == ["summary"]
    assert head.meta["article:tag"] == ["postgres"]
    [data] = head.json_ld
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Indexes explained"
    assert data["author"] == {
        "@type": "Person",
        "name": "Asha Author",
        "url": "http://testserver/authors/asha/",
    }
    assert data["url"] == "http://testserver/posts/indexes-explained/"
    assert data["keywords"] == ["postgres"]
    assert data["datePublished"].startswith(str(post.published_at.year))


def test_json_ld_cannot_break_out_of_its_script(client, author, make_post):
    post = make_post(author, "</script><script>alert(1)</script> & <!--", body="Body.")
    content = client.get(post.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S).group(1)
    assert "<" not in block and ">" not in block
    assert json.loads(block)["headline"] == "</script><script>alert(1)</script> & <!--"


def test_pages_not_yet_public_are_not_indexed(client, author, make_post):
    post = make_post(author, "Draft", status=Post.Status.DRAFT)
    client.force_login(author)
    head = read(client, post.get_absolute_url())
    assert head.meta["robots"] == ["noindex, nofollow"]
    assert head.json_ld == []


def test_list_pages_have_their_own_title_description_and_canonical(client, author, make_post):
    make_post(author, "Tagged", tags=["django"])
    home = read(client, "/")
    assert home.title == "Blogsite"
    assert home.link("canonical") == ["http://testserver/"]
    assert home.meta["og:type"] == ["website"]
    tag = read(client, "/tags/django/")
    assert tag.title == "#django · Blogsite"
    assert tag.meta["description"] == ["Posts tagged django on Blogsite."]
    assert tag.link("canonical") == ["http://testserver/tags/django/"]
    author_page = read(client, "/authors/asha/")
    assert author_page.meta["og:type"] == ["profile"]
    assert author_page.meta["og:title"] == ["Asha Author"]


def test_canonical_keeps_the_page_number_and_drops_other_parameters(client, author, make_post):
    for n in range(11):
        make_post(author, f"Post {n}")
    assert read(client, "/?page=2&utm_source=x").link("canonical") == ["http://testserver/?page=2"]
    assert read(client, "/?page=1").link("canonical") == ["http://testserver/"]


def test_canonical_uses_site_url_when_set(client, settings):
    settings.SITE_URL = "https://blog.example.org"
    assert read(client, "/").link("canonical") == ["https://blog.example.org/"]


def test_the_home_page_tells_search_engines_how_to_search_the_site(client, settings):
    settings.SITE_URL = "https://blog.example.org"
    [data] = read(client, "/").json_ld
    assert data["@type"] == "WebSite" and data["url"] == "https://blog.example.org/"
    target = data["potentialAction"]["target"]
    assert target == "https://blog.example.org/search/?q={search_term_string}"


def test_browsers_can_add_the_site_search(client):
    from xml.etree import ElementTree

    head = read(client, "/tags/")
    assert [link["href"] for link in head.links if link.get("rel") == "search"] == ["/opensearch.xml"]
    response = client.get("/opensearch.xml")
    assert response["Content-Type"] == "application/opensearchdescription+xml"
    root = ElementTree.fromstring(response.content)
    ns = "{http://a9.com/-/spec/opensearch/1.1/}"
    assert root.findtext(f"{ns}ShortName") == "Blogsite"
    urls = {url.get("type"): url.get("template") for url in root.findall(f"{ns}Url")}
    assert urls["text/html"] == "http://testserver/search/?q={searchTerms}"

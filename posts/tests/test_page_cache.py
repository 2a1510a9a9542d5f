import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from django.utils import timezone

from posts.models import Post, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(author, make_post):
    return make_post(author, "Caching in practice", tags=["django"])


def visit(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def warm(client, *urls):
    """Visit each page twice, so each is now served from the cache."""
    for url in urls:
        visit(client, url)
        assert visit(client, url)["X-Cache"] == "hit"


def test_it_serves_a_repeated_anonymous_visit_from_the_cache_without_queries(
    client, post, django_assert_num_queries
):
    first = visit(client, "/")
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = visit(client, "/")
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "Caching in practice" in second.content.decode()


def test_it_keys_pages_on_the_query_string(client, author, make_post):
    for n in range(12):
        make_post(author, f"Post number {n}")
    warm(client, "/")
    page_two = visit(client, "/?page=2")
    assert page_two["X-Cache"] == "miss"
    assert page_two.content != visit(client, "/").content


@pytest.mark.parametrize("url", ["/", "/tags/news/", "/authors/asha/"])
def test_a_page_number_past_the_end_or_not_a_number_is_answered_but_never_kept(
    client, author, make_post, url
):
    """Else every number a visitor tries would keep its own copy of the last page."""
    for n in range(12):
        make_post(author, f"Post number {n}", tags=["news"])
    for number, shown in [
        ("3", "Post number 0"),
        ("99999", "Post number 0"),
        ("abc", "Post number 11"),
        ("", ""),
    ]:
        answers = [visit(client, f"{url}?page={number}") for _ in range(2)]
        assert [a["X-Cache"] for a in answers] == ["miss", "miss"], number
        assert "no-store" in answers[1]["Cache-Control"] and shown in answers[1].content.decode()
    warm(client, f"{url}?page=2")
    assert visit(client, f"{url}?page=2")["X-Cache"] == "hit"  # the last page itself is kept
    assert visit(client, f"{url}?page=02")["X-Cache"] == "hit"


@pytest.mark.parametrize(
    "change, url, expected",
    [
        ("edit the title", "post", "A better title"),
        ("rename the tag", "post", "Databases"),
        ("add a tag", "home", "Postgres"),
        ("rename the author", "post", "Asha Q. Author"),
    ],
)
def test_it_shows_each_kind_of_change_at_once(client, post, change, url, expected):
    urls = {"home": "/", "post": post.get_absolute_url()}
    warm(client, *urls.values())
    if change == "edit the title":
        post.title = "A better title"
        post.save()
    elif change == "rename the tag":
        tag = Tag.objects.get(slug="django")
        tag.name = "Databases"
        tag.save()
    elif change == "add a tag":
        post.tags.add(*Tag.from_names(["Postgres"]))
    elif change == "rename the author":
        post.author.display_name = "Asha Q. Author"
        post.author.save()
    response = visit(client, urls[url])
    assert response["X-Cache"] == "miss"
    assert expected in response.content.decode()


def test_it_drops_unpublished_deleted_and_untagged_posts_at_once(client, post, author, make_post):
    other = make_post(author, "Second thoughts", tags=["django"])
    tag_url = "/tags/django/"
    warm(client, "/", tag_url, author.get_absolute_url())
    other.tags.clear()
    assert "Second thoughts" not in visit(client, tag_url).content.decode()
    post.unpublish()
    assert "Caching in practice" not in visit(client, "/").content.decode()
    other.delete()
    assert client.get(author.get_absolute_url()).status_code == 404


def test_it_forgets_a_deleted_tag(client, post):
    warm(client, "/tags/django/")
    Tag.objects.get(slug="django").delete()
    assert client.get("/tags/django/").status_code == 404


def test_it_shows_a_post_published_in_the_admin_at_once(client, admin_user, author, make_post):
    draft = make_post(author, "Written in the admin", status=Post.Status.DRAFT)
    warm(client, "/")
    admin = type(client)()
    admin.force_login(admin_user)
    response = admin.post(
        "/admin/posts/post/",
        {"action": "publish_now", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    assert "Written in the admin" in visit(client, "/").content.decode()


def test_it_ignores_sign_ins_which_change_no_public_page(client, author, post):
    warm(client, "/")
    update_last_login(None, author)
    assert visit(client, "/")["X-Cache"] == "hit"


def test_a_signed_in_user_never_gets_the_cached_anonymous_page(client, author, post):
    warm(client, "/")
    client.force_login(author)
    response = visit(client, "/")
    assert "X-Cache" not in response
    assert "Sign out" in response.content.decode()


def test_a_signed_in_user_never_fills_the_cache(client, author, post):
    visitor = type(client)()
    warm(visitor, "/")  # starts a generation
    post.save()  # a new generation: nothing cached for it
    client.force_login(author)
    visit(client, "/")
    visit(client, "/")
    response = visit(visitor, "/")
    assert response["X-Cache"] == "miss"
    assert "Sign out" not in response.content.decode()


def test_it_answers_conditional_gets_with_304(client, post):
    first = visit(client, "/")
    etag, last_modified = first["ETag"], first["Last-Modified"]
    # Browsers revalidate every time; shared caches in front may keep it as the page cache does.
    shared = "max-age=0, s-maxage=600, stale-while-revalidate=30, stale-if-error=86400"
    assert first["Cache-Control"] == shared
    for headers in ({"HTTP_IF_NONE_MATCH": etag}, {"HTTP_IF_MODIFIED_SINCE": last_modified}):
        response = client.get("/", **headers)
        assert response.status_code == 304
        assert response.content == b""
        assert response["ETag"] == etag
    assert client.get("/", HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_it_gives_a_new_etag_after_a_change(client, post):
    etag = visit(client, "/")["ETag"]
    post.title = "Changed"
    post.save()
    response = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_a_scheduled_post_appears_by_itself_when_its_time_comes(client, author, make_post):
    make_post(author, "Already out")
    # Far enough ahead that a machine busy with other work still reads the page before it.
    soon = make_post(author, "Coming soon", published_at=timezone.now() + timedelta(seconds=8))
    warm(client, "/")
    assert "Coming soon" not in visit(client, "/").content.decode()
    time.sleep(max(0, (soon.published_at - timezone.now()).total_seconds()) + 0.1)
    assert "Coming soon" in visit(client, "/").content.decode()


def test_a_post_scheduled_after_a_page_was_cached_appears_on_it_in_time(client, author, make_post):
    make_post(author, "Already out")
    warm(client, "/")
    make_post(author, "Coming soon", published_at=timezone.now() + timedelta(seconds=1.5))
    assert "Coming soon" not in visit(client, "/").content.decode()
    time.sleep(1.6)
    assert "Coming soon" in visit(client, "/").content.decode()


def test_it_serves_pages_while_the_cache_is_unreachable(client, post, author, make_post, monkeypatch):
    about = make_post(author, "About this blog")
    about.is_page, about.nav_order = True, 1  # in the navigation
    about.save()

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", unreachable)
    monkeypatch.setattr(cache, "get_many_held", unreachable, raising=False)  # on Redis
    response = visit(client, "/")
    assert "Caching in practice" in response.content.decode()
    assert "About this blog" in response.content.decode()  # the navigation, read from the database
    assert "X-Cache" not in response


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/", "/tags/django/feed/", "/sitemap.xml"])
def test_feeds_sitemap_and_tag_index_are_cached_and_refreshed(client, post, url):
    warm(client, url)
    post.title = "Renamed for the feeds"
    post.save()
    response = visit(client, url)
    assert response["X-Cache"] == "miss"
    if url != "/sitemap.xml":
        assert "Renamed for the feeds" in response.content.decode()


def test_the_tag_index_is_cached_and_refreshed_when_a_tag_changes(client, post):
    warm(client, "/tags/")
    post.title = "A title the tag index does not show"
    post.save()
    assert visit(client, "/tags/")["X-Cache"] == "hit"
    tag = Tag.objects.get(slug="django")
    tag.name = "Djangonauts"
    tag.save()
    response = visit(client, "/tags/")
    assert response["X-Cache"] == "miss"
    assert "Djangonauts" in response.content.decode()


def test_search_is_never_cached(client, post):
    for _ in range(2):
        assert visit(client, "/search/?q=caching").get("X-Cache") == "miss"


def test_public_api_reads_are_cached_and_refreshed(client, post):
    url = f"/api/posts/{post.pk}"
    first = visit(client, url)
    assert visit(client, url)["X-Cache"] == "hit"
    assert visit(client, "/api/posts")["X-Cache"] == "miss"
    assert visit(client, "/api/posts")["X-Cache"] == "hit"
    post.title = "Changed through any path"
    post.save()
    response = visit(client, url)
    assert response["X-Cache"] == "miss"
    assert response.json()["title"] == "Changed through any path"
    assert response["ETag"] != first["ETag"]  # the API's own validator, kept by the cache
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_cached_api_reads_send_the_callers_cors_headers(client, post, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    visit(client, "/api/posts")
    plain = visit(client, "/api/posts")
    assert plain["X-Cache"] == "hit" and "Access-Control-Allow-Origin" not in plain
    cross = client.get("/api/posts", HTTP_ORIGIN="https://app.example.com")
    assert cross["X-Cache"] == "hit"
    assert cross["Access-Control-Allow-Origin"] == "https://app.example.com"


def test_cached_api_reads_count_against_the_read_limit(client, post, settings):
    settings.BLOG_ANONYMOUS_READS_PER_MINUTE = 3
    statuses = [client.get("/api/posts").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_api_search_and_signed_in_reads_are_never_cached(client, post, author):
    for _ in range(2):
        assert visit(client, "/api/posts?q=caching")["X-Cache"] == "miss"
    client.force_login(author)
    for _ in range(2):
        assert "X-Cache" not in visit(client, "/api/posts")


def test_finding_5_a_smuggled_script_name_cannot_make_tags_serve_the_home_page(client, post):
    """Issue 13, finding 5: ``SCRIPT_NAME: /tags`` on ``/tags/`` routes to the home page."""
    home = client.get("/", SCRIPT_NAME="/tags")  # request.path is /tags/, the home page was rendered
    assert home.status_code == 200 and "Caching in practice" in home.content.decode()
    for _ in range(2):
        tags = visit(client, "/tags/")
        assert "All tags" in tags.content.decode() or "django" in tags.content.decode()
        assert tags.content != home.content


def test_finding_12_unknown_query_parameters_fill_no_cache_entries(client, post):
    """Issue 13, finding 12: every ``?junk=N`` was a new cache entry."""
    for n in range(3):
        assert visit(client, f"/feed/?junk={n}")["X-Cache"] == "miss"
    assert visit(client, "/feed/")["X-Cache"] == "miss"  # none of them was stored
    assert visit(client, "/feed/?junk=4")["X-Cache"] == "hit"  # served the feed without it


def test_finding_12_a_private_draft_save_retires_no_public_page(client, author, post, make_post):
    """Issue 13, finding 12: any contributor's draft save emptied the whole cache."""
    draft = make_post(author, "Not for anyone yet", status=Post.Status.DRAFT, tags=["django"])
    warm(client, "/", post.get_absolute_url(), "/tags/django/", "/feed/", f"/api/posts/{post.pk}")
    draft.title = "Still not for anyone"
    draft.save()
    draft.tags.add(*Tag.from_names(["secret-plans"]))
    for url in ["/", post.get_absolute_url(), "/tags/django/", "/feed/", f"/api/posts/{post.pk}"]:
        assert visit(client, url)["X-Cache"] == "hit", url


def test_an_edit_retires_the_pages_that_show_the_post_and_no_other(client, author, post, make_post):
    other = make_post(author, "Another topic", tags=["cooking"])
    warm(client, "/", post.get_absolute_url(), other.get_absolute_url(), "/tags/cooking/")
    post.title = "Caching, revised"
    post.save()
    assert "Caching, revised" in visit(client, "/").content.decode()
    assert visit(client, post.get_absolute_url())["X-Cache"] == "miss"
    assert visit(client, "/tags/cooking/")["X-Cache"] == "hit"
    # The other post links to this one as its neighbour: its page shows the new title.
    assert "Caching, revised" in visit(client, other.get_absolute_url()).content.decode()


def test_publishing_retires_the_lists_and_the_neighbours_it_joins(client, author, post, make_post):
    draft = make_post(author, "Fresh off the press", status=Post.Status.DRAFT, tags=["django"])
    warm(client, "/", "/tags/django/", "/feed/", post.get_absolute_url(), "/api/posts")
    draft.publish()
    for url in ["/", "/tags/django/", "/feed/", post.get_absolute_url(), "/api/posts"]:
        assert "Fresh off the press" in visit(client, url).content.decode(), url

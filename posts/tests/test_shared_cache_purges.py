"""Shared caches in front are purged of exactly the pages a change touches (blogsite/purgers.py)."""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from blogsite import purgers
from posts.models import Post, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def varnish(settings):
    """A stand-in Varnish on 127.0.0.1 that records each PURGE's keys: a real HTTP server."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_PURGE(self):
            received.append(set(self.headers["xkey"].split()))
            self.send_response(200, f"Purged {len(received)} objects")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SHARED_CACHE_PURGE_URLS = [f"http://127.0.0.1:{server.server_port}"]
    yield received
    server.shutdown()
    server.server_close()


def test_it_sends_the_keys_in_an_xkey_header_in_parts_varnish_accepts(varnish, settings):
    keys = [f"post-{n}" for n in range(2000)]
    purgers.VarnishPurger(settings.SHARED_CACHE_PURGE_URLS).purge(keys)
    assert len(varnish) > 1  # 2,000 keys are more than one header should carry
    assert set().union(*varnish) == set(keys)


def lists_joined_by(post, *, beside) -> set[str]:
    """The keys of the pages a post with one tag joins, the post ``beside`` it in time among them."""
    return {
        f"post-{post.pk}",
        "posts",
        "tags",
        "writers",
        "sitemap",
        "unnamed",
        f"author-{post.author_id}-posts",
        f"tag-{post.tags.get().pk}-posts",
        f"post-{beside.pk}-neighbours",
    }


def test_publishing_purges_the_lists_it_joins_once_committed(
    varnish, author, make_post, django_capture_on_commit_callbacks
):
    older = make_post(author, "Older", tags=["django"])
    draft = make_post(author, "Soon out", status=Post.Status.DRAFT, tags=["django"])
    varnish.clear()
    with django_capture_on_commit_callbacks(execute=True):
        draft.publish()
        assert varnish == []  # not before the commit: a reader could fetch the old page again
    assert varnish == [lists_joined_by(draft, beside=older)]


def test_editing_a_public_post_purges_the_pages_that_show_it(
    varnish, author, make_post, django_capture_on_commit_callbacks
):
    post = make_post(author, "Live")
    varnish.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post.title = "Live, edited"
        post.save()
    assert varnish == [{f"post-{post.pk}", "sitemap", "unnamed"}]


def test_a_private_draft_save_purges_nothing(varnish, author, make_post, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_post(author, "Private", status=Post.Status.DRAFT, tags=["secret"])
        draft.body = "Still private."
        draft.save()
    assert varnish == []


def test_scheduling_a_post_purges_the_lists_it_will_join_so_they_are_kept_no_later_than_its_time(
    varnish, author, make_post, django_capture_on_commit_callbacks
):
    """Pages a shared cache stored before the post was scheduled would keep it out until they
    expired; stored afresh, they expire at its time (pagecache bounds each by the schedule)."""
    older = make_post(author, "Older", tags=["django"])
    draft = make_post(author, "Out at nine", status=Post.Status.DRAFT, tags=["django"])
    varnish.clear()
    with django_capture_on_commit_callbacks(execute=True):
        draft.published_at = timezone.now() + timedelta(hours=1)
        draft.status = Post.Status.PUBLISHED
        draft.save()
    assert varnish == [lists_joined_by(draft, beside=older)]
    varnish.clear()
    with django_capture_on_commit_callbacks(execute=True):
        draft.title = "Out at nine, retitled"
        draft.save()  # the same time: nothing new to bound
        draft.tags.add(*Tag.from_names(["python"]))
    python = Tag.objects.get(name="python")
    assert varnish == [{f"post-{draft.pk}", "tags", f"tag-{python.pk}", f"tag-{python.pk}-posts", "unnamed"}]

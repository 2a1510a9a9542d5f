"""An import writes in bulk, yet leaves the page cache and related posts as saving each post would."""

import re
from contextlib import nullcontext
from dataclasses import astuple
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from accounts.models import User
from blogsite import pagecache
from imports import services
from imports.models import ImportedItem, OldLink
from imports.services import import_blog_file
from imports.wordpress import WordPressExport
from posts.models import Post, RelatedPost, Revision, Tag

from . import samples

pytestmark = pytest.mark.django_db


def a_blog():
    """Twelve posts over four tags, out of date order, with a draft, a page and an update of an older post."""
    items = []
    for n in range(1, 13):
        tags = [("post_tag", f"t{n % 4}", f"T{n % 4}"), ("post_tag", f"t{n % 3}", f"T{n % 3}")]
        if n == 5:
            tags.append(("post_tag", "python", "Python"))  # a tag the site already has
        status, kind = ("draft", "post") if n == 7 else ("publish", "page" if n == 9 else "post")
        month = (n * 5) % 12 + 1
        items.append(
            samples.item(
                id=str(n),
                title=f"Imported {n}",
                slug=f"imported-{n}",
                link=f"2023/{month:02}/imported-{n}/",
                date=f"2023-{month:02}-03 10:00:00",
                date_gmt=f"2023-{month:02}-03 09:00:00",
                status=status,
                type=kind,
                creator="mara" if n % 2 else "asha",
                extra="".join(samples.category(*tag) for tag in tags),
            )
        )
    return samples.wxr(items)


def names(keys):
    """Surrogate keys with ids made names, so two runs that gave rows other ids compare."""
    posts = dict(Post.objects.values_list("pk", "slug"))
    tags = dict(Tag.objects.values_list("pk", "slug"))
    users = dict(User.objects.values_list("pk", "username"))
    tables = {"post": posts, "tag": tags, "author": users}

    def name(key):
        found = re.fullmatch(r"(post|tag|author)-(\d+)(.*)", key)
        if not found:
            return key
        kind, pk, rest = found.groups()
        return f"{kind}-{tables[kind].get(int(pk), 'gone')}{rest}"

    return {name(key) for key in keys}


def related_everywhere():
    """Every public post's related posts, by slug, as its page would show them."""
    return {
        post.slug: [p.slug for p in post.related_public(list(post.tags.all()), limit=RelatedPost.KEPT)]
        for post in Post.objects.public()
    }


def import_and_look(path, *, bulk: bool):
    """Import the file (in bulk, or saving each post on its own), then say which pages were
    retired and what related posts each post shows.

    Run in a transaction rolled back at the end, so both ways start from the same site.
    """
    retired = []
    real = pagecache._retire_now

    def spy(keys):
        retired.append(keys)
        real(keys)

    with (
        transaction.atomic(),
        mock.patch.object(pagecache, "_retire_now", side_effect=spy),
        # Else each post is saved on its own, its signals retiring pages and refreshing rankings at once.
        nullcontext() if bulk else mock.patch.object(services, "bulk_writes", nullcontext),
        nullcontext() if bulk else mock.patch.object(services._Importer, "_create", return_value=False),
    ):
        report = import_blog_file(WordPressExport(path))
        assert not report.failed, report.as_text()
        calls = len(retired)
        result = names(set().union(*retired)), related_everywhere()
        transaction.set_rollback(True)
    return calls, *result


@pytest.fixture
def site(author, make_post):
    """A site with posts sharing the import's tags, whose rankings are kept as reading them keeps them."""
    old = datetime(2023, 1, 1, tzinfo=UTC)
    make_post(author, "Site python", tags=["python", "T1"], published_at=old)
    make_post(author, "Site other", tags=["T2"], published_at=datetime(2023, 6, 15, tzinfo=UTC))
    make_post(author, "Site alone", tags=["gardening"], published_at=datetime(2001, 1, 1, tzinfo=UTC))
    related_everywhere()  # every ranking made and kept
    assert RelatedPost.objects.exists()


def test_a_bulk_import_retires_the_same_pages_and_shows_the_same_related_posts(site, wxr_file):
    path = wxr_file(a_blog())
    calls_one_by_one, retired_one_by_one, related_one_by_one = import_and_look(path, bulk=False)
    calls_bulk, retired_bulk, related_bulk = import_and_look(path, bulk=True)
    # Saved one by one, an imported post's page is retired when a later one lands next to it;
    # inserted together, no one could have read those pages before: only the site's own are.
    imported_links = re.compile(r"post-imported-\d+-neighbours")
    assert {key for key in retired_one_by_one if not imported_links.fullmatch(key)} == {
        key for key in retired_bulk if not imported_links.fullmatch(key)
    }
    assert "post-site-python-neighbours" in retired_bulk
    # The site's python post shows related posts from the python list, which gained one.
    assert {"tag-python-posts", "posts", "tags", "sitemap"} <= retired_bulk
    assert "tag-gardening-posts" not in retired_bulk
    assert related_bulk == related_one_by_one
    assert "imported-5" in related_bulk["site-python"]
    assert calls_bulk == 1  # not one (or four) per post
    assert calls_one_by_one > 12


def test_rankings_kept_after_a_bulk_import_are_exact(site, wxr_file):
    alone = Post.objects.get(slug="site-alone")
    alone_ranking = list(RelatedPost.objects.filter(post=alone).values_list("related_id", flat=True))
    import_blog_file(WordPressExport(wxr_file(a_blog())))
    site_python = Post.objects.get(slug="site-python")
    assert not RelatedPost.objects.filter(post=site_python).exists()  # made again when next read
    # A post sharing no tag with the import keeps its ranking as it was.
    assert list(RelatedPost.objects.filter(post=alone).values_list("related_id", flat=True)) == alone_ranking


def test_a_post_written_with_no_bulk_block_still_refreshes_at_once(author, make_post):
    older = make_post(author, "Older", tags=["django"])
    newer = make_post(author, "Newer", tags=["django"])
    assert RelatedPost.objects.filter(post=older, related=newer).exists()


def what_came_in():
    """The posts, their old links and import records, as names that two runs share."""
    posts = {
        # A draft's provisional slug ends in a random token.
        (
            p.slug.partition("--")[0],
            p.title,
            p.status,
            p.author.username,
            tuple(sorted(p.tags.values_list("name", flat=True))),
        )
        for p in Post.objects.select_related("author")
    }
    revisions = set(Revision.objects.values_list("post__title", "number", "title", "note"))
    links = set(OldLink.objects.values_list("old_path", "post__title"))
    return posts, revisions, links, ImportedItem.objects.count()


def test_new_posts_the_database_refuses_together_come_in_one_by_one_all_the_same(wxr_file):
    path = wxr_file(a_blog())
    with transaction.atomic():
        report = import_blog_file(WordPressExport(path))
        expected = sorted(map(astuple, report.lines)), what_came_in()
        transaction.set_rollback(True)
    refused = IntegrityError("a slug was taken meanwhile")
    with mock.patch.object(services, "create_posts", side_effect=refused) as create_posts:
        report = import_blog_file(WordPressExport(path))
    assert create_posts.called
    assert (sorted(map(astuple, report.lines)), what_came_in()) == expected
    assert report.count("created") == 14  # 2 authors and 12 items


def test_an_item_rolled_back_takes_its_new_author_and_tag_with_it_and_the_next_makes_them_again(wxr_file):
    fresh_tag = samples.category("post_tag", "fresh", "Fresh")
    items = [
        samples.item(id=str(n), title=title, slug=title.lower(), creator="newbie", extra=fresh_tag)
        for n, title in [(1, "First"), (2, "Second")]
    ]
    keep_old_links, refusals = services._Importer._keep_old_links, []

    def refuse_twice(links):  # the batch's new posts together, then the first alone
        if len(refusals) < 2:
            refusals.append(links)
            raise DatabaseError("the disk is full")
        keep_old_links(links)

    with mock.patch.object(services._Importer, "_keep_old_links", side_effect=refuse_twice):
        report = import_blog_file(WordPressExport(wxr_file(samples.wxr(items))))
    posts = [(line.outcome, line.title) for line in report.lines if line.kind == "post"]
    assert posts == [("failed", "First"), ("created", "Second")]
    second = Post.objects.get(title="Second")
    assert second.author.username == "newbie"  # made again, not the one the rollback undid
    assert list(second.tags.values_list("name", flat=True)) == ["Fresh"]

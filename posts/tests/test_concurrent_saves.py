"""Writers racing. Two saves from pages opened at the same version: exactly one wins, the other is
a conflict (the services lock the post's row before comparing versions, so the check and the
write are one step). Two writers adding the same new search words: neither waits. A publish and
a new tag at once: the tag lists the post. Needs real concurrent connections, so it runs on
PostgreSQL (CI runs the suite on both).
"""

import threading
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from posts import search, services
from posts.cards import PostCard
from posts.models import ListCount, Post, Tag


@pytest.mark.django_db(transaction=True)
def test_only_one_of_two_racing_saves_wins(author):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL's row locks")
    post = services.post_save(by=author, title="Raced", body="start")
    version = post.version
    barrier = threading.Barrier(2)
    outcomes = []

    def save(body):
        try:
            barrier.wait()
            mine = Post.objects.get(pk=post.pk)
            services.post_save(by=author, post=mine, title="Raced", body=body, expected_version=version)
            outcomes.append(("saved", body))
        except services.EditConflict:
            outcomes.append(("conflict", body))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(body,)) for body in ("from tab one", "from tab two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(kind for kind, _ in outcomes) == ["conflict", "saved"]
    winner = next(body for kind, body in outcomes if kind == "saved")
    post.refresh_from_db()
    assert post.body == winner
    assert post.revisions.count() == 2


def written_while_the_first_is_open(first, second, *, second_waits: bool) -> list[str]:
    """Run ``first`` in a transaction, and ``second`` in another connection's while the first's is
    still open; what the second writer came to ("written", or the error that stopped it). Whether
    the second writer waited for the first's transaction to end is checked against ``second_waits``."""
    first_written = threading.Event()
    outcomes = []

    def second_writer():
        try:
            first_written.wait(timeout=10)
            with transaction.atomic():
                second()
            outcomes.append("written")
        except OperationalError as error:  # a lock timeout: it waited for the first writer
            outcomes.append(str(error))
        finally:
            connections.close_all()

    thread = threading.Thread(target=second_writer)
    thread.start()
    with transaction.atomic():  # still open while the second writer writes
        first()
        first_written.set()
        thread.join(timeout=0.5 if second_waits else 15)
        assert thread.is_alive() == second_waits
    thread.join(timeout=10)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_writers_adding_the_same_new_words_never_wait_for_each_other(author):
    """The blog's search words (migration 0020) are added by the transaction that writes a post's
    vector: a second writer with the same new words must not wait for the first to end (or, with
    more words in another order, deadlock with it). Posts' vectors written by bulk updates, as an
    import or a re-rendering migration writes them, take no other lock."""
    if connection.vendor != "postgresql":
        pytest.skip("the blog's search words are kept on PostgreSQL only")
    first, second = (services.post_save(by=author, title=title, body="Draft.") for title in ("One", "Two"))
    new_words = search.search_vector("Zeppelinhangar", "")

    def second_writes():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
        Post.objects.filter(pk=second.pk).update(search_vector=new_words)

    outcomes = written_while_the_first_is_open(
        lambda: Post.objects.filter(pk=first.pk).update(search_vector=new_words),
        second_writes,
        second_waits=False,
    )
    assert outcomes == ["written"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT word FROM posts_search_word WHERE word LIKE 'zeppelin%%'")
        assert cursor.fetchall() == [("zeppelinhangar",)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["publish", "tag"])
def test_a_post_published_while_it_is_tagged_is_listed_under_the_tag(author, first):
    """A tag's rows keep their post's time while the post is listed (migration 0021). A publish and
    a new tag written at once, in two transactions, either one first: the second waits for the
    first to end, then sees it, and the tag lists and counts the post."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL's row locks")
    post = services.post_save(by=author, title="Raced", body="Draft.")
    assert post.status == Post.Status.DRAFT
    tag = Tag.from_names(["raced"])[0]
    writes = {
        "publish": lambda: Post.objects.filter(pk=post.pk).update(
            status=Post.Status.PUBLISHED, published_at=timezone.now() - timedelta(hours=1)
        ),
        "tag": lambda: post.tags.add(tag),
    }
    second = writes["tag" if first == "publish" else "publish"]
    assert written_while_the_first_is_open(writes[first], second, second_waits=True) == ["written"]
    assert [card.pk for card in PostCard.page_of(0, 10, tag=tag.pk)] == [post.pk]
    assert ListCount.objects.public_posts(tag=tag.pk) == 1

"""Two saves racing from pages opened at the same version: exactly one wins, the other is a conflict.

The services lock the post's row before comparing versions, so the check and the write are one
step. Needs real concurrent connections, so it runs on PostgreSQL (CI runs the suite on both).
"""

import threading

import pytest
from django.db import connection, connections

from posts import services
from posts.models import Post


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

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from posts.models import Post


def run(path, *args):
    out = StringIO()
    try:
        call_command("import_ghost", str(path), *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


def summary(out):
    return next(line for line in out.splitlines() if line.startswith("Ghost import of"))


@pytest.mark.django_db
@pytest.mark.parametrize("bodies", ["html", "mobiledoc", "lexical"])
def test_it_brings_ghost_posts_in_from_any_body_format(ghost_file, bodies):
    out, error = run(ghost_file(bodies=bodies))
    assert error is None, out
    post = Post.objects.get(slug="grusse-aus-zurich")
    assert post.title == "Grüße aus Zürich — 日本語も"
    assert post.published_at == datetime(2023, 5, 1, 8, 30, tzinfo=UTC)
    assert post.excerpt == "A short trip."
    assert list(post.tags.order_by("name").values_list("name", flat=True)) == ["Python", "Travel"]
    assert "<h2>A heading</h2>" in post.body_html
    assert post.author.email == "mara@example.com" and not post.author.has_usable_password()
    assert Post.objects.get(slug="coming-soon").is_scheduled
    assert Post.objects.get(title="Members only").status == "draft"
    assert Post.objects.get(slug="about").is_page


@pytest.mark.django_db
def test_it_reports_each_item_and_creates_nothing_twice(ghost_file):
    path = ghost_file()
    out, _ = run(path)
    assert (
        summary(out) == "Ghost import of ghost.json: 7 created, 0 updated, 0 unchanged, 0 skipped, 0 failed"
    )
    assert (
        "  created   post   “Members only”: was for paid members only in Ghost: brought in as a draft" in out
    )
    assert (
        "  created   post   “Newsletter issue”: was sent as a newsletter only in Ghost: brought in as a draft"
        in out
    )
    posts, users = Post.objects.count(), User.objects.count()
    out, _ = run(path)
    assert (
        summary(out) == "Ghost import of ghost.json: 0 created, 0 updated, 6 unchanged, 0 skipped, 0 failed"
    )
    assert (Post.objects.count(), User.objects.count()) == (posts, users)


@pytest.mark.django_db
def test_a_dry_run_writes_nothing(ghost_file):
    out, error = run(ghost_file(), "--dry-run")
    assert error is None
    assert summary(out).endswith("(dry run: nothing was written)")
    assert (Post.objects.count(), User.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_a_truncated_export_writes_nothing(tmp_path, ghost_file):
    text = ghost_file().read_text()
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2])
    _, error = run(path)
    assert (
        error
        == f"{path}: The file ends in the middle: it is truncated. Export it again. Nothing was imported."
    )
    assert Post.objects.count() == 0

import subprocess
import sys
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from imports.models import ImportedItem
from imports.tests import samples
from posts.models import Post, Revision, Tag


def run(path, *args):
    out = StringIO()
    try:
        call_command("import_wordpress", str(path), *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


def summary(out):
    return next(line for line in out.splitlines() if line.startswith("WordPress import of"))


def counts():
    return (
        Post.objects.count(),
        User.objects.count(),
        Tag.objects.count(),
        Revision.objects.count(),
        ImportedItem.objects.count(),
    )


@pytest.mark.django_db
def test_it_brings_posts_in_with_their_statuses_dates_slugs_and_tags(wxr_file):
    out, error = run(wxr_file())
    assert error is None, out
    post = Post.objects.get(title="Grüße aus Zürich — 日本語も")
    assert (post.status, post.published_at, post.slug) == (
        "published",
        datetime(2023, 5, 1, 8, 30, tzinfo=UTC),
        "grusse-aus-zurich",
    )
    assert post.is_public
    assert post.excerpt == "A *short* trip."
    assert sorted(post.tags.values_list("name", flat=True)) == ["Python", "Travel"]
    assert "```python\ndef greet" in post.body
    assert (
        '<span class="k">def</span><span class="w"> </span><span class="nf">greet</span>' in post.body_html
    )  # highlighted as Python
    assert Post.objects.get(title="Coming soon").is_scheduled
    assert Post.objects.get(title="Waiting for review").status == "review"
    assert Post.objects.get(title="Unfinished thoughts").status == "draft"
    assert Post.objects.get(title="Members only").status == "draft"
    assert post.revisions.get().note == "Imported from WordPress"
    page = Post.objects.get(title="About me")
    assert (page.is_page, page.get_absolute_url(), page.is_public) == (True, "/about/", True)
    assert not Post.objects.public().filter(pk=page.pk).exists()


@pytest.mark.django_db
def test_it_creates_authors_without_a_usable_password_or_matches_them_by_email(wxr_file, author):
    author.email = "ASHA@example.com"
    author.save()
    run(wxr_file())
    mara = User.objects.get(username="mara")
    assert (mara.email, mara.display_name, mara.role) == ("mara@example.com", "Mara Müller", Role.AUTHOR)
    assert not mara.has_usable_password()
    assert Post.objects.get(title="Classic post").author == author  # asha@example.com, matched by e-mail
    assert Post.objects.get(title="Unfinished thoughts").author == mara


@pytest.mark.django_db
def test_it_reports_every_item_and_comment(wxr_file):
    out, error = run(wxr_file())
    assert error is None
    assert (
        summary(out)
        == "WordPress import of export.xml: 9 created, 0 updated, 0 unchanged, 3 skipped, 0 failed"
    )
    assert "  created   author “Mara Müller”: user mara, who signs in by resetting the password" in out
    assert (
        "  created   post   “Grüße aus Zürich — 日本語も”: "
        "kept unknown shortcodes as text: [contact-form-7]; 2 comments skipped"
    ) in out
    assert (
        "  created   post   “Members only”: was password-protected in WordPress: brought in as a draft" in out
    )
    assert "  skipped   item   “Home”: a WordPress nav_menu_item, not a post or a page" in out
    assert "  skipped   item   “Old rubbish”: it was in the trash" in out
    assert "  2 comments skipped: Blogsite has no comments" in out
    assert (
        "  skipped   image  “1 image attachments”: give --media-dir or --fetch-media to bring them in" in out
    )


@pytest.mark.django_db
def test_it_prints_plain_progress_lines_when_not_on_a_terminal(wxr_file):
    out, _ = run(wxr_file())
    assert "9/9 items read" in out
    assert "\r" not in out


@pytest.mark.django_db
def test_a_dry_run_reports_the_same_and_writes_nothing(wxr_file):
    before = counts()
    out, error = run(wxr_file(), "--dry-run")
    assert error is None
    assert summary(out).endswith(
        "9 created, 0 updated, 0 unchanged, 3 skipped, 0 failed (dry run: nothing was written)"
    )
    assert counts() == before


@pytest.mark.django_db
def test_running_the_same_file_again_creates_nothing_twice(wxr_file):
    path = wxr_file()
    run(path)
    after_first = counts()
    out, error = run(path)
    assert error is None
    assert summary(out).endswith("0 created, 0 updated, 7 unchanged, 3 skipped, 0 failed")
    assert counts() == after_first


@pytest.mark.django_db
def test_a_second_run_updates_what_changed_and_says_so(wxr_file):
    run(wxr_file())
    changed = (
        samples.wordpress_blog()
        .replace("<p>I write about lakes.</p>", "<p>I write about rivers.</p>")
        .replace("Classic post", "Classic post, revised")
    )
    out, error = run(wxr_file(changed))
    assert error is None
    assert "  updated   post   “Classic post, revised”: changed title" in out
    assert "  updated   page   “About me”: changed body" in out
    assert "0 unchanged" not in out and "2 updated" in out
    post = Post.objects.get(title="Classic post, revised")
    assert post.slug == "classic-post"  # a published post keeps its address
    assert [r.note for r in post.revisions.all()] == ["Updated from WordPress", "Imported from WordPress"]
    assert Post.objects.filter(title__startswith="Classic post").count() == 1


@pytest.mark.django_db
def test_an_item_that_fails_is_reported_with_its_reason_and_the_rest_go_in(wxr_file):
    huge = samples.wordpress_blog().replace("<p>Hello.</p>", "<p>" + "word " * 41_000 + "</p>", 1)
    out, error = run(wxr_file(huge))
    assert error == "1 item(s) failed; see the report above."
    assert (
        "  failed    post   “Unfinished thoughts”: its body has 204,999 characters; the most is 200,000"
        in out
    )
    assert Post.objects.filter(title="Classic post").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("text", [samples.wordpress_blog()[:5000], "<rss/>", ""])
def test_a_damaged_file_writes_nothing_and_says_why(wxr_file, text):
    before = counts()
    _out, error = run(wxr_file(text))
    assert error.endswith("Nothing was imported.")
    assert counts() == before


def test_the_command_exits_non_zero_when_an_item_failed(tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_text('<!DOCTYPE x [<!ENTITY a "b">]><rss/>')
    result = subprocess.run(
        [sys.executable, "manage.py", "import_wordpress", str(path), "--dry-run"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "declares XML entities" in result.stderr


@pytest.mark.django_db
def test_finding_9_hidden_posts_come_in_without_an_address_and_take_theirs_when_public(wxr_file):
    """A draft keeps its old slug to itself until it goes public: then it is its address here too."""
    run(wxr_file())
    members = Post.objects.get(title="Members only")  # password-protected: a draft here
    assert members.slug.startswith("members-only--")
    assert Post.objects.get(title="Waiting for review").slug.startswith("waiting-for-review--")
    assert Post.objects.get(title="Coming soon").slug == "coming-soon"  # scheduled: settled
    out, error = run(wxr_file(samples.wordpress_blog().replace("<![CDATA[hunter2]]>", "<![CDATA[]]>")))
    assert error is None, out
    members.refresh_from_db()
    assert (members.status, members.slug) == ("published", "members-only")
